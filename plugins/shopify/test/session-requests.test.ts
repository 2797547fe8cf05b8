import { UMMAH_CAPABILITIES, createUmmahDriver } from '@tijara/ummah';
import type { RunningSandbox } from '@tijara/sandbox';
import type { GatewayOption } from '../src/index.js';
import { metaOf, paymentKey } from '../src/records.js';
import {
  captureLogger,
  connectUmmahShop,
  eventually,
  installShop,
  saveSettings,
  startApp,
  startTestSandbox,
  ummahGateway,
  uniqueShop,
  type AppHarness,
} from './support/harness.js';

let sandbox: RunningSandbox;
let harness: AppHarness;
const shop = uniqueShop('requests');
const saleOnlyShop = uniqueShop('sale-only');
const liveShop = uniqueShop('live');

/** Ummah narrowed to automatic capture: a driver that cannot hold funds. */
function saleOnlyGateway(sandbox: RunningSandbox): GatewayOption {
  const capabilities = { ...UMMAH_CAPABILITIES, captureModes: ['automatic'] as const };
  return {
    ...ummahGateway(sandbox),
    name: 'ummah-sale-only',
    label: 'Ummah (sales only)',
    capabilities,
    createDriver: (credentials) =>
      createUmmahDriver({
        secretKey: credentials.secretKey as string,
        brandId: credentials.brandId as string,
        baseUrl: sandbox.apiBase,
        capabilities: { captureModes: ['automatic'] },
        logger: captureLogger('ummah'),
      }),
  };
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  harness = await startApp({ gateways: [ummahGateway(sandbox), saleOnlyGateway(sandbox)] });
  await connectUmmahShop(harness, sandbox, shop);
  const jar = await installShop(harness, saleOnlyShop);
  expect(
    (
      await saveSettings(harness, jar, 'ummah-sale-only', {
        secretKey: sandbox.secretKey,
        brandId: sandbox.brandId,
      })
    ).status,
  ).toBe(200);
  const live = await installShop(harness, liveShop);
  expect(
    (
      await saveSettings(
        harness,
        live,
        'ummah',
        { secretKey: sandbox.secretKey, brandId: sandbox.brandId },
        false,
      )
    ).status,
  ).toBe(200);
});
afterAll(async () => {
  await harness?.close();
  await sandbox?.close();
});

async function sandboxPurchases(
  reference: string,
): Promise<{ id: string; purchase: { total: number; currency: string } }[]> {
  const { results: all } = (await (await fetch(`${sandbox.url}/__sandbox/purchases`)).json()) as {
    results: {
      id: string;
      reference: string;
      purchase: { total: number; currency: string };
    }[];
  };
  return all.filter((p) => p.reference === reference);
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${harness.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'shopify-shop-domain': shop,
      'shopify-api-version': '2026-07',
      'shopify-request-id': 'req-1',
      ...headers,
    },
    body: JSON.stringify(body),
  });

describe('idempotent by Shopify’s id', () => {
  it('a repeated request answers the same redirect_url and creates one payment', async () => {
    const first = await harness.fake.startPaymentSession({
      shop,
      url: harness.app.urls.paymentSession,
      amount: '10.00',
      currency: 'MYR',
    });
    const again = await harness.fake.startPaymentSession({
      shop,
      url: harness.app.urls.paymentSession,
      amount: '10.00',
      currency: 'MYR',
      id: first.session.id,
    });
    expect(again.status).toBe(201);
    expect(again.redirectUrl).toBe(first.redirectUrl);
    expect(await sandboxPurchases(first.session.id)).toHaveLength(1);
  });

  it('concurrent copies of one request create one payment and answer alike', async () => {
    const id = `concurrent-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        harness.fake.startPaymentSession({
          shop,
          url: harness.app.urls.paymentSession,
          amount: '12.34',
          currency: 'MYR',
          id,
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.redirectUrl)).size).toBe(1);
    const purchases = await sandboxPurchases(id);
    expect(purchases).toHaveLength(1);
    expect(purchases[0]?.purchase.total).toBe(1234);
  });

  it('the same id with other terms is refused, and nothing changes', async () => {
    const first = await harness.fake.startPaymentSession({
      shop,
      url: harness.app.urls.paymentSession,
      amount: '10.00',
      currency: 'MYR',
    });
    const changed = await harness.fake.startPaymentSession({
      shop,
      url: harness.app.urls.paymentSession,
      amount: '11.00',
      currency: 'MYR',
      id: first.session.id,
    });
    expect(changed.status).toBe(400);
    expect(changed.json).toMatchObject({ error: 'idempotency_mismatch' });
    expect((await harness.app.ledger.payments.get(paymentKey(shop, first.session.id)))?.amount).toBe(1000);
  });
});

describe('amounts: decimal strings to minor units by the currency’s exponent', () => {
  it.each([
    ['KWD', '12.345', 12345],
    ['JPY', '1500', 1500],
    ['USD', '0.50', 50],
    ['BHD', '1.5', 1500],
  ])('%s %s → %i', async (currency, amount, minor) => {
    const started = await harness.fake.startPaymentSession({
      shop,
      url: harness.app.urls.paymentSession,
      amount,
      currency,
    });
    expect(started.status).toBe(201);
    expect((await harness.app.ledger.payments.get(paymentKey(shop, started.session.id)))?.amount).toBe(minor);
    expect((await sandboxPurchases(started.session.id))[0]?.purchase).toMatchObject({
      total: minor,
      currency,
    });
  });

  it.each([
    ['1.005', 'USD', /more precision than USD/],
    ['0.00', 'USD', /greater than zero/],
    ['10', 'XXY', /currency/i],
  ])('refuses %s %s before anything is recorded', async (amount, currency, message) => {
    const started = await harness.fake.startPaymentSession({
      shop,
      url: harness.app.urls.paymentSession,
      amount,
      currency,
    });
    expect(started.status).toBe(400);
    expect(JSON.stringify(started.json)).toMatch(message);
    expect(await harness.app.ledger.payments.get(paymentKey(shop, started.session.id))).toBeUndefined();
    expect(await sandboxPurchases(started.session.id)).toEqual([]);
  });
});

describe('validation', () => {
  const valid = {
    id: 'v-1',
    gid: 'gid://shopify/PaymentSession/v-1',
    amount: '5.00',
    currency: 'MYR',
    test: true,
    proposed_at: new Date().toISOString(),
    kind: 'sale',
    payment_method: { type: 'offsite', data: { cancel_url: 'https://x.myshopify.com/c' } },
  };

  it('names every bad field: cancel_url must sit under payment_method.data, amounts are strings', async () => {
    const response = await post(harness.app.urls.paymentSession.replace(harness.url, ''), {
      ...valid,
      amount: 5,
      cancel_url: 'https://x.myshopify.com/c',
      payment_method: { type: 'offsite', data: {} },
      kind: 'refund',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { details: Record<string, string[]> };
    expect(Object.keys(body.details).sort()).toEqual(['amount', 'kind', 'payment_method.data.cancel_url']);
  });

  it('refuses a request without Shopify’s headers, and a body that is not JSON', async () => {
    const path = harness.app.urls.paymentSession.replace(harness.url, '');
    const noHeaders = await fetch(`${harness.url}${path}`, { method: 'POST', body: JSON.stringify(valid) });
    expect(noHeaders.status).toBe(400);
    expect(await noHeaders.json()).toMatchObject({ error: 'missing_header' });
    expect((await post(path, 'not json')).status).toBe(400);
    expect((await post(path, valid, { 'shopify-shop-domain': 'evil.example.com' })).status).toBe(400);
  });

  it('answers a shop that has not connected a gateway with a non-2xx', async () => {
    const response = await post(harness.app.urls.paymentSession.replace(harness.url, ''), valid, {
      'shopify-shop-domain': uniqueShop('unknown'),
    });
    expect(response.status).toBe(503);
  });

  it('GET on a session endpoint is 405', async () => {
    expect((await fetch(harness.app.urls.refundSession)).status).toBe(405);
  });
});

describe('refusals decided by capabilities and settings, sent after Shopify has the answer', () => {
  it('kind authorization on a gateway that cannot hold funds → INVALID_PURCHASE_TYPE', async () => {
    const started = await harness.fake.startPaymentSession({
      shop: saleOnlyShop,
      url: harness.app.urls.paymentSession,
      amount: '20.00',
      currency: 'MYR',
      kind: 'authorization',
    });
    expect(started.status).toBe(201);
    // The buyer is sent to the app's return route, which forwards them to Shopify's page once rejected.
    expect(started.redirectUrl).toContain('/payments/return/');
    await harness.fake.waitForMutations(() =>
      harness.fake.mutationsFor(started.session.gid).some((m) => m.accepted),
    );
    const [reject] = harness.fake.mutationsFor(started.session.gid);
    expect(reject).toMatchObject({ name: 'paymentSessionReject', accepted: true });
    expect(reject?.variables.reason).toMatchObject({
      code: 'INVALID_PURCHASE_TYPE',
      merchantMessage: expect.stringMatching(/cannot hold funds/),
    });
    expect(await sandboxPurchases(started.session.id)).toEqual([]);
    const back = await fetch(started.redirectUrl as string, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toMatch(/\/payment-failed$/);
  });

  it('a sale on the same gateway goes through', async () => {
    const started = await harness.fake.startPaymentSession({
      shop: saleOnlyShop,
      url: harness.app.urls.paymentSession,
      amount: '20.00',
      currency: 'MYR',
    });
    expect(started.redirectUrl).toMatch(/\/checkout\//);
  });

  it('a test payment on live credentials is rejected, never charged', async () => {
    const started = await harness.fake.startPaymentSession({
      shop: liveShop,
      url: harness.app.urls.paymentSession,
      amount: '20.00',
      currency: 'MYR',
      test: true,
    });
    expect(started.status).toBe(201);
    await harness.fake.waitForMutations(() =>
      harness.fake.mutationsFor(started.session.gid).some((m) => m.accepted),
    );
    expect(harness.fake.mutationsFor(started.session.gid)[0]?.variables.reason).toMatchObject({
      code: 'PROCESSING_ERROR',
    });
    expect(await sandboxPurchases(started.session.id)).toEqual([]);
    const record = await eventually(() =>
      harness.app.ledger.payments.get(paymentKey(liveShop, started.session.id)),
    );
    expect(metaOf(record).shopify).toBe('rejected');
  });
});
