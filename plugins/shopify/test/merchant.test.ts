/**
 * The merchant's side: OAuth install against the fake's authorize and token endpoints, the settings page that
 * checks credentials at the gateway before telling Shopify the shop is ready, and Shopify's webhooks.
 */
import { createHmac } from 'node:crypto';
import { signQuery } from '../src/testing/fake-shopify.js';
import {
  API_SECRET,
  BROWSER_UA,
  capturedLogs,
  CookieJar,
  installShop,
  saveSettings,
  uniqueShop,
  useUmmahApp,
} from './support/harness.js';

const ctx = useUmmahApp('merchant');

const offline = (shop: string) => ctx.harness.app.sessionStorage.loadSession(`offline_${shop}`);

describe('OAuth install', () => {
  it('round trip: authorize, exchange the code at the token endpoint, keep the offline token', async () => {
    const shop = uniqueShop('oauth');
    const jar = await installShop(ctx.harness, shop);
    const session = await offline(shop);
    expect(session).toMatchObject({ shop, isOnline: false, accessToken: ctx.harness.fake.accessToken(shop) });
    expect(session?.scope).toContain('write_payment_sessions');
    const settings = await fetch(`${ctx.harness.url}/settings`, { headers: { cookie: jar.header() } });
    expect(settings.status).toBe(200);
    expect(await settings.text()).toContain(shop);
  });

  it('asks for the payments scopes on Shopify’s consent screen', async () => {
    const begin = await fetch(`${ctx.harness.url}/auth?shop=${uniqueShop('scopes')}`, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER_UA },
    });
    const authorize = new URL(begin.headers.get('location') as string);
    expect(authorize.searchParams.get('scope')).toBe('write_payment_gateways,write_payment_sessions');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${ctx.harness.url}/auth/callback`);
    expect(authorize.searchParams.get('grant_options[]')).toBe('');
  });

  it('refuses a tampered callback and a callback without the state cookie', async () => {
    const shop = uniqueShop('tamper');
    const jar = new CookieJar();
    const begin = await fetch(`${ctx.harness.url}/auth?shop=${shop}`, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER_UA },
    });
    jar.take(begin);
    const granted = await ctx.harness.fake.fetch(begin.headers.get('location') as string, {
      redirect: 'manual',
    });
    const callback = new URL(granted.headers.get('location') as string);
    callback.searchParams.set('hmac', '0'.repeat(64));
    const tampered = await fetch(callback, {
      redirect: 'manual',
      headers: { cookie: jar.header(), 'user-agent': BROWSER_UA },
    });
    expect(tampered.status).toBe(400);
    const noCookie = await fetch(granted.headers.get('location') as string, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER_UA },
    });
    expect(noCookie.status).toBe(400);
    expect(await offline(shop)).toBeUndefined();
  });

  it('answers 410 to a bot, as the library does', async () => {
    const bot = await fetch(`${ctx.harness.url}/auth?shop=${uniqueShop('bot')}`, {
      redirect: 'manual',
      headers: { 'user-agent': 'Googlebot/2.1' },
    });
    expect(bot.status).toBe(410);
  });

  it('the app URL Shopify opens (signed query) sends an unknown browser through OAuth', async () => {
    const shop = uniqueShop('home');
    const params = {
      shop,
      timestamp: String(Math.floor(Date.now() / 1000)),
      host: Buffer.from(`${shop}/admin`).toString('base64url'),
    };
    const signed = new URLSearchParams({ ...params, hmac: signQuery(params, API_SECRET) });
    const home = await fetch(`${ctx.harness.url}/?${signed}`, { redirect: 'manual' });
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe(`/auth?shop=${encodeURIComponent(shop)}`);
    const forged = await fetch(
      `${ctx.harness.url}/?${new URLSearchParams({ ...params, hmac: 'f'.repeat(64) })}`,
      { redirect: 'manual' },
    );
    expect(forged.status).toBe(400);
  });
});

describe('settings', () => {
  it('checks the credentials at the gateway before paymentsAppConfigure(ready: true)', async () => {
    const shop = uniqueShop('settings');
    const jar = await installShop(ctx.harness, shop);
    const wrong = await saveSettings(ctx.harness, jar, 'ummah', {
      secretKey: 'sk_test_wrong_key_000000000000',
      brandId: ctx.sandbox.brandId,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('Ummah refused these credentials.');
    expect(ctx.harness.fake.configurations.get(shop)).toBeUndefined();

    const missing = await saveSettings(ctx.harness, jar, 'ummah', {
      secretKey: ctx.sandbox.secretKey,
      brandId: '',
    });
    expect(missing.status).toBe(400);
    expect(missing.html).toContain('Missing: Brand ID');

    const right = await saveSettings(ctx.harness, jar, 'ummah', {
      secretKey: ctx.sandbox.secretKey,
      brandId: ctx.sandbox.brandId,
    });
    expect(right.status).toBe(200);
    expect(right.html).toContain('data-ready="true"');
    expect(right.html).toContain(
      `<code id="webhook-url">${ctx.harness.app.urls.gatewayWebhook}/${shop}</code>`,
    );
    expect(ctx.harness.fake.configurations.get(shop)).toEqual({
      externalHandle: ctx.sandbox.brandId,
      ready: true,
    });
    // The secret is never written back into the page; the brand id (not secret) is.
    expect(right.html).not.toContain(ctx.sandbox.secretKey);
    expect(right.html).toContain(`value="${ctx.sandbox.brandId}"`);
    // Saving again with the secret left blank keeps the saved one.
    const kept = await saveSettings(ctx.harness, jar, 'ummah', {
      secretKey: '',
      brandId: ctx.sandbox.brandId,
    });
    expect(kept.status).toBe(200);
  });

  it('refuses a form without its CSRF token, and the page without a signed-in merchant', async () => {
    const shop = uniqueShop('csrf');
    const jar = await installShop(ctx.harness, shop);
    const forged = await fetch(`${ctx.harness.url}/settings`, {
      method: 'POST',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ gateway: 'ummah', 'ummah.secretKey': 'x', 'ummah.brandId': 'y' }),
    });
    expect(forged.status).toBe(403);
    expect(ctx.harness.fake.configurations.get(shop)).toBeUndefined();
    expect((await fetch(`${ctx.harness.url}/settings`)).status).toBe(401);
  });
});

describe('Shopify webhooks', () => {
  const send = (topic: string, shop: string, secret?: string) =>
    ctx.harness.fake.sendWebhook({
      url: ctx.harness.app.urls.webhooks,
      topic,
      shop,
      payload: { shop_domain: shop, shop_id: 1 },
      ...(secret ? { secret } : {}),
    });

  it.each(['customers/data_request', 'customers/redact', 'shop/redact', 'app/uninstalled'])(
    '%s: 200 with a good HMAC, 401 with a bad one',
    async (topic) => {
      const shop = uniqueShop('hook');
      expect((await send(topic, shop, 'not-the-app-secret')).status).toBe(401);
      expect((await send(topic, shop)).status).toBe(200);
    },
  );

  it('refuses a body changed after signing', async () => {
    const body = JSON.stringify({ shop_domain: 'x.myshopify.com' });
    const hmac = createHmac('sha256', API_SECRET).update(body).digest('base64');
    const response = await fetch(ctx.harness.app.urls.webhooks, {
      method: 'POST',
      headers: {
        'x-shopify-hmac-sha256': hmac,
        'x-shopify-topic': 'shop/redact',
        'x-shopify-shop-domain': 'x.myshopify.com',
      },
      body: body.replace('x.', 'y.'),
    });
    expect(response.status).toBe(401);
  });

  it('app/uninstalled deletes the shop’s access token; shop/redact its settings and credentials', async () => {
    const shop = uniqueShop('leave');
    const jar = await installShop(ctx.harness, shop);
    expect(
      (
        await saveSettings(ctx.harness, jar, 'ummah', {
          secretKey: ctx.sandbox.secretKey,
          brandId: ctx.sandbox.brandId,
        })
      ).status,
    ).toBe(200);
    expect(await offline(shop)).toBeDefined();
    expect((await send('app/uninstalled', shop)).status).toBe(200);
    expect(await offline(shop)).toBeUndefined();
    // An uninstalled shop takes no payments.
    const started = await ctx.harness.fake.startPaymentSession({
      shop,
      url: ctx.harness.app.urls.paymentSession,
      amount: '1.00',
      currency: 'MYR',
    });
    expect(started.status).toBe(503);
    expect((await send('shop/redact', shop)).status).toBe(200);
    const rows = await ctx.harness.app.ledger.connection.sqlite
      ?.prepare('SELECT * FROM tijara_shopify_shops WHERE shop = ?')
      .all(shop);
    expect(rows).toEqual([]);
  });
});

it('never writes a secret into the logs', () => {
  const logs = capturedLogs.join('\n');
  expect(logs.length).toBeGreaterThan(0);
  for (const secret of [API_SECRET, ctx.sandbox.secretKey]) expect(logs).not.toContain(secret);
  expect(logs).not.toMatch(/shpat_[0-9a-f]{32}/);
});
