/**
 * Shopify must receive every outcome: mutations are retried through the ledger's durable outbox until Shopify
 * takes them, exactly once per outcome, and a person is alerted when they cannot be delivered or Shopify disagrees.
 */
import { createPaymentsApiClient } from '../src/index.js';
import { metaOf, paymentKey } from '../src/records.js';
import { eventually, useUmmahApp } from './support/harness.js';
import { payOnSandbox, sandboxPurchase } from './support/sandbox-pay.js';

const ctx = useUmmahApp('outbox', {
  outbox: { baseDelayMs: 30, maxDelayMs: 100, pollIntervalMs: 40, leaseMs: 5_000, maxAttempts: 8 },
});

it('Shopify failing five times (throttled, 5xx, 429, userErrors) — the outbox still delivers, once', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '25.00',
    currency: 'MYR',
  });
  ctx.harness.fake.failNext(2, 'throttled');
  ctx.harness.fake.failNext(1, 'server_error');
  ctx.harness.fake.failNext(1, 'rate_limited');
  ctx.harness.fake.failNext(1, 'user_errors');
  await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
  await ctx.sandbox.settle();
  await ctx.harness.fake.waitForMutations(() =>
    ctx.harness.fake.mutationsFor(started.session.gid).some((m) => m.accepted),
  );
  const seen = ctx.harness.fake.mutationsFor(started.session.gid);
  expect(seen.map((m) => m.accepted)).toEqual([false, false, false, false, false, true]);
  expect(seen.every((m) => m.name === 'paymentSessionResolve')).toBe(true);
  // Nothing more is sent once Shopify has it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await ctx.harness.app.deliverDue();
  expect(ctx.harness.fake.mutationsFor(started.session.gid)).toHaveLength(6);
  expect(ctx.harness.alerts).toEqual([]);
  const record = await eventually(async () => {
    const r = await ctx.harness.app.ledger.payments.get(paymentKey(ctx.shop, started.session.id));
    return r && metaOf(r).shopify === 'resolved' ? r : undefined;
  });
  expect(metaOf(record).shopifyRedirectUrl).toMatch(/\/thank-you$/);
});

it('the buyer returning while Shopify is down sees a page that waits, then lands on Shopify’s page', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '26.00',
    currency: 'MYR',
  });
  ctx.harness.fake.failNext(1_000, 'server_error');
  const purchaseId = await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
  // Where the gateway sends the buyer back: the app's signed return link.
  const returnUrl = String((await sandboxPurchase(ctx.sandbox, purchaseId)).success_redirect);
  const back = await fetch(returnUrl, { redirect: 'manual' });
  expect(back.status).toBe(200);
  expect(await back.text()).toContain('Finishing your payment');
  ctx.harness.fake.clearFailures();
  const later = await eventually(async () => {
    const response = await fetch(returnUrl, { redirect: 'manual' });
    return response.status === 303 ? response : undefined;
  });
  expect(later.headers.get('location')).toMatch(/\/thank-you$/);
  expect(ctx.harness.fake.mutationsFor(started.session.gid).filter((m) => m.accepted)).toHaveLength(1);
});

it('a return link that the app did not sign is refused without calling the gateway', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '26.50',
    currency: 'MYR',
  });
  const forged = await fetch(`${ctx.harness.app.urls.return}/${ctx.shop}/${started.session.id}?t=forged`, {
    redirect: 'manual',
  });
  expect(forged.status).toBe(404);
  expect(ctx.harness.fake.mutationsFor(started.session.gid)).toEqual([]);
});

it('a mutation Shopify never takes is set aside after its attempts and the alert hook runs', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '27.00',
    currency: 'MYR',
  });
  ctx.harness.fake.failNext(1_000, 'throttled');
  await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
  await ctx.sandbox.settle();
  const alert = await eventually(() => ctx.harness.alerts.find((a) => a.type === 'outbox_exhausted'), 20_000);
  expect(alert).toMatchObject({ type: 'outbox_exhausted', shop: ctx.shop, topic: 'shopify.mutation' });
  ctx.harness.fake.clearFailures();
  expect(ctx.harness.fake.mutationsFor(started.session.gid).filter((m) => m.accepted)).toEqual([]);
});

it('Shopify already decided otherwise: no endless retry, an alert instead', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '28.00',
    currency: 'MYR',
  });
  // Someone else rejected the session at Shopify (another app instance with an old bug, a support agent).
  const token = ctx.harness.fake.accessToken(ctx.shop) as string;
  const client = createPaymentsApiClient({
    shop: ctx.shop,
    accessToken: token,
    apiVersion: '2026-07',
    fetch: ctx.harness.fake.fetch,
  });
  await client.mutate('paymentSessionReject', {
    id: started.session.gid,
    reason: { code: 'PROCESSING_ERROR' },
  });
  await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
  await ctx.sandbox.settle();
  const alert = await eventually(() => ctx.harness.alerts.find((a) => a.type === 'mutation_conflict'));
  expect(alert).toMatchObject({
    shop: ctx.shop,
    gid: started.session.gid,
    mutation: 'paymentSessionResolve',
    shopifyState: 'REJECTED',
  });
});
