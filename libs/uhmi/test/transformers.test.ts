import { InvalidRequestError, InvalidResponseError, type CreatePaymentInput } from '@tijara/core';
import {
  METADATA_KEYS,
  paymentSchema,
  paymentToPayment,
  toCreatePaymentRequest,
  transactionSchema,
  transactionToPayment,
} from '@tijara/uhmi';

const mapping = {
  widget: { scriptUrl: 'https://uhmi.io/widget.js' },
  openCountsAsPaid: false,
  testMode: false,
};
const input: CreatePaymentInput = {
  amount: 1999,
  currency: 'EUR',
  reference: 'order-7',
  customer: { email: 'a@example.com' },
  capture: 'automatic',
  returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
};
// The seed's own response example.
const seedPayment = paymentSchema.parse({
  payment_id: '07LygN2WrLPjX1FOnqHfs5xuxcuAwK',
  status: 'active',
  created_at: '2021-01-22T15:16:25+00:00',
  type: 'content',
  title: 'My video',
  price: 0.25,
  pwyw: true,
  category: 'video',
  refundable: true,
  repeatable: false,
  cover: 'https://yourwebsite.com/images/image.png',
  metadata: { video_id: '8690' },
  success_url: 'https://yourwebsite.com/success',
});

describe('order → Uhmi payment', () => {
  it('the amount as a decimal euro price, the reference in the metadata, success_url from the return URL', () => {
    expect(toCreatePaymentRequest({ ...input, metadata: { cart: 'c1' } })).toEqual({
      type: 'content',
      title: 'Order order-7',
      price: 19.99,
      pwyw: false,
      refundable: false,
      repeatable: false,
      metadata: { cart: 'c1', [METADATA_KEYS.reference]: 'order-7' },
      success_url: 'https://shop.example/ok',
    });
  });

  it('a subscription with its interval, never refundable', () => {
    const body = toCreatePaymentRequest(input, {
      subscription: { interval: 'month', intervalCount: 3, trialDays: 30 },
      refundable: true,
    });
    expect(body).toMatchObject({
      type: 'subscription',
      interval: 'month',
      interval_count: 3,
      trial_days: 30,
    });
    expect(body).not.toHaveProperty('refundable');
  });

  it('a long description becomes a title of 160 characters, cut between characters', () => {
    const title = toCreatePaymentRequest({ ...input, description: '😀'.repeat(200) }).title;
    expect([...title]).toHaveLength(160);
    expect(title.endsWith('…')).toBe(true);
  });

  it('refuses more than 150 EUR, and reserved metadata keys, before anything is sent', () => {
    expect(() => toCreatePaymentRequest({ ...input, amount: 15001 })).toThrow(InvalidRequestError);
    expect(() =>
      toCreatePaymentRequest({ ...input, metadata: { [METADATA_KEYS.transaction]: 'x' } }),
    ).toThrow(/reserved/);
    expect(() => toCreatePaymentRequest({ ...input, metadata: { note: 'x'.repeat(900) } })).toThrow(/room/);
  });
});

describe('Uhmi → Payment', () => {
  it("the seed's payment awaits its buyer at the widget", () => {
    const payment = paymentToPayment(seedPayment, {
      ...mapping,
      widget: { pageUrl: 'https://s.example/p/{payment_id}' },
    });
    expect(payment).toMatchObject({
      id: '07LygN2WrLPjX1FOnqHfs5xuxcuAwK',
      status: 'pending',
      rawStatus: 'active',
      amount: 25,
      currency: 'EUR',
      capturedAmount: 0,
      createdAt: new Date('2021-01-22T15:16:25Z'),
    });
    expect(payment.nextAction).toEqual({
      type: 'widget',
      script: 'https://uhmi.io/widget.js',
      params: { payment_id: '07LygN2WrLPjX1FOnqHfs5xuxcuAwK' },
      url: 'https://s.example/p/07LygN2WrLPjX1FOnqHfs5xuxcuAwK',
    });
  });

  it("the seed's transaction is a paid payment", () => {
    const transaction = transactionSchema.parse({ ...seedPayment, status: 'paid' });
    expect(transactionToPayment(transaction, mapping)).toMatchObject({
      id: '07LygN2WrLPjX1FOnqHfs5xuxcuAwK',
      status: 'paid',
      amount: 25,
      capturedAmount: 25,
      refundedAmount: 0,
      refundableAmount: 0,
      nextAction: { type: 'none' },
    });
  });

  it('a buyer refund within the 24-hour window shows as refunded', () => {
    const transaction = transactionSchema.parse({ ...seedPayment, status: 'refunded' });
    expect(transactionToPayment(transaction, mapping)).toMatchObject({
      status: 'refunded',
      refundedAmount: 25,
    });
  });

  it('PHP’s empty metadata array is no metadata', () => {
    expect(paymentSchema.parse({ ...seedPayment, metadata: [] }).metadata).toEqual({});
  });

  it('a price that is not an exact euro amount is an invalid response, not a rounding', () => {
    const odd = paymentSchema.parse({ ...seedPayment, price: 0.255 });
    expect(() => paymentToPayment(odd, mapping)).toThrow(InvalidResponseError);
  });
});
