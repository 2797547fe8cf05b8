/**
 * Behavioural scenarios of the Postpay driver, written once and run against any HTTP target that behaves like
 * Postpay: the recorded exchanges (scenarios-fixtures.test.ts) and the live sandbox emulator
 * (tools/sandbox/test/postpay-driver-scenarios.test.ts, which imports this module by path).
 *
 * A target is small on purpose:
 * - `baseUrl`, `merchantId`, `secretKey`: where and as whom the driver talks.
 * - `buyer(redirectUrl, action)`: the buyer approves, is denied or cancels on the hosted checkout the redirect
 *   leads to; resolves with the URL Postpay sends the buyer back to (`confirmation_url`/`cancel_url` with
 *   `order_id` and `status`). A replaying target answers what was recorded.
 * - `expireApproval(orderId)`: let an approval lapse uncaptured (the sandbox moves its clock).
 * - `loseNextAnswer(method, path)`: the gateway acts on the next such request but the answer never arrives.
 * - `hookSecret`, `hookUrl`, `signedHook(orderId, status)`: the secret of the hooks scenarios create, where they
 *   deliver, and the signed delivery sent for an order's status (raw bytes and headers, unchanged).
 * - `begin(scenario)` / `end(scenario)`: around each scenario; a replaying target loads and checks the recording,
 *   the sandbox target checks that it answered the same requests with the same statuses.
 *
 * Amounts, references and idempotency keys are fixed, so order ids are the same on every target.
 */
import { describe, expect, it } from '@jest/globals';
import {
  CardError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  TijaraError,
  type CreatePaymentInput,
} from '@tijara/core';
import { createPostpayDriver, type PostpayDriver } from '@tijara/postpay';

/**
 * What the buyer does on the hosted checkout: approve (a test card from seed 003), approve with the card whose
 * instalment payment the sandbox declines at capture, be denied, or cancel.
 */
export type BuyerAction = 'approve' | 'approve-capture-declines' | 'deny' | 'cancel';

export interface SignedDelivery {
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface PostpayScenarioTarget {
  readonly baseUrl: string;
  readonly merchantId: string;
  readonly secretKey: string;
  readonly hookSecret: string;
  readonly hookUrl: string;
  buyer(redirectUrl: string, action: BuyerAction): Promise<string>;
  expireApproval(orderId: string): Promise<void>;
  loseNextAnswer(method: 'POST', path: string): Promise<void>;
  signedHook(orderId: string, status: string): Promise<SignedDelivery>;
  begin?(scenario: string): Promise<void>;
  end?(scenario: string): Promise<void>;
}

const SCENARIO_TIMEOUT_MS = 30_000;

export const RETURN_URLS = {
  success: 'https://shop.example/postpay/return',
  failure: 'https://shop.example/postpay/failed',
  cancel: 'https://shop.example/postpay/cancel',
} as const;

export function order(
  reference: string,
  amount: number,
  extra: Partial<CreatePaymentInput> = {},
): CreatePaymentInput {
  return {
    amount,
    currency: 'AED',
    reference,
    taxAmount: Math.round(amount / 21),
    customer: {
      email: 'aisha@example.ae',
      name: 'Aisha Rahman',
      phone: '+971 50 123 4567',
      shippingAddress: { line1: 'Al Wasl Road 12', city: 'Dubai', country: 'AE' },
    },
    lineItems: [
      {
        name: 'Oud candle',
        price: amount - Math.round(amount / 21),
        quantity: 1,
        reference: 'sku-oud',
        url: 'https://shop.example/oud',
      },
    ],
    capture: 'automatic',
    returnUrls: RETURN_URLS,
    ...extra,
  };
}

async function rejection(promise: Promise<unknown>): Promise<TijaraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TijaraError);
  return error as TijaraError;
}

/** The query the buyer brings back from a return URL. */
function returnQuery(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

export function definePostpayDriverScenarios(getTarget: () => PostpayScenarioTarget): void {
  function driverFor(target: PostpayScenarioTarget): PostpayDriver {
    return createPostpayDriver({
      merchantId: target.merchantId,
      secretKey: target.secretKey,
      baseUrl: target.baseUrl,
      webhooks: { secrets: [target.hookSecret] },
      backoffBaseMs: 10,
      jitterMs: 5,
    });
  }

  function scenario(
    name: string,
    body: (driver: PostpayDriver, target: PostpayScenarioTarget) => Promise<void>,
  ) {
    it(
      name,
      async () => {
        const target = getTarget();
        await target.begin?.(name);
        await body(driverFor(target), target);
        await target.end?.(name);
      },
      SCENARIO_TIMEOUT_MS,
    );
  }

  /** A checkout the buyer approved, resolved from the return as the store would. */
  async function approved(
    driver: PostpayDriver,
    target: PostpayScenarioTarget,
    reference: string,
    amount: number,
    action: BuyerAction = 'approve',
  ) {
    const created = await driver.createPayment(order(reference, amount), {
      idempotencyKey: `attempt-${reference}`,
    });
    const back = await target.buyer((created.nextAction as { url: string }).url, action);
    const resolution = await driver.resolveReturn({ query: returnQuery(back) });
    return { created, back, resolution };
  }

  describe('Postpay driver scenarios', () => {
    scenario('approve-and-capture', async (driver, target) => {
      const created = await driver.createPayment(order('cart-2001', 21000), {
        idempotencyKey: 'attempt-cart-2001',
      });
      expect(created).toMatchObject({
        status: 'pending',
        amount: 21000,
        currency: 'AED',
        reference: 'cart-2001',
        testMode: true,
        nextAction: { type: 'redirect', method: 'GET', url: expect.stringMatching(/^https?:\/\//) },
      });
      expect(created.id).toMatch(/^cart-2001-[0-9a-f]{12}$/);

      const back = await target.buyer((created.nextAction as { url: string }).url, 'approve');
      expect(back.startsWith(`${RETURN_URLS.success}?`)).toBe(true);
      expect(returnQuery(back)).toEqual({ order_id: created.id, status: 'APPROVED' });

      const resolution = await driver.resolveReturn({ query: returnQuery(back) });
      expect(resolution.claimed).toBe('approved');
      expect(resolution.payment).toMatchObject({
        id: created.id,
        status: 'authorized',
        rawStatus: 'approved',
        capturedAmount: 0,
        reference: 'cart-2001',
      });

      const captured = await driver.capture(created.id);
      expect(captured).toMatchObject({
        status: 'paid',
        rawStatus: 'captured',
        amount: 21000,
        capturedAmount: 21000,
        refundableAmount: 21000,
      });
      // Already done is success: Postpay's 409 invalid_status on a captured order answers the captured order.
      expect(await driver.capture(created.id)).toMatchObject({ status: 'paid', capturedAmount: 21000 });
    });

    scenario('denied', async (driver, target) => {
      const created = await driver.createPayment(order('cart-2002', 5000), {
        idempotencyKey: 'attempt-cart-2002',
      });
      const back = await target.buyer((created.nextAction as { url: string }).url, 'deny');
      expect(back.startsWith(`${RETURN_URLS.cancel}?`)).toBe(true);
      const resolution = await driver.resolveReturn({ query: returnQuery(back), paymentId: created.id });
      expect(resolution).toMatchObject({
        claimed: 'declined',
        payment: { status: 'failed', rawStatus: 'denied' },
      });
      const error = await rejection(driver.capture(created.id));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.code).toBe('invalid_status');
    });

    scenario('cancelled', async (driver, target) => {
      const created = await driver.createPayment(order('cart-2003', 5000), {
        idempotencyKey: 'attempt-cart-2003',
      });
      const back = await target.buyer((created.nextAction as { url: string }).url, 'cancel');
      expect(returnQuery(back)).toEqual({ order_id: created.id, status: 'CANCELLED' });
      const resolution = await driver.resolveReturn({ query: returnQuery(back) });
      expect(resolution).toMatchObject({
        claimed: 'canceled',
        payment: { status: 'canceled', rawStatus: 'cancelled', capturedAmount: 0 },
      });
    });

    scenario('refunds', async (driver, target) => {
      const { created } = await approved(driver, target, 'cart-2004', 42000);
      await driver.capture(created.id);

      const first = await driver.refund(created.id, {
        amount: 12050,
        reference: 'return-2004-1',
        reason: 'Item returned',
      });
      expect(first).toEqual({
        id: 'return-2004-1',
        paymentId: created.id,
        amount: 12050,
        currency: 'AED',
        status: 'succeeded',
        reference: 'return-2004-1',
        raw: expect.objectContaining({ refund_id: 'return-2004-1', full: false }),
      });
      expect(await driver.retrievePayment(created.id)).toMatchObject({
        status: 'partially_refunded',
        refundedAmount: 12050,
        refundableAmount: 29950,
      });

      // The same refund again (a retry): Postpay's 409 conflict on the id answers the first refund.
      expect(await driver.refund(created.id, { amount: 12050, reference: 'return-2004-1' })).toMatchObject({
        id: 'return-2004-1',
        amount: 12050,
      });
      // The id reused for another amount is a real conflict.
      const reused = await rejection(driver.refund(created.id, { amount: 100, reference: 'return-2004-1' }));
      expect(reused).toBeInstanceOf(ConflictError);

      const rest = await driver.refund(created.id, undefined, { idempotencyKey: 'refund-rest-2004' });
      expect(rest).toMatchObject({
        id: 'refund-rest-2004',
        amount: 29950,
        raw: expect.objectContaining({ full: true }),
      });
      expect(await driver.retrievePayment(created.id)).toMatchObject({
        status: 'refunded',
        refundedAmount: 42000,
        refundableAmount: 0,
      });

      const over = await rejection(driver.refund(created.id, { amount: 1, reference: 'return-2004-3' }));
      expect(over).toBeInstanceOf(ConflictError);
      expect(over.code).toBe('limit_exceeded');
    });

    scenario('expired-approval', async (driver, target) => {
      const { created, resolution } = await approved(driver, target, 'cart-2005', 9900);
      expect(resolution.payment.status).toBe('authorized');
      await target.expireApproval(created.id);
      const error = await rejection(driver.capture(created.id));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ statusCode: 410, code: 'expired' });
      expect(await driver.retrievePayment(created.id)).toMatchObject({
        status: 'expired',
        capturedAmount: 0,
      });
    });

    scenario('lost-capture-answer', async (driver, target) => {
      const { created } = await approved(driver, target, 'cart-2006', 15000);
      // The capture happens, its answer is lost: no blind re-send; the order read back says it was captured.
      await target.loseNextAnswer('POST', `/orders/${created.id}/capture`);
      expect(await driver.capture(created.id)).toMatchObject({ status: 'paid', capturedAmount: 15000 });
    });

    scenario('lost-refund-answer', async (driver, target) => {
      const { created } = await approved(driver, target, 'cart-2007', 15000);
      await driver.capture(created.id);
      await target.loseNextAnswer('POST', `/orders/${created.id}/refunds`);
      // The refund happened; reading it by its id answers it, and nothing is refunded twice.
      expect(await driver.refund(created.id, { amount: 5000, reference: 'return-2007-1' })).toMatchObject({
        id: 'return-2007-1',
        amount: 5000,
      });
      expect(await driver.retrievePayment(created.id)).toMatchObject({ refundedAmount: 5000 });
    });

    scenario('declined-capture', async (driver, target) => {
      // Seed 003's 402: the buyer's instalment payment was declined at capture.
      const { created } = await approved(driver, target, 'cart-2008', 66600, 'approve-capture-declines');
      const error = await rejection(driver.capture(created.id));
      expect(error).toBeInstanceOf(CardError);
      expect(error).toMatchObject({ statusCode: 402, code: 'capture_error' });
    });

    scenario('lists-and-pages', async (driver) => {
      const ids: string[] = [];
      for (const [reference, amount] of [
        ['cart-2101', 3000],
        ['cart-2102', 1000],
        ['cart-2103', 2000],
      ] as const) {
        ids.push(
          (await driver.createPayment(order(reference, amount), { idempotencyKey: `attempt-${reference}` }))
            .id,
        );
      }
      const page = await driver.client.orders.list({
        order_id__in: ids,
        ordering: '-total_amount',
        page_size: 2,
      });
      expect(page.count).toBe(3);
      expect(page.results.map((o) => o.total_amount)).toEqual([3000, 2000]);
      expect(page.next).toEqual(expect.stringContaining('page=2'));

      const all: number[] = [];
      for await (const summary of driver.client.orders.list({
        order_id__in: ids,
        ordering: 'total_amount',
        page_size: 2,
      })) {
        all.push(summary.total_amount);
      }
      expect(all).toEqual([1000, 2000, 3000]);

      const filtered = await driver.client.orders.list({
        order_id__in: ids,
        total_amount__gte: 2000,
        status: 'pending',
      });
      expect(filtered.results.map((o) => o.order_id).sort()).toEqual([ids[0], ids[2]].sort());
    });

    scenario('settlement-transactions', async (driver, target) => {
      const { created } = await approved(driver, target, 'cart-2201', 81480);
      await driver.capture(created.id);
      await driver.refund(created.id, { amount: 12050, reference: 'return-2201-1' });

      const page = await driver.client.transactions.list({
        type__in: ['order', 'refund'],
        ordering: 'created',
      });
      expect(page.results.map((t) => [t.type, t.amount, t.order?.order_id])).toEqual([
        ['order', 81480, created.id],
        ['refund', -12050, created.id],
      ]);
      const sale = page.results[0]!;
      // Seed 003's own example: 81480 less 1.00 + 4.5 % fees and 5 % tax on them pays out 77525.
      expect(sale).toMatchObject({
        fee_amount: 100,
        fee_rate: 450,
        fee_tax_rate: 500,
        total_amount: 77525,
        paid: null,
      });
      expect(await driver.client.transactions.retrieve(sale.id)).toMatchObject({
        id: sale.id,
        total_amount: 77525,
      });
    });

    scenario('hooks-crud', async (driver, target) => {
      const hook = await driver.client.hooks.create({
        events: ['order'],
        url: target.hookUrl,
        secret: target.hookSecret,
      });
      expect(hook).toMatchObject({
        active: true,
        events: ['order'],
        url: target.hookUrl,
        last_response: { code: null, status: 'unused' },
      });
      expect(hook).not.toHaveProperty('secret');
      expect(await driver.client.hooks.retrieve(hook.id)).toMatchObject({ id: hook.id });
      const updated = await driver.client.hooks.update(hook.id, {
        active: false,
        events: ['order', 'transaction'],
      });
      expect(updated).toMatchObject({ active: false, events: ['order', 'transaction'] });
      const listed = await driver.client.hooks.list({ active: false });
      expect(listed.results.map((h) => h.id)).toEqual([hook.id]);
      await driver.client.hooks.delete(hook.id);
      expect(await rejection(driver.client.hooks.retrieve(hook.id))).toBeInstanceOf(NotFoundError);
    });

    scenario('hook-delivery', async (driver, target) => {
      await driver.client.hooks.create({ events: ['order'], url: target.hookUrl, secret: target.hookSecret });
      const { created } = await approved(driver, target, 'cart-2301', 12000);
      const delivery = await target.signedHook(created.id, 'approved');
      const event = await driver.verifyWebhook(delivery.rawBody, delivery.headers);
      expect(event).toMatchObject({
        type: 'payment.authorized',
        paymentId: created.id,
        payment: { status: 'authorized', amount: 12000 },
      });
      const forged = await rejection(
        driver.verifyWebhook(Buffer.from(`${delivery.rawBody} `), delivery.headers),
      );
      expect(forged.type).toBe('signature_verification');
    });

    scenario('unknown-order', async (driver) => {
      const error = await rejection(driver.retrievePayment('no-such-order'));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ statusCode: 404, code: 'not_found' });
    });

    scenario('client-side-limits', async (driver) => {
      const pageSize = await rejection(
        Promise.resolve().then(() => driver.client.orders.list({ page_size: 51 })),
      );
      expect(pageSize).toBeInstanceOf(InvalidRequestError);
      expect(pageSize.details).toEqual({ page_size: ['Ensure this value is less than or equal to 50.'] });
      const noAddress = await rejection(
        driver.createPayment(
          order('cart-2401', 1000, { customer: { email: 'a@example.ae', name: 'Aisha Rahman' } }),
        ),
      );
      expect(noAddress.details).toEqual({ 'shipping.address': ['This field is required.'] });
    });
  });
}
