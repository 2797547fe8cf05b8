/**
 * Behavioural scenarios of the Ummah driver, written once and run against any HTTP target that behaves like
 * Ummah: the recorded fixtures (scenarios-fixtures.test.ts) and the live sandbox emulator
 * (tools/sandbox/test/ummah-driver-scenarios.test.ts, which imports this module by path).
 *
 * A target is small on purpose:
 * - `baseUrl`, `secretKey`, `brandId`: where and as whom the driver talks (`baseUrl` ends with `/api/v1/`).
 * - `pay(purchaseId, card)`: complete the hosted checkout as the buyer would ('success' pays or holds, per the
 *   purchase's skip_capture; 'decline' fails the attempt). A replaying target has nothing to do here.
 * - `webhookPublicKeys` + `signedCallback(purchaseId)`: the keys the driver trusts, and the signed
 *   success_callback delivery the target sent for a paid purchase (raw bytes and headers, unchanged).
 * - `callbackUrl` (optional): the `success_callback` every purchase names. A live target sets it to a receiver it
 *   runs, so the delivery really travels; the recordings were made with `https://shop.example/ummah/callback`.
 * - `begin(scenario)` / `end(scenario)` (optional): called around each scenario with its name; a replaying target
 *   loads that scenario's recording and checks that every recorded exchange was used, and the sandbox target checks
 *   that it answered the same requests with the same statuses as that recording.
 *
 * Amounts and references are fixed, so a recording made from one target replays against the driver exactly.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ConflictError,
  InvalidRequestError,
  InvalidSavedMethodError,
  NotFoundError,
  TijaraError,
  type ChargeSavedMethodInput,
  type CreatePaymentInput,
} from '@tijara/core';
import { createUmmahDriver, type UmmahDriver } from '@tijara/ummah';

export type ScenarioCard = 'success' | 'decline';

export interface SignedDelivery {
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface UmmahScenarioTarget {
  readonly baseUrl: string;
  readonly secretKey: string;
  readonly brandId: string;
  pay(purchaseId: string, card: ScenarioCard): Promise<void>;
  readonly webhookPublicKeys: readonly string[];
  readonly callbackUrl?: string;
  signedCallback(purchaseId: string): Promise<SignedDelivery>;
  begin?(scenario: string): Promise<void>;
  end?(scenario: string): Promise<void>;
}

const SCENARIO_TIMEOUT_MS = 30_000;

export function order(
  reference: string,
  amount: number,
  extra: Partial<CreatePaymentInput> = {},
): CreatePaymentInput {
  return {
    amount,
    currency: 'MYR',
    reference,
    customer: { email: 'aisha@example.com', name: 'Aisha Rahman' },
    capture: 'automatic',
    returnUrls: { success: 'https://shop.example/return/ok', failure: 'https://shop.example/return/ko' },
    callbackUrl: 'https://shop.example/ummah/callback',
    ...extra,
  };
}

function offSession(reference: string, amount: number): ChargeSavedMethodInput {
  return {
    amount,
    currency: 'MYR',
    reference,
    customer: { email: 'aisha@example.com', name: 'Aisha Rahman' },
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

export function defineUmmahDriverScenarios(getTarget: () => UmmahScenarioTarget): void {
  let current: UmmahScenarioTarget;

  /** `order()` with the callback URL of the target the scenario runs against. */
  function orderFor(reference: string, amount: number, extra: Partial<CreatePaymentInput> = {}) {
    return order(reference, amount, {
      ...(current.callbackUrl ? { callbackUrl: current.callbackUrl } : {}),
      ...extra,
    });
  }

  function driverFor(target: UmmahScenarioTarget): UmmahDriver {
    return createUmmahDriver({
      secretKey: target.secretKey,
      brandId: target.brandId,
      baseUrl: target.baseUrl,
      webhooks: { publicKeys: target.webhookPublicKeys, fetchCompanyKey: false },
      backoffBaseMs: 10,
      jitterMs: 5,
    });
  }

  function scenario(name: string, body: (driver: UmmahDriver, target: UmmahScenarioTarget) => Promise<void>) {
    it(
      name,
      async () => {
        const target = (current = getTarget());
        await target.begin?.(name);
        await body(driverFor(target), target);
        await target.end?.(name);
      },
      SCENARIO_TIMEOUT_MS,
    );
  }

  describe('Ummah driver scenarios', () => {
    scenario('hosted-checkout', async (driver, target) => {
      const created = await driver.createPayment(orderFor('order-1001', 2999));
      expect(created).toMatchObject({
        status: 'pending',
        amount: 2999,
        currency: 'MYR',
        reference: 'order-1001',
      });
      expect(created.nextAction).toMatchObject({
        type: 'redirect',
        method: 'GET',
        url: expect.stringMatching(/^https?:\/\//),
      });

      await target.pay(created.id, 'success');
      const delivery = await target.signedCallback(created.id);
      const event = await driver.verifyWebhook(delivery.rawBody, delivery.headers);
      expect(event).toMatchObject({ type: 'payment.paid', paymentId: created.id });

      const paid = await driver.retrievePayment(created.id);
      expect(paid).toMatchObject({
        status: 'paid',
        capturedAmount: 2999,
        refundableAmount: 2999,
        testMode: true,
      });
      expect(paid.nextAction).toEqual({ type: 'none' });
    });

    scenario('partial-capture', async (driver, target) => {
      const created = await driver.createPayment(orderFor('order-1002', 5000, { capture: 'manual' }));
      await target.pay(created.id, 'success');
      expect(await driver.retrievePayment(created.id)).toMatchObject({
        status: 'authorized',
        capturedAmount: 0,
      });

      const captured = await driver.capture(created.id, 3000);
      expect(captured).toMatchObject({
        status: 'paid',
        amount: 5000,
        capturedAmount: 3000,
        refundableAmount: 3000,
      });
    });

    scenario('release-hold', async (driver, target) => {
      const created = await driver.createPayment(orderFor('order-1003', 5000, { capture: 'manual' }));
      await target.pay(created.id, 'success');
      expect((await driver.retrievePayment(created.id)).status).toBe('authorized');

      const released = await driver.release(created.id);
      expect(released).toMatchObject({
        id: created.id,
        status: 'canceled',
        rawStatus: 'released',
        capturedAmount: 0,
      });
    });

    scenario('cancel-unpaid', async (driver) => {
      const created = await driver.createPayment(orderFor('order-1004', 1500));
      const cancelled = await driver.cancel(created.id);
      expect(cancelled).toMatchObject({ id: created.id, status: 'canceled', rawStatus: 'cancelled' });
    });

    scenario('refunds', async (driver, target) => {
      const created = await driver.createPayment(orderFor('order-1005', 10000));
      await target.pay(created.id, 'success');
      expect((await driver.retrievePayment(created.id)).status).toBe('paid');

      const first = await driver.refund(created.id, { amount: 4000, reference: 'refund-1005-1' });
      expect(first).toMatchObject({
        paymentId: created.id,
        amount: 4000,
        currency: 'MYR',
        status: 'succeeded',
      });
      expect(await driver.retrievePayment(created.id)).toMatchObject({
        status: 'partially_refunded',
        refundedAmount: 4000,
        refundableAmount: 6000,
      });

      const rest = await driver.refund(created.id);
      expect(rest).toMatchObject({ paymentId: created.id, amount: 6000, status: 'succeeded' });
      expect(await driver.retrievePayment(created.id)).toMatchObject({
        status: 'refunded',
        refundedAmount: 10000,
        refundableAmount: 0,
      });

      // The cumulative cap: nothing is left to refund, which the state forbids (seed 000: 409 "Operation not
      // allowed in current state"), whatever the amount.
      const error = await rejection(driver.refund(created.id, { amount: 1 }));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.statusCode).toBe(409);
    });

    scenario('saved-card', async (driver, target) => {
      const first = await driver.createPayment(orderFor('order-1006', 2000, { saveMethod: true }));
      await target.pay(first.id, 'success');
      const saved = await driver.retrievePayment(first.id);
      expect(saved.savedMethod).toMatchObject({ token: first.id, last4: '4242' });
      const token = saved.savedMethod!.token;

      const charged = await driver.chargeSavedMethod(token, offSession('order-1007', 4500), {
        idempotencyKey: 'charge-order-1007',
      });
      expect(charged).toMatchObject({ status: 'paid', amount: 4500, capturedAmount: 4500 });
      expect(charged.id).not.toBe(first.id);

      await driver.deleteSavedMethod(token);
      const error = await rejection(
        driver.chargeSavedMethod(token, offSession('order-1008', 4500), {
          idempotencyKey: 'charge-order-1008',
        }),
      );
      expect(error).toBeInstanceOf(InvalidSavedMethodError);
    });

    scenario('declined-card', async (driver, target) => {
      const created = await driver.createPayment(orderFor('order-1009', 2999));
      await target.pay(created.id, 'decline');
      expect(await driver.retrievePayment(created.id)).toMatchObject({
        status: 'failed',
        rawStatus: 'error',
      });
    });

    scenario('unknown-purchase', async (driver) => {
      const error = await rejection(driver.retrievePayment('00000000-0000-4000-8000-000000000000'));
      expect(error).toBeInstanceOf(NotFoundError);
    });

    scenario('client-side-limits', async (driver) => {
      const error = await rejection(driver.createPayment(orderFor('r'.repeat(129), 100)));
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.details).toEqual({ reference: ['Ensure this field has no more than 128 characters.'] });
    });
  });
}
