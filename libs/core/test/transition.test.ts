import {
  AmountMismatchError,
  isRegression,
  PAYMENT_STATUSES,
  planTransition,
  type Payment,
  type PaymentStatus,
  type SettlementRecord,
} from '../src/index.js';

const record = (status: PaymentStatus, refundedAmount = 0): SettlementRecord => ({
  orderId: 'order_1',
  paymentId: 'pay_1',
  amount: 10_000,
  currency: 'MYR',
  status,
  captureMode: 'automatic',
  refundedAmount,
});

const payment = (status: PaymentStatus, extra: Partial<Payment> = {}): Payment => ({
  id: 'pay_1',
  status,
  rawStatus: status,
  amount: 10_000,
  currency: 'MYR',
  capturedAmount: ['paid', 'partially_refunded', 'refunded'].includes(status) ? 10_000 : 0,
  refundedAmount: 0,
  refundableAmount: 0,
  nextAction: { type: 'none' },
  testMode: true,
  raw: {},
  ...extra,
});

const types = (from: PaymentStatus, to: PaymentStatus, extra: Partial<Payment> = {}) =>
  planTransition(record(from), payment(to, extra)).events.map((e) => e.type);

describe('planTransition', () => {
  it('pending → paid emits payment.paid once, with the captured amount', () => {
    const plan = planTransition(record('pending'), payment('paid'));
    expect(plan.events).toHaveLength(1);
    expect(plan.events[0]).toMatchObject({
      type: 'payment.paid',
      amount: 10_000,
      currency: 'MYR',
      orderId: 'order_1',
    });
    expect(plan.next.status).toBe('paid');
  });

  it('is idempotent: the same state again emits nothing', () => {
    for (const status of PAYMENT_STATUSES) {
      const plan = planTransition(record(status), payment(status));
      expect(plan.events).toEqual([]);
      expect(plan.next).toMatchObject(record(status));
      expect(plan.change).toMatchObject({ status, refundedAmount: 0 });
    }
  });

  it('hold → capture of part of the amount → paid with the captured amount', () => {
    expect(types('pending', 'authorized')).toEqual(['payment.authorized']);
    const plan = planTransition(record('authorized'), payment('paid', { capturedAmount: 6_000 }));
    expect(plan.events.map((e) => [e.type, e.amount])).toEqual([['payment.paid', 6_000]]);
  });

  it('release of a hold → canceled', () => {
    expect(types('authorized', 'canceled')).toEqual(['payment.canceled']);
  });

  it('decline → failed, and a later success on the same payment still settles', () => {
    expect(types('pending', 'failed')).toEqual(['payment.failed']);
    expect(types('failed', 'paid')).toEqual(['payment.paid']);
  });

  it('refunds emit the newly refunded amount, not the running total', () => {
    const first = planTransition(record('paid'), payment('partially_refunded', { refundedAmount: 2_500 }));
    expect(first.events.map((e) => [e.type, e.amount, e.refundedAmount])).toEqual([
      ['payment.refunded', 2_500, 2_500],
    ]);
    const second = planTransition(first.next, payment('partially_refunded', { refundedAmount: 4_000 }));
    expect(second.events.map((e) => [e.type, e.amount, e.refundedAmount])).toEqual([
      ['payment.refunded', 1_500, 4_000],
    ]);
    expect(second.next.refundedAmount).toBe(4_000);
  });

  it('a missed paid is emitted before the refund', () => {
    expect(types('pending', 'refunded', { refundedAmount: 10_000 })).toEqual([
      'payment.paid',
      'payment.refunded',
    ]);
  });

  it('ignores stale reports of earlier states', () => {
    for (const [from, to] of [
      ['paid', 'pending'],
      ['paid', 'authorized'],
      ['refunded', 'paid'],
      ['canceled', 'authorized'],
      ['authorized', 'pending'],
    ] as const) {
      expect(isRegression(from, to)).toBe(true);
      const plan = planTransition(record(from), payment(to));
      expect(plan.events).toEqual([]);
      expect(plan.next.status).toBe(from);
    }
  });

  it('every pair of statuses is either allowed or a regression, never both', () => {
    for (const from of PAYMENT_STATUSES) {
      for (const to of PAYMENT_STATUSES) {
        const plan = planTransition(record(from), payment(to));
        if (isRegression(from, to)) expect(plan.next.status).toBe(from);
        else expect(plan.next.status).toBe(to);
      }
    }
  });

  it('refuses a payment for another amount or currency', () => {
    expect(() => planTransition(record('pending'), payment('paid', { amount: 9_999 }))).toThrow(
      AmountMismatchError,
    );
    expect(() => planTransition(record('pending'), payment('paid', { currency: 'SGD' }))).toThrow(
      /expects 10000 MYR/,
    );
  });
});
