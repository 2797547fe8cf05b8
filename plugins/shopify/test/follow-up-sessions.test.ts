import type { SessionRequestResult } from '../src/testing/fake-shopify.js';
import { useUmmahApp } from './support/harness.js';
import { payOnSandbox, sandboxPurchase } from './support/sandbox-pay.js';

const ctx = useUmmahApp('follow');

/** A payment session paid on the ctx.sandbox and resolved with Shopify. */
async function paidSession(
  kind: 'sale' | 'authorization',
  amount = '100.00',
): Promise<{ started: SessionRequestResult; purchaseId: string }> {
  const started = await ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount,
    currency: 'MYR',
    kind,
  });
  const purchaseId = await payOnSandbox(ctx.sandbox, started.redirectUrl as string);
  await ctx.sandbox.settle();
  await ctx.harness.fake.waitForMutations(
    () => ctx.harness.fake.session('payment', started.session.id)?.state === 'resolved',
  );
  return { started, purchaseId };
}

const accepted = (gid: string) =>
  ctx.harness.fake
    .mutationsFor(gid)
    .filter((m) => m.accepted)
    .map((m) => m.name);
const settledMutation = (gid: string) => ctx.harness.fake.waitForMutations(() => accepted(gid).length > 0);

it('an authorization is resolved with its expiry, then captured by a capture session', async () => {
  const { started, purchaseId } = await paidSession('authorization');
  const resolve = ctx.harness.fake.mutationsFor(started.session.gid)[0];
  expect(resolve?.name).toBe('paymentSessionResolve');
  const expires = Date.parse(String(resolve?.variables.authorizationExpiresAt));
  expect(expires).toBeGreaterThan(Date.now() + 6 * 86_400_000);
  expect((await sandboxPurchase(ctx.sandbox, purchaseId)).status).toBe('hold');

  const capture = await ctx.harness.fake.startCaptureSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.captureSession,
    paymentId: started.session.id,
  });
  expect(capture.status).toBe(201);
  expect(capture.body).toBe('');
  await settledMutation(capture.session.gid);
  expect(accepted(capture.session.gid)).toEqual(['captureSessionResolve']);
  expect((await sandboxPurchase(ctx.sandbox, purchaseId)).status).toBe('paid');
  // Shopify retries the same capture: nothing more happens at the gateway or with Shopify.
  const again = await ctx.harness.fake.startCaptureSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.captureSession,
    paymentId: started.session.id,
    id: capture.session.id,
  });
  expect(again.status).toBe(201);
  await ctx.harness.app.deliverDue();
  expect(ctx.harness.fake.mutationsFor(capture.session.gid)).toHaveLength(1);
});

it('a partial capture captures that amount', async () => {
  const { started, purchaseId } = await paidSession('authorization', '80.00');
  const capture = await ctx.harness.fake.startCaptureSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.captureSession,
    paymentId: started.session.id,
    amount: '30.00',
  });
  await settledMutation(capture.session.gid);
  expect(accepted(capture.session.gid)).toEqual(['captureSessionResolve']);
  const purchase = await sandboxPurchase(ctx.sandbox, purchaseId);
  expect(purchase.payment).toMatchObject({ amount: 3000 });
});

it('a void session releases the hold; a capture after it is rejected', async () => {
  const { started, purchaseId } = await paidSession('authorization', '40.00');
  const voided = await ctx.harness.fake.startVoidSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.voidSession,
    paymentId: started.session.id,
  });
  expect(voided.status).toBe(201);
  await settledMutation(voided.session.gid);
  expect(accepted(voided.session.gid)).toEqual(['voidSessionResolve']);
  expect((await sandboxPurchase(ctx.sandbox, purchaseId)).status).toBe('released');

  const late = await ctx.harness.fake.startCaptureSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.captureSession,
    paymentId: started.session.id,
  });
  await settledMutation(late.session.gid);
  const [reject] = ctx.harness.fake.mutationsFor(late.session.gid);
  expect(reject).toMatchObject({ name: 'captureSessionReject', accepted: true });
  expect(reject?.variables.reason).toMatchObject({
    code: expect.stringMatching(/^(AUTHORIZATION_EXPIRED|PROCESSING_ERROR)$/),
  });
});

it('refund sessions refund at the gateway once each, and one beyond what is left is rejected', async () => {
  const { started, purchaseId } = await paidSession('sale', '50.00');
  const first = await ctx.harness.fake.startRefundSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.refundSession,
    paymentId: started.session.id,
    amount: '20.00',
  });
  expect(first.status).toBe(201);
  expect(first.body).toBe('');
  await settledMutation(first.session.gid);
  expect(accepted(first.session.gid)).toEqual(['refundSessionResolve']);
  // Shopify's retry of the same refund session: the same refund, not a second one.
  await ctx.harness.fake.startRefundSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.refundSession,
    paymentId: started.session.id,
    amount: '20.00',
    id: first.session.id,
  });
  await ctx.harness.app.deliverDue();
  expect((await sandboxPurchase(ctx.sandbox, purchaseId)).refundable_amount).toBe(3000);

  const tooMuch = await ctx.harness.fake.startRefundSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.refundSession,
    paymentId: started.session.id,
    amount: '30.01',
  });
  await settledMutation(tooMuch.session.gid);
  expect(ctx.harness.fake.mutationsFor(tooMuch.session.gid)[0]).toMatchObject({
    name: 'refundSessionReject',
    accepted: true,
  });
  expect((await sandboxPurchase(ctx.sandbox, purchaseId)).refundable_amount).toBe(3000);

  const rest = await ctx.harness.fake.startRefundSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.refundSession,
    paymentId: started.session.id,
    amount: '30.00',
  });
  await settledMutation(rest.session.gid);
  expect(accepted(rest.session.gid)).toEqual(['refundSessionResolve']);
  expect((await sandboxPurchase(ctx.sandbox, purchaseId)).status).toBe('refunded');
});

it('a refund for a payment the app does not know is rejected', async () => {
  const unknown = await ctx.harness.fake.startRefundSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.refundSession,
    paymentId: 'never-seen',
    amount: '1.00',
    currency: 'MYR',
  });
  expect(unknown.status).toBe(201);
  await settledMutation(unknown.session.gid);
  expect(ctx.harness.fake.mutationsFor(unknown.session.gid)[0]).toMatchObject({
    name: 'refundSessionReject',
    accepted: true,
  });
});
