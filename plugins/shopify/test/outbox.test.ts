/**
 * Shopify must receive every outcome: mutations are retried through the ledger's durable outbox until Shopify
 * takes them, exactly once per outcome, and a person is alerted when they cannot be delivered or Shopify disagrees.
 */
import type { RunningSandbox } from '@tijara/sandbox';
import { createPaymentsApiClient } from '../src/index.js';
import { metaOf, paymentKey } from '../src/records.js';
import {
  connectUmmahShop,
  eventually,
  startApp,
  startTestSandbox,
  ummahGateway,
  uniqueShop,
  type AppHarness,
} from './support/harness.js';
import { payOnSandbox, sandboxPurchase } from './support/sandbox-pay.js';

let sandbox: RunningSandbox;
let harness: AppHarness;
const shop = uniqueShop('outbox');

beforeAll(async () => {
  sandbox = await startTestSandbox();
  harness = await startApp({
    gateways: [ummahGateway(sandbox)],
    options: {
      outbox: { baseDelayMs: 30, maxDelayMs: 100, pollIntervalMs: 40, leaseMs: 5_000, maxAttempts: 8 },
    },
  });
  await connectUmmahShop(harness, sandbox, shop);
});
afterAll(async () => {
  await harness?.close();
  await sandbox?.close();
});

it('Shopify failing five times (throttled, 5xx, 429, userErrors) — the outbox still delivers, once', async () => {
  const started = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '25.00',
    currency: 'MYR',
  });
  harness.fake.failNext(2, 'throttled');
  harness.fake.failNext(1, 'server_error');
  harness.fake.failNext(1, 'rate_limited');
  harness.fake.failNext(1, 'user_errors');
  await payOnSandbox(sandbox, started.redirectUrl as string);
  await sandbox.settle();
  await harness.fake.waitForMutations(() =>
    harness.fake.mutationsFor(started.session.gid).some((m) => m.accepted),
  );
  const seen = harness.fake.mutationsFor(started.session.gid);
  expect(seen.map((m) => m.accepted)).toEqual([false, false, false, false, false, true]);
  expect(seen.every((m) => m.name === 'paymentSessionResolve')).toBe(true);
  // Nothing more is sent once Shopify has it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await harness.app.deliverDue();
  expect(harness.fake.mutationsFor(started.session.gid)).toHaveLength(6);
  expect(harness.alerts).toEqual([]);
  const record = await eventually(async () => {
    const r = await harness.app.ledger.payments.get(paymentKey(shop, started.session.id));
    return r && metaOf(r).shopify === 'resolved' ? r : undefined;
  });
  expect(metaOf(record).shopifyRedirectUrl).toMatch(/\/thank-you$/);
});

it('the buyer returning while Shopify is down sees a page that waits, then lands on Shopify’s page', async () => {
  const started = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '26.00',
    currency: 'MYR',
  });
  harness.fake.failNext(1_000, 'server_error');
  const purchaseId = await payOnSandbox(sandbox, started.redirectUrl as string);
  // Where the gateway sends the buyer back: the app's signed return link.
  const returnUrl = String((await sandboxPurchase(sandbox, purchaseId)).success_redirect);
  const back = await fetch(returnUrl, { redirect: 'manual' });
  expect(back.status).toBe(200);
  expect(await back.text()).toContain('Finishing your payment');
  harness.fake.clearFailures();
  const later = await eventually(async () => {
    const response = await fetch(returnUrl, { redirect: 'manual' });
    return response.status === 303 ? response : undefined;
  });
  expect(later.headers.get('location')).toMatch(/\/thank-you$/);
  expect(harness.fake.mutationsFor(started.session.gid).filter((m) => m.accepted)).toHaveLength(1);
});

it('a return link that the app did not sign is refused without calling the gateway', async () => {
  const started = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '26.50',
    currency: 'MYR',
  });
  const forged = await fetch(`${harness.app.urls.return}/${shop}/${started.session.id}?t=forged`, {
    redirect: 'manual',
  });
  expect(forged.status).toBe(404);
  expect(harness.fake.mutationsFor(started.session.gid)).toEqual([]);
});

it('a mutation Shopify never takes is set aside after its attempts and the alert hook runs', async () => {
  const started = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '27.00',
    currency: 'MYR',
  });
  harness.fake.failNext(1_000, 'throttled');
  await payOnSandbox(sandbox, started.redirectUrl as string);
  await sandbox.settle();
  const alert = await eventually(() => harness.alerts.find((a) => a.type === 'outbox_exhausted'), 20_000);
  expect(alert).toMatchObject({ type: 'outbox_exhausted', shop, topic: 'shopify.mutation' });
  harness.fake.clearFailures();
  expect(harness.fake.mutationsFor(started.session.gid).filter((m) => m.accepted)).toEqual([]);
});

it('Shopify already decided otherwise: no endless retry, an alert instead', async () => {
  const started = await harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount: '28.00',
    currency: 'MYR',
  });
  // Someone else rejected the session at Shopify (another app instance with an old bug, a support agent).
  const token = harness.fake.accessToken(shop) as string;
  const client = createPaymentsApiClient({
    shop,
    accessToken: token,
    apiVersion: '2026-07',
    fetch: harness.fake.fetch,
  });
  await client.mutate('paymentSessionReject', {
    id: started.session.gid,
    reason: { code: 'PROCESSING_ERROR' },
  });
  await payOnSandbox(sandbox, started.redirectUrl as string);
  await sandbox.settle();
  const alert = await eventually(() => harness.alerts.find((a) => a.type === 'mutation_conflict'));
  expect(alert).toMatchObject({
    shop,
    gid: started.session.gid,
    mutation: 'paymentSessionResolve',
    shopifyState: 'REJECTED',
  });
});
