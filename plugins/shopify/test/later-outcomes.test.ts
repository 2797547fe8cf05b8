/**
 * Outcomes that come later: a payment still processing when the buyer returns (Shopify hears "pending", then the
 * real outcome), a webhook that never arrives (the sweep re-reads the gateway), a refund the gateway takes its time
 * over (retried until final, then resolved).
 */
import { useUmmahApp } from './support/harness.js';
import { payOnSandbox, sandboxPurchase } from './support/sandbox-pay.js';

const ctx = useUmmahApp('later', { reconcile: { intervalMs: 3_600_000, minAgeMs: 0 } });

const control = (path: string, body: unknown) =>
  fetch(`${ctx.sandbox.url}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => {
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json();
  });

const purchaseIdOf = (checkoutUrl: string) => /\/checkout\/([^/]+)\//.exec(checkoutUrl)?.[1] as string;

it('still processing when the buyer returns → pending, then resolved when the gateway decides', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '61.00',
    currency: 'MYR',
  });
  const purchaseId = purchaseIdOf(started.redirectUrl as string);
  await control(`ummah/purchases/${purchaseId}/delay`, { action: 'execute', seconds: 60 });
  await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
  const returnUrl = String((await sandboxPurchase(ctx.sandbox, purchaseId)).success_redirect);
  const back = await fetch(returnUrl, { redirect: 'manual' });
  expect(back.status).toBe(303);
  expect(back.headers.get('location')).toMatch(/\/processing$/);
  expect(ctx.harness.fake.session('payment', started.session.id)?.state).toBe('pending');
  const pending = ctx.harness.fake.mutationsFor(started.session.gid)[0];
  expect(pending).toMatchObject({
    name: 'paymentSessionPending',
    accepted: true,
    variables: { reason: 'PARTNER_ACTION_REQUIRED' },
  });

  await control('clock/advance', { seconds: 61 });
  await ctx.sandbox.settle();
  await ctx.harness.fake.waitForMutations(
    () => ctx.harness.fake.session('payment', started.session.id)?.state === 'resolved',
  );
  expect(
    ctx.harness.fake
      .mutationsFor(started.session.gid)
      .filter((m) => m.accepted)
      .map((m) => m.name),
  ).toEqual(['paymentSessionPending', 'paymentSessionResolve']);
});

it('a webhook that never arrives and a buyer who never returns: the sweep settles it', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '62.00',
    currency: 'MYR',
  });
  await control('faults', { scope: 'webhooks', type: 'drop', target: 'success_callback', count: 1_000 });
  try {
    await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
    expect(ctx.harness.fake.mutationsFor(started.session.gid)).toEqual([]);
    expect(await ctx.harness.app.sweep()).toBeGreaterThanOrEqual(1);
  } finally {
    await control('faults', { clear: true });
  }
  await ctx.harness.fake.waitForMutations(
    () => ctx.harness.fake.session('payment', started.session.id)?.state === 'resolved',
  );
  expect(ctx.harness.fake.mutationsFor(started.session.gid).map((m) => m.name)).toEqual([
    'paymentSessionResolve',
  ]);
});

it('a refund the gateway keeps pending is retried until it is final, then resolved', async () => {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount: '63.00',
    currency: 'MYR',
  });
  const purchaseId = await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
  await ctx.sandbox.settle();
  await ctx.harness.fake.waitForMutations(
    () => ctx.harness.fake.session('payment', started.session.id)?.state === 'resolved',
  );
  await control(`ummah/purchases/${purchaseId}/delay`, { action: 'refund', seconds: 30 });
  const refund = await ctx.harness.fake.startRefundSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.refundSession,
    paymentId: started.session.id,
    amount: '63.00',
  });
  expect(refund.status).toBe(201);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(ctx.harness.fake.mutationsFor(refund.session.gid)).toEqual([]);
  await control('clock/advance', { seconds: 31 });
  await ctx.harness.fake.waitForMutations(() =>
    ctx.harness.fake.mutationsFor(refund.session.gid).some((m) => m.accepted),
  );
  expect(ctx.harness.fake.mutationsFor(refund.session.gid).map((m) => m.name)).toEqual([
    'refundSessionResolve',
  ]);
  expect((await sandboxPurchase(ctx.sandbox, purchaseId)).status).toBe('refunded');
});
