/**
 * Behavioural scenarios of the Uhmi driver, written once and run against any HTTP target that behaves like Uhmi:
 * the recorded exchanges (scenarios-fixtures.test.ts) and the sandbox emulator
 * (tools/sandbox/test/uhmi-driver-scenarios.test.ts, which imports this module by path).
 *
 * A target is small on purpose:
 * - `baseUrl`, `apiKey`: where and as whom the driver talks (`baseUrl` ends with `/api/v1/`).
 * - `pay(paymentId, outcome, price?)`: pay the payment in the widget as a buyer would; resolves with the
 *   `transaction_id` the widget posts to `success_url`. `price` (cents) is what a pay-what-you-want buyer gives.
 *   A replaying target answers the transaction id of its recording.
 * - `begin(scenario)` / `end(scenario)` (optional): around each scenario; a replaying target loads that scenario's
 *   recording and checks every recorded exchange was used in order.
 *
 * Amounts, titles and references are fixed, so a recording made from one target replays exactly.
 */
import { describe, expect, it } from '@jest/globals';
import {
  InvalidRequestError,
  NotFoundError,
  TijaraError,
  UnsupportedOperationError,
  type CreatePaymentInput,
} from '@tijara/core';
import { createUhmiDriver, type UhmiDriver, type UhmiDriverOptions } from '@tijara/uhmi';

export type WidgetOutcome = 'paid' | 'open' | 'failed';

export interface UhmiScenarioTarget {
  readonly baseUrl: string;
  readonly apiKey: string;
  pay(paymentId: string, outcome: WidgetOutcome, price?: number): Promise<string>;
  begin?(scenario: string): Promise<void>;
  end?(scenario: string): Promise<void>;
}

const SCENARIO_TIMEOUT_MS = 30_000;

export const WIDGET = {
  scriptUrl: 'https://uhmi.io/widget.js',
  pageUrl: 'https://shop.example/uhmi/pay/{payment_id}',
} as const;

export function order(
  reference: string,
  amount: number,
  extra: Partial<CreatePaymentInput> = {},
): CreatePaymentInput {
  return {
    amount,
    currency: 'EUR',
    reference,
    description: `Article ${reference}`,
    customer: { email: 'lena@example.com', name: 'Lena Vogel' },
    capture: 'automatic',
    returnUrls: {
      success: `https://shop.example/uhmi/return/${reference}`,
      failure: `https://shop.example/uhmi/return/${reference}`,
    },
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

export function defineUhmiDriverScenarios(getTarget: () => UhmiScenarioTarget): void {
  function driverFor(target: UhmiScenarioTarget, extra: Partial<UhmiDriverOptions> = {}): UhmiDriver {
    return createUhmiDriver({
      apiKey: target.apiKey,
      baseUrl: target.baseUrl,
      widget: WIDGET,
      testMode: true,
      backoffBaseMs: 10,
      jitterMs: 5,
      ...extra,
    });
  }

  function scenario(
    name: string,
    body: (
      target: UhmiScenarioTarget,
      driver: (extra?: Partial<UhmiDriverOptions>) => UhmiDriver,
    ) => Promise<void>,
  ) {
    it(
      name,
      async () => {
        const target = getTarget();
        await target.begin?.(name);
        await body(target, (extra) => driverFor(target, extra));
        await target.end?.(name);
      },
      SCENARIO_TIMEOUT_MS,
    );
  }

  describe('Uhmi driver scenarios', () => {
    scenario('widget-checkout', async (target, driver) => {
      const uhmi = driver();
      const created = await uhmi.createPayment(order('order-2001', 499));
      expect(created).toMatchObject({ status: 'pending', rawStatus: 'active', amount: 499, currency: 'EUR' });
      expect(created.reference).toBe('order-2001');
      expect(created.nextAction).toEqual({
        type: 'widget',
        script: WIDGET.scriptUrl,
        params: { payment_id: created.id },
        url: WIDGET.pageUrl.replace('{payment_id}', created.id),
      });

      const transactionId = await target.pay(created.id, 'paid');
      const { payment } = await uhmi.resolveReturn({
        query: {},
        form: { transaction_id: transactionId },
        paymentId: created.id,
      });
      expect(payment).toMatchObject({
        id: created.id,
        status: 'paid',
        rawStatus: 'paid',
        amount: 499,
        capturedAmount: 499,
        refundableAmount: 0,
        reference: 'order-2001',
        testMode: true,
      });
      expect(payment.nextAction).toEqual({ type: 'none' });

      // The return linked the transaction to the payment, so a later read (the reconciler's) sees it paid.
      const reread = await uhmi.retrievePayment(created.id);
      expect(reread).toMatchObject({ id: created.id, status: 'paid', amount: 499 });
    });

    scenario('pay-what-you-want', async (target, driver) => {
      const uhmi = driver({ payments: { type: 'donation', payWhatYouWant: true, repeatable: false } });
      expect(uhmi.capabilities.amountPolicy).toBe('at_least');
      const created = await uhmi.createPayment(order('order-2002', 200));
      expect(created).toMatchObject({ status: 'pending', amount: 200 });

      const transactionId = await target.pay(created.id, 'paid', 350);
      const { payment } = await uhmi.resolveReturn({ query: { transaction_id: transactionId } });
      expect(payment).toMatchObject({ id: created.id, status: 'paid', amount: 350, capturedAmount: 350 });
    });

    scenario('open-transaction', async (target, driver) => {
      const uhmi = driver();
      const created = await uhmi.createPayment(order('order-2003', 250));
      const transactionId = await target.pay(created.id, 'open');

      // Not final: nothing to settle, and nothing is linked.
      const strict = await uhmi.resolveReturn({
        query: { transaction_id: transactionId },
        paymentId: created.id,
      });
      expect(strict.payment).toMatchObject({ status: 'pending', rawStatus: 'open', capturedAmount: 0 });

      // Uhmi's own plugin counts an open transaction as paid; the option does the same.
      const lenient = await driver({ openCountsAsPaid: true }).resolveReturn({
        query: { transaction_id: transactionId },
        paymentId: created.id,
      });
      expect(lenient.payment).toMatchObject({ status: 'paid', rawStatus: 'open', capturedAmount: 250 });
    });

    scenario('failed-payment', async (target, driver) => {
      const uhmi = driver();
      const created = await uhmi.createPayment(order('order-2004', 1000));
      const transactionId = await target.pay(created.id, 'failed');
      const { payment } = await uhmi.resolveReturn({
        query: { transaction_id: transactionId },
        paymentId: created.id,
      });
      expect(payment).toMatchObject({ status: 'failed', rawStatus: 'failed', capturedAmount: 0 });
      expect((await uhmi.retrievePayment(created.id)).status).toBe('pending');
    });

    scenario('return-for-another-payment', async (target, driver) => {
      const uhmi = driver();
      const cheap = await uhmi.createPayment(order('order-2005', 100));
      const dear = await uhmi.createPayment(order('order-2006', 9900));
      const transactionId = await target.pay(cheap.id, 'paid');

      const error = await rejection(
        uhmi.resolveReturn({ query: { transaction_id: transactionId }, paymentId: dear.id }),
      );
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error.code).toBe('return_payment_mismatch');
      expect((await uhmi.retrievePayment(dear.id)).status).toBe('pending');
    });

    scenario('unknown-transaction', async (_target, driver) => {
      const error = await rejection(
        driver().resolveReturn({ query: { transaction_id: 'NOSUCHTRANSACTION1' } }),
      );
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.statusCode).toBe(404);
    });

    scenario('payments-crud', async (_target, driver) => {
      const { client } = driver();
      const created = await client.payments.create({
        type: 'subscription',
        title: 'Monthly letter',
        price: 4.5,
        interval: 'month',
        interval_count: 3,
        trial_days: 14,
        category: 'newsletter',
        repeatable: true,
        cover: 'https://shop.example/cover.png',
        metadata: { plan: 'letter-3m' },
        success_url: 'https://shop.example/uhmi/return/letter',
      });
      expect(created).toMatchObject({
        status: 'active',
        type: 'subscription',
        interval: 'month',
        interval_count: 3,
      });

      const updated = await client.payments.update(created.payment_id, {
        title: 'Quarterly letter',
        price: '5.00',
      });
      expect(updated).toMatchObject({ title: 'Quarterly letter', interval_count: 3 });
      expect(Number(updated.price)).toBe(5);

      expect(await client.payments.retrieve(created.payment_id)).toMatchObject({ title: 'Quarterly letter' });
      await client.payments.delete(created.payment_id);
      const error = await rejection(client.payments.retrieve(created.payment_id));
      expect(error).toBeInstanceOf(NotFoundError);
    });

    scenario('client-side-limits', async (_target, driver) => {
      const uhmi = driver();
      const tooDear = await rejection(uhmi.createPayment(order('order-2007', 15001)));
      expect(tooDear).toBeInstanceOf(InvalidRequestError);
      expect(Object.keys(tooDear.details ?? {})).toEqual(['price']);

      const bigMetadata = await rejection(
        uhmi.createPayment(order('order-2008', 100, { metadata: { note: 'x'.repeat(1000) } })),
      );
      expect(bigMetadata.details).toHaveProperty('metadata');

      const subscription = { type: 'subscription', title: 'Letter', price: 1, interval: 'week' } as const;
      const tooOften = await rejection(uhmi.client.payments.create({ ...subscription, interval_count: 53 }));
      expect(tooOften.details).toHaveProperty('interval_count');
      const longTrial = await rejection(uhmi.client.payments.create({ ...subscription, trial_days: 366 }));
      expect(longTrial.details).toHaveProperty('trial_days');
      const refundable = await rejection(uhmi.client.payments.create({ ...subscription, refundable: true }));
      expect(refundable.details).toHaveProperty('refundable');
      const roundedPrice = await rejection(
        uhmi.client.payments.create({ type: 'content', title: 'A', price: 0.255 }),
      );
      expect(roundedPrice.details).toHaveProperty('price');

      for (const refused of [uhmi.capture('x'), uhmi.refund('x'), uhmi.release('x'), uhmi.cancel('x')]) {
        expect(await rejection(refused)).toBeInstanceOf(UnsupportedOperationError);
      }
    });
  });
}
