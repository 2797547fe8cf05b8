import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Server } from 'node:http';
import type { RunningSandbox } from '@tijara/sandbox';
import { readmeExamples, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { startPaymentsApp } from '../examples/create-app.js';
import { outcomeOf, startCheckout, startLocalShopify } from '../examples/fake-shopify.js';
import type { FakeShopify, ShopifyPaymentsApp } from '../src/index.js';
import { makeTestPki } from './support/certs.js';
import {
  API_KEY,
  API_SECRET,
  BROWSER_UA,
  CookieJar,
  startTestSandbox,
  tempDir,
  uniqueShop,
} from './support/harness.js';
import { payOnSandbox, sandboxPurchase } from './support/sandbox-pay.js';

const packageDir = path.join(__dirname, '..');

it('shows every example file verbatim, and only examples', () => {
  const examples = readmeExamples(packageDir);
  const files = readdirSync(path.join(packageDir, 'examples')).map((name) => `examples/${name}`);
  expect(examples.map((e) => e.file).sort()).toEqual(files.sort());
  for (const example of examples) expect(example.block).toBe(example.source);
  const tsBlocks = readFileSync(path.join(packageDir, 'README.md'), 'utf8').match(/^```ts$/gm) ?? [];
  expect(tsBlocks).toHaveLength(examples.length);
});

it('lists every route of the app', () => {
  const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');
  for (const route of [
    '/payments/sessions/payment',
    '/payments/return/:shop/:id',
    '/payments/cancel/:shop/:id',
    '/payments/gateway/:shop',
    '/auth/callback',
    '/settings',
    '/webhooks',
  ]) {
    expect(readme).toContain(route);
  }
});

describe('the examples, behind a proxy that forwards Shopify’s certificate', () => {
  let sandbox: RunningSandbox;
  let fake: FakeShopify;
  let started: { app: ShopifyPaymentsApp; server: Server };
  let local: string;
  let proxy: LoopbackServer;
  const dir = tempDir();
  const pki = makeTestPki();
  const shop = uniqueShop('readme');
  const publicUrl = 'https://pay.example.test';
  /** What the proxy would do: send the public URL's requests to the app's local port. */
  const viaProxy = (url: string) => url.replace(publicUrl, local);

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    fake = await startLocalShopify(API_KEY, API_SECRET);
    writeFileSync(path.join(dir.path, 'ca.pem'), pki.caCert);
    started = await startPaymentsApp(
      {
        SHOPIFY_API_KEY: API_KEY,
        SHOPIFY_API_SECRET: API_SECRET,
        APP_URL: publicUrl,
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        DATABASE_URL: `sqlite:${path.join(dir.path, 'app.sqlite')}`,
        UMMAH_BASE_URL: sandbox.apiBase,
        SHOPIFY_CA_FILE: path.join(dir.path, 'ca.pem'),
        TRUSTED_PROXIES: '127.0.0.1',
        PORT: '0',
      },
      { fetch: fake.fetch },
    );
    local = `http://127.0.0.1:${(started.server.address() as { port: number }).port}`;
    proxy = await startProxy(local, pki.clientCert);
  });
  afterAll(async () => {
    await proxy?.close();
    started?.server.close();
    await started?.app.close();
    await fake?.close();
    await sandbox?.close();
    dir.remove();
  });

  it('installs, connects Ummah, takes a payment and resolves it', async () => {
    const jar = new CookieJar();
    const begin = await fetch(`${local}/auth?shop=${shop}`, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER_UA },
    });
    jar.take(begin);
    const granted = await fake.fetch(begin.headers.get('location') as string, { redirect: 'manual' });
    const callback = await fetch(viaProxy(granted.headers.get('location') as string), {
      redirect: 'manual',
      headers: { cookie: jar.header(), 'user-agent': BROWSER_UA },
    });
    jar.take(callback);
    expect(callback.status).toBe(303);
    const page = await (await fetch(`${local}/settings`, { headers: { cookie: jar.header() } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] as string;
    const saved = await fetch(`${local}/settings`, {
      method: 'POST',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        csrf,
        gateway: 'ummah',
        test_mode: 'on',
        'ummah.secretKey': sandbox.secretKey,
        'ummah.brandId': sandbox.brandId,
      }),
    });
    expect(saved.status).toBe(200);

    // Shopify → the proxy (which checked the certificate and forwards it) → the app.
    const { redirectUrl, gid } = await startCheckout(fake, `${proxy.url}/payments/sessions/payment`, shop);
    const purchaseId = await payOnSandbox(sandbox, redirectUrl);
    const back = await fetch(
      viaProxy(String((await sandboxPurchase(sandbox, purchaseId)).success_redirect)),
      { redirect: 'manual' },
    );
    expect(back.headers.get('location')).toMatch(/\/thank-you$/);
    expect(await outcomeOf(fake, gid)).toBe('paymentSessionResolve');
  });

  it('without the forwarded certificate, Shopify’s requests are refused', async () => {
    const direct = await fake.startPaymentSession({
      shop,
      url: `${local}/payments/sessions/payment`,
      amount: '1.00',
      currency: 'MYR',
    });
    expect(direct.status).toBe(401);
  });
});

/** A stand-in for nginx: forwards to the app and sets the client certificate header on every request. */
async function startProxy(target: string, clientCert: string): Promise<LoopbackServer> {
  return startLoopbackServer(async (request, response) => {
    const forwarded = await fetch(
      `${target}${request.path}${request.query.size ? `?${request.query}` : ''}`,
      {
        method: request.method,
        headers: {
          ...(Object.fromEntries(
            Object.entries(request.headers).filter(
              ([k, v]) => typeof v === 'string' && k !== 'host' && k !== 'content-length',
            ),
          ) as Record<string, string>),
          'x-client-cert': encodeURIComponent(clientCert),
        },
        ...(request.body.length > 0 ? { body: request.body } : {}),
        redirect: 'manual',
      },
    );
    response.writeHead(forwarded.status, Object.fromEntries(forwarded.headers));
    response.end(Buffer.from(await forwarded.arrayBuffer()));
  });
}
