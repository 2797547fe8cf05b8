/**
 * Behavioural scenarios of the Numipay driver, written once and run against any HTTP target that behaves like
 * Numipay: the recorded exchanges (scenarios-fixtures.test.ts) and the sandbox emulator
 * (tools/sandbox/test/numipay-driver-scenarios.test.ts, which imports this module by path).
 *
 * A target is small on purpose:
 * - `baseUrl`, `apiKey`, `signaturePassword`, `cashierUrl`: where and as whom the driver talks.
 * - `pay(trackingId, outcome)`: the buyer completes the hosted cashier (or the 3-D Secure step of a card payment).
 * - `submitPayout(trackingId)`: the payee completes the payout cashier; the payout then waits for approval.
 * - `webhook(trackingId)`: the last signed delivery the target sent about that tracking id (raw bytes, headers).
 * - `today()`: the target's date, so a scenario can list the transactions it made.
 * - `begin(scenario)` / `end(scenario)` (optional): a replaying target loads the scenario's recording and checks
 *   every recorded exchange was used in order.
 *
 * Payments are created with idempotency keys, so their tracking ids — and the recordings — are the same everywhere.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  TijaraError,
  type CreatePaymentInput,
} from '@tijara/core';
import {
  createNumipayDriver,
  type CardDetails,
  type NumipayDriver,
  type NumipayDriverOptions,
} from '@tijara/numipay';

export type BuyerOutcome = 'success' | 'decline';

export interface SignedDelivery {
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface NumipayScenarioTarget {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly signaturePassword: string;
  readonly cashierUrl: string;
  pay(trackingId: string, outcome: BuyerOutcome): Promise<void>;
  submitPayout(trackingId: string): Promise<void>;
  webhook(trackingId: string): Promise<SignedDelivery>;
  /** Today on the target's clock (`YYYY-MM-DD`), for listing what the scenario made. */
  today(): string;
  begin?(scenario: string): Promise<void>;
  end?(scenario: string): Promise<void>;
}

const SCENARIO_TIMEOUT_MS = 30_000;

/** Test cards: the first goes through 3-D Secure, the second is rejected. Public test numbers, not secrets. */
export const CARDS = {
  threeDSecure: {
    holder_name: 'Jane Doe',
    card_number: '4111111111111111',
    cvc: '444',
    exp_month: '05',
    exp_year: '2030',
  },
  rejected: {
    holder_name: 'Jane Doe',
    card_number: '4000000000000002',
    cvc: '123',
    exp_month: '12',
    exp_year: '2030',
  },
} satisfies Record<string, CardDetails>;

export function order(
  reference: string,
  amount: number,
  extra: Partial<CreatePaymentInput> = {},
): CreatePaymentInput {
  return {
    amount,
    currency: 'GBP',
    reference,
    customer: {
      email: 'jane@example.com',
      name: 'Jane Doe',
      reference: 'U123',
      billingAddress: { line1: '1 High Street', city: 'London', country: 'GB', postalCode: 'N1 9GU' },
    },
    capture: 'automatic',
    returnUrls: {
      success: `https://shop.example/numipay/return/${reference}`,
      failure: `https://shop.example/numipay/return/${reference}`,
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

export function defineNumipayDriverScenarios(getTarget: () => NumipayScenarioTarget): void {
  function driverFor(
    target: NumipayScenarioTarget,
    extra: Partial<NumipayDriverOptions> = {},
  ): NumipayDriver {
    return createNumipayDriver({
      apiKey: target.apiKey,
      baseUrl: target.baseUrl,
      mode: 'test',
      cashierUrl: target.cashierUrl,
      routingId: 210,
      webhooks: { signaturePasswords: [target.signaturePassword] },
      backoffBaseMs: 10,
      jitterMs: 5,
      ...extra,
    });
  }

  function scenario(
    name: string,
    body: (
      target: NumipayScenarioTarget,
      driver: (extra?: Partial<NumipayDriverOptions>) => NumipayDriver,
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

  describe('Numipay driver scenarios', () => {
    scenario('hosted-cashier', async (target, driver) => {
      const numipay = driver();
      const created = await numipay.createPayment(
        { ...order('order-3001', 2999), numipay: { ip: '127.34.125.54' } },
        { idempotencyKey: 'order-3001' },
      );
      expect(created).toMatchObject({ status: 'pending', amount: 2999, currency: 'GBP', testMode: true });
      expect(created.id).toMatch(/^tj1-GBP-2999-[a-z0-9]+$/);
      expect(created.nextAction).toMatchObject({ type: 'redirect', method: 'GET' });
      const cashier = created.nextAction.type === 'redirect' ? created.nextAction.url : '';
      expect(cashier.startsWith(target.cashierUrl.split('{token}')[0] as string)).toBe(true);

      await target.pay(created.id, 'success');
      const delivery = await target.webhook(created.id);
      const event = await numipay.verifyWebhook(delivery.rawBody, delivery.headers);
      expect(event).toMatchObject({
        type: 'payment.paid',
        paymentId: created.id,
        rawType: 'deposit.successful',
      });
      // No payment in the event: the pipeline re-reads the status, which is final.
      expect(event.payment).toBeUndefined();

      const paid = await numipay.retrievePayment(created.id);
      expect(paid).toMatchObject({
        id: created.id,
        status: 'paid',
        rawStatus: 'successful',
        amount: 2999,
        capturedAmount: 2999,
      });
    });

    scenario('declined-at-cashier', async (target, driver) => {
      const numipay = driver();
      const created = await numipay.createPayment(order('order-3002', 1500), {
        idempotencyKey: 'order-3002',
      });
      await target.pay(created.id, 'decline');
      const delivery = await target.webhook(created.id);
      const event = await numipay.verifyWebhook(delivery.rawBody, delivery.headers);
      expect(event.type).toBe('payment.failed');
      expect(await numipay.retrievePayment(created.id)).toMatchObject({
        status: 'failed',
        rawStatus: 'rejected',
      });
    });

    scenario('direct-integration', async (_target, driver) => {
      const numipay = driver({ flow: 'direct', providerId: 210 });
      const created = await numipay.createPayment(order('order-3003', 1005), {
        idempotencyKey: 'order-3003',
      });
      expect(created).toMatchObject({ status: 'pending', amount: 1005 });
      expect(created.nextAction).toMatchObject({
        type: 'redirect',
        method: 'GET',
        url: expect.stringMatching(/^https?:\/\//),
      });
    });

    scenario('card-with-3ds', async (target, driver) => {
      const numipay = driver();
      const charged = await numipay.chargeCard(
        order('order-3004', 1005, { currency: 'EUR' }),
        CARDS.threeDSecure,
        {
          idempotencyKey: 'order-3004',
        },
      );
      expect(charged).toMatchObject({ status: 'pending', amount: 1005, currency: 'EUR' });
      expect(charged.nextAction).toMatchObject({ type: 'redirect', method: 'GET' });
      expect(JSON.stringify(charged)).not.toContain(CARDS.threeDSecure.card_number);

      await target.pay(charged.id, 'success');
      expect(await numipay.retrievePayment(charged.id)).toMatchObject({
        status: 'paid',
        capturedAmount: 1005,
      });

      // Charging again with the same key reads the transaction instead of charging twice.
      const again = await numipay.chargeCard(
        order('order-3004', 1005, { currency: 'EUR' }),
        CARDS.threeDSecure,
        {
          idempotencyKey: 'order-3004',
        },
      );
      expect(again).toMatchObject({ id: charged.id, status: 'paid' });
    });

    scenario('card-rejected', async (_target, driver) => {
      const numipay = driver();
      const charged = await numipay.chargeCard(
        order('order-3005', 2000, { currency: 'EUR' }),
        CARDS.rejected,
        {
          idempotencyKey: 'order-3005',
        },
      );
      expect(charged).toMatchObject({
        status: 'failed',
        rawStatus: 'rejected',
        failureReason: 'Insufficient funds',
      });
      expect(charged.nextAction).toEqual({ type: 'none' });
    });

    scenario('payout-approved', async (target, driver) => {
      const numipay = driver();
      const session = await numipay.createPayout(
        { ...order('payout-4001', 20000), numipay: { ip: '127.34.125.54' } },
        { idempotencyKey: 'payout-4001' },
      );
      expect(session.id).toMatch(/^tj1-GBP-20000-/);
      expect(session.nextAction).toMatchObject({ type: 'redirect' });

      await target.submitPayout(session.id);
      expect(await numipay.retrievePayout(session.id)).toMatchObject({
        status: 'pending',
        rawStatus: 'pending',
      });

      const approved = await numipay.approvePayout(session.id);
      expect(approved).toMatchObject({ id: session.id, status: 'pending' });

      const delivery = await target.webhook(session.id);
      const event = await numipay.verifyWebhook(delivery.rawBody, delivery.headers);
      expect(event).toMatchObject({ type: 'payout.updated', rawType: 'withdrawal.successful' });
      expect(event.paymentId).toBeUndefined();
      expect(await numipay.retrievePayout(session.id)).toMatchObject({ status: 'paid' });

      // Approving again is answered from the payout's state: no second request.
      expect(await numipay.approvePayout(session.id)).toMatchObject({ status: 'paid' });
    });

    scenario('payout-rejected', async (target, driver) => {
      const numipay = driver();
      const session = await numipay.createPayout(order('payout-4002', 5000), {
        idempotencyKey: 'payout-4002',
      });
      await target.submitPayout(session.id);
      expect(await numipay.rejectPayout(session.id)).toMatchObject({ status: 'rejected' });
      const error = await rejection(numipay.approvePayout(session.id));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.code).toBe('payout_already_decided');
    });

    scenario('transactions-list', async (target, driver) => {
      const numipay = driver();
      const gbp = await numipay.createPayment(order('order-3010', 1000), { idempotencyKey: 'order-3010' });
      await target.pay(gbp.id, 'success');
      const eur = await numipay.createPayment(order('order-3011', 2500, { currency: 'EUR' }), {
        idempotencyKey: 'order-3011',
      });
      await target.pay(eur.id, 'success');

      // Ten days: two calls (seven days, then three), each transaction listed once.
      const to = target.today();
      const from = new Date(Date.parse(`${to}T00:00:00Z`) - 9 * 86_400_000).toISOString().slice(0, 10);
      const transactions = await numipay.listTransactions({ from, to });
      const deposits = transactions
        .filter((t) => t.type === 'deposit' && t.rawStatus === 'successful')
        .map((t) => [t.amount, t.currency])
        .sort((a, b) => Number(a[0]) - Number(b[0]));
      expect(deposits).toEqual([
        [1000, 'GBP'],
        [2500, 'EUR'],
      ]);
    });

    scenario('unknown-transaction', async (_target, driver) => {
      const numipay = driver();
      // A payment this driver made whose buyer never opened the cashier: Numipay does not know it yet.
      const unstarted = await numipay.retrievePayment('tj1-GBP-100-0123456789abcdef01234567');
      expect(unstarted).toMatchObject({ status: 'pending', amount: 100, currency: 'GBP' });
      const error = await rejection(numipay.retrievePayment('someone-elses-id'));
      expect(error).toBeInstanceOf(NotFoundError);
    });

    scenario('client-side-limits', async (_target, driver) => {
      const numipay = driver();
      const free = await rejection(numipay.createPayment(order('order-3006', 0)));
      expect(free).toBeInstanceOf(InvalidRequestError);
      const badIp = await rejection(
        numipay.createPayment({ ...order('order-3007', 100), numipay: { ip: 'localhost' } }),
      );
      expect(badIp.details).toHaveProperty(['request.ip']);
      const badCard = await rejection(
        numipay.chargeCard(order('order-3008', 100), {
          ...CARDS.threeDSecure,
          card_number: '4111111111111112',
        }),
      );
      expect(badCard.details).toHaveProperty(['request.card_details.card_number']);
      expect(JSON.stringify(badCard)).not.toContain('4111111111111112');
      const wrongRange = await rejection(numipay.listTransactions({ from: '2024-07-10', to: '2024-07-01' }));
      expect(wrongRange.code).toBe('invalid_date_range');
    });
  });
}
