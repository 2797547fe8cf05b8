import { MoneyError } from '@tijara/core';
import { purchaseSchema, toCreatePurchaseRequest, toPayment, toRefund, type Purchase } from '@tijara/ummah';
import { readFixture } from './support/fixtures.js';

const chip = purchaseSchema.parse(readFixture('webhooks/success-callback.json'));
const base: Purchase = { id: 'p1', status: 'created', purchase: { total: 10000, currency: 'myr' } };

describe('Purchase → Payment', () => {
  it('normalizes a paid CHIP purchase', () => {
    const payment = toPayment(chip);
    expect(payment).toMatchObject({
      id: 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e',
      status: 'paid',
      rawStatus: 'paid',
      amount: 2999,
      currency: 'MYR',
      capturedAmount: 2999,
      refundedAmount: 0,
      refundableAmount: 2999,
      reference: 'order-1001',
      testMode: true,
      createdAt: new Date(1700000000_000),
      updatedAt: new Date(1700000300_000),
    });
    expect(payment.nextAction).toEqual({ type: 'none' });
    expect(payment.raw).toBe(chip);
  });

  it("reads the seed's total_amount as the total", () => {
    expect(
      toPayment({ id: 'p', status: 'paid', purchase: { total_amount: 2999, currency: 'USD' } }).amount,
    ).toBe(2999);
  });

  it('gives the checkout URL only while the buyer is awaited', () => {
    const url = 'https://gate.ummah.com/p/p1/';
    expect(toPayment({ ...base, checkout_url: url }).nextAction).toEqual({
      type: 'redirect',
      url,
      method: 'GET',
    });
    expect(toPayment({ ...base, status: 'paid', checkout_url: url }).nextAction).toEqual({ type: 'none' });
  });

  it('captures nothing while on hold, the captured amount after a partial capture', () => {
    expect(toPayment({ ...base, status: 'hold' })).toMatchObject({
      status: 'authorized',
      capturedAmount: 0,
      refundableAmount: 0,
    });
    const captured = toPayment({
      ...base,
      status: 'paid',
      payment: { amount: 6000 },
      refundable_amount: 6000,
    });
    expect(captured).toMatchObject({
      status: 'paid',
      amount: 10000,
      capturedAmount: 6000,
      refundableAmount: 6000,
    });
  });

  it('derives partial and full refunds from refundable_amount', () => {
    const partial = toPayment({
      ...base,
      status: 'refunded',
      payment: { amount: 10000 },
      refundable_amount: 2500,
    });
    expect(partial).toMatchObject({
      status: 'partially_refunded',
      refundedAmount: 7500,
      refundableAmount: 2500,
    });
    const full = toPayment({ ...base, status: 'refunded', payment: { amount: 10000 }, refundable_amount: 0 });
    expect(full).toMatchObject({ status: 'refunded', refundedAmount: 10000, refundableAmount: 0 });
    // Without refundable_amount, "refunded" is taken at its word.
    expect(toPayment({ ...base, status: 'refunded' })).toMatchObject({
      status: 'refunded',
      refundedAmount: 10000,
    });
  });

  it('does not read a non-refundable method as refunded', () => {
    const payment = toPayment({ ...base, status: 'paid', refundable_amount: 0, refund_availability: 'none' });
    expect(payment).toMatchObject({
      status: 'paid',
      refundedAmount: 0,
      refundableAmount: 0,
      capturedAmount: 10000,
    });
  });

  it('exposes the saved card of a purchase that saved it, never the number', () => {
    expect(toPayment(chip).savedMethod).toEqual({
      token: chip.id,
      brand: 'visa',
      last4: '4242',
      expiryMonth: 12,
      expiryYear: 2029,
      holderName: 'JOHN DOE',
    });
    expect(toPayment({ ...chip, is_recurring_token: false }).savedMethod).toBeUndefined();
    expect(JSON.stringify(toPayment(chip).savedMethod)).not.toContain('424242');
  });

  it('says why a failed purchase failed, from its last attempt', () => {
    const attempts = [
      {
        successful: false,
        error: { code: 'card_declined', message: 'Card declined', decline_code: 'generic_decline' },
      },
      {
        successful: false,
        error: { code: 'card_declined', message: 'Insufficient funds', decline_code: 'insufficient_funds' },
      },
    ];
    expect(toPayment({ ...base, status: 'error', transaction_data: { attempts } }).failure).toEqual({
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Insufficient funds',
    });
    expect(toPayment({ ...base, status: 'error' }).failure).toBeUndefined();
    expect(toPayment({ ...base, status: 'paid', transaction_data: { attempts } }).failure).toBeUndefined();
  });

  it('keeps an unknown status raw, with a non-final status', () => {
    expect(toPayment({ ...base, status: 'pending_teleport' })).toMatchObject({
      status: 'processing',
      rawStatus: 'pending_teleport',
    });
  });

  it('takes test mode from is_test, else from the key', () => {
    expect(toPayment(base, true).testMode).toBe(true);
    expect(toPayment({ ...base, is_test: false }, true).testMode).toBe(false);
  });

  it('refuses a purchase without a currency rather than guessing', () => {
    expect(() => toPayment({ id: 'p', status: 'paid' })).toThrow(/has no currency/);
  });
});

describe('refunds', () => {
  it("accepts the seed's refund object and CHIP's Payment", () => {
    expect(
      toRefund(
        { id: 'r1', status: 'refunded', amount: 1500, currency: 'USD', purchase: 'p1' },
        { paymentId: 'x' },
      ),
    ).toMatchObject({ id: 'r1', paymentId: 'p1', amount: 1500, currency: 'USD', status: 'succeeded' });
    expect(
      toRefund(
        {
          id: 'r2',
          status: 'success',
          amount: 100,
          currency: 'myr',
          related_to: { type: 'purchase', id: 'p2' },
        },
        { paymentId: 'x' },
      ),
    ).toMatchObject({ paymentId: 'p2', currency: 'MYR', status: 'succeeded' });
    expect(
      toRefund({ id: 'r3', status: 'pending_refund', amount: 1 }, { paymentId: 'p3', currency: 'USD' }),
    ).toMatchObject({ paymentId: 'p3', currency: 'USD', status: 'pending' });
    expect(
      toRefund({ id: 'r4', status: 'error', amount: 1, currency: 'USD' }, { paymentId: 'p' }).status,
    ).toBe('failed');
  });
});

describe('CreatePaymentInput → POST /purchases/ body', () => {
  const input = {
    amount: 3500,
    currency: 'myr',
    reference: 'order-77',
    customer: { email: 'aisha@example.com', name: 'Aisha' },
    capture: 'manual' as const,
    saveMethod: true,
    returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
    callbackUrl: 'https://shop.example/callback',
  };
  const settings = {
    brandId: 'brand-1',
    creatorAgent: 'tijara-ummah/0.1.0',
    capture: 'manual' as const,
    saveMethod: true,
  };

  it('maps every field', () => {
    expect(toCreatePurchaseRequest(input, settings)).toEqual({
      brand_id: 'brand-1',
      client: { email: 'aisha@example.com', full_name: 'Aisha' },
      purchase: { currency: 'MYR', products: [{ name: 'Order order-77', price: 3500, quantity: 1 }] },
      reference: 'order-77',
      success_redirect: 'https://shop.example/ok',
      failure_redirect: 'https://shop.example/ko',
      success_callback: 'https://shop.example/callback',
      skip_capture: true,
      force_recurring: true,
      creator_agent: 'tijara-ummah/0.1.0',
      platform: 'api',
    });
  });

  it('keeps line items, pinning the total when they do not add up', () => {
    const lineItems = [{ name: 'Dates', price: 1000, quantity: 3 }];
    expect(toCreatePurchaseRequest({ ...input, amount: 3000, lineItems }, settings).purchase).toEqual({
      currency: 'MYR',
      products: lineItems,
    });
    expect(toCreatePurchaseRequest({ ...input, amount: 3500, lineItems }, settings).purchase).toEqual({
      currency: 'MYR',
      products: lineItems,
      total_override: 3500,
    });
  });

  it('uses the gateway client id when the store has one', () => {
    const body = toCreatePurchaseRequest(
      { ...input, customer: { email: 'a@b.co', gatewayCustomerId: 'cli-9' } },
      settings,
    );
    expect(body.client_id).toBe('cli-9');
    expect(body.client).toBeUndefined();
  });

  it('refuses fractional amounts and unknown currencies', () => {
    expect(() => toCreatePurchaseRequest({ ...input, amount: 35.5 }, settings)).toThrow(MoneyError);
    expect(() => toCreatePurchaseRequest({ ...input, currency: 'ABC' }, settings)).toThrow(MoneyError);
  });
});

describe('saved card display data', () => {
  it('reads brand, last four, expiry and holder from a recurring token or transaction_data.extra', async () => {
    const { cardDisplayOf } = await import('../src/transformers.js');
    expect(
      cardDisplayOf({
        card_brand: 'visa',
        masked_pan: '424242******4242',
        expiry_month: '12',
        expiry_year: 30,
        cardholder_name: 'Aisha Rahman',
      }),
    ).toEqual({
      brand: 'visa',
      last4: '4242',
      expiryMonth: 12,
      expiryYear: 2030,
      holderName: 'Aisha Rahman',
    });
    expect(cardDisplayOf({ masked_pan: null, expiry_year: 2031 })).toEqual({ expiryYear: 2031 });
    expect(cardDisplayOf(undefined)).toEqual({});
  });
});
