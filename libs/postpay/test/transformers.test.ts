import { InvalidRequestError, MoneyError, type CreatePaymentInput } from '@tijara/core';
import {
  checkoutSchema,
  createCheckoutRequestSchema,
  orderIdFor,
  orderSchema,
  referenceOf,
  refundSchema,
  toCheckoutRequest,
  toPayment,
  toRefund,
} from '@tijara/postpay';
import { loadEndpointFixtures } from './support/fixtures.js';

const fixtures = loadEndpointFixtures();
const seedCheckout = fixtures.get('checkouts.create')!.request.body as Record<string, unknown>;
// Core addresses have one phone, so the seed's `alt_phone` is the one field the contract cannot carry.
const { alt_phone: _altPhone, ...seedAddress } = seedCheckout.billing_address as Record<string, unknown>;
const seedOrder = orderSchema.parse(fixtures.get('orders.retrieve')!.response.body);

const address = {
  firstName: 'John',
  lastName: 'Doe',
  phone: '+971 50 199 8853',
  line1: 'The Gate District, DIFC',
  line2: 'Level 4, Precinct Building 5',
  city: 'Dubai',
  state: 'Dubai',
  country: 'ae',
  postalCode: '00000',
};

/** Seed 003's checkout example, as a store would describe it to the contract. */
const seedInput: CreatePaymentInput = {
  amount: 81480,
  currency: 'AED',
  reference: 'order-01',
  taxAmount: 3880,
  shipping: { name: 'Express Delivery', amount: 2000 },
  customer: {
    email: 'john@postpay.io',
    name: 'John Doe',
    reference: 'customer-01',
    billingAddress: address,
    shippingAddress: address,
  },
  lineItems: [
    {
      name: 'Wild Flower Eau de Parfum (50ml)',
      price: 84000,
      quantity: 1,
      reference: 'sku-01',
      url: 'https://www.example.ae/wild-flower.html',
    },
  ],
  capture: 'automatic',
  returnUrls: {
    success: 'https://www.example.ae/success',
    failure: 'https://www.example.ae/failure',
    cancel: 'https://www.example.ae/cancel',
  },
};

describe('CreatePaymentInput → POST /checkouts', () => {
  it('maps the seed’s example onto the seed’s request, the 10% discount found from the totals', () => {
    const request = toCheckoutRequest(seedInput, { orderId: 'order-01' });
    expect(createCheckoutRequestSchema.parse(request)).toEqual(request);
    expect(request).toMatchObject({
      order_id: 'order-01',
      total_amount: 81480,
      tax_amount: 3880,
      currency: 'AED',
      shipping: { name: 'Express Delivery', amount: 2000, address: seedAddress },
      billing_address: seedAddress,
      customer: { id: 'customer-01', email: 'john@postpay.io', first_name: 'John', last_name: 'Doe' },
      items: [
        { reference: 'sku-01', unit_price: 84000, qty: 1, url: 'https://www.example.ae/wild-flower.html' },
      ],
      discounts: [{ amount: 8400 }],
      merchant: seedCheckout.merchant,
    });
  });

  it('sends an order without lines as one item, with the store’s site as its page', () => {
    const request = toCheckoutRequest(
      { ...seedInput, lineItems: undefined, description: 'Perfume', shipping: undefined },
      { orderId: 'order-02' },
    );
    expect(request.items).toEqual([
      { reference: 'order-01', name: 'Perfume', url: 'https://www.example.ae', unit_price: 77600, qty: 1 },
    ]);
    expect(request.shipping).toMatchObject({ name: 'Shipping', amount: 0 });
    expect(request.discounts).toBeUndefined();
    expect(createCheckoutRequestSchema.safeParse(request).success).toBe(true);
  });

  it('adds lines that the items do not cover as "other charges", and a fractional quantity as its exact total', () => {
    const request = toCheckoutRequest(
      {
        ...seedInput,
        amount: 10000,
        taxAmount: 0,
        shipping: undefined,
        lineItems: [{ name: 'Saffron (g)', price: 1500, quantity: 2.5 }],
      },
      { orderId: 'order-03', storeUrl: 'https://shop.example' },
    );
    expect(request.items).toEqual([
      {
        reference: 'item-1',
        name: 'Saffron (g) × 2.5',
        url: 'https://shop.example',
        unit_price: 3750,
        qty: 1,
      },
      {
        reference: 'other-charges',
        name: 'Other charges',
        url: 'https://shop.example',
        unit_price: 6250,
        qty: 1,
      },
    ]);
    expect(createCheckoutRequestSchema.safeParse(request).success).toBe(true);
  });

  it('sends the cancel URL, or the failure URL, as cancel_url; no postal code as the seed’s 00000', () => {
    const request = toCheckoutRequest(
      {
        ...seedInput,
        returnUrls: { success: 'https://s.example/ok', failure: 'https://s.example/ko' },
        customer: {
          email: 'a@example.com',
          name: 'Aisha bint Rahman',
          shippingAddress: { line1: 'Al Wasl', city: 'Dubai', country: 'AE' },
        },
      },
      { orderId: 'order-04' },
    );
    expect(request.merchant).toEqual({
      confirmation_url: 'https://s.example/ok',
      cancel_url: 'https://s.example/ko',
    });
    expect(request.shipping.address).toEqual({
      first_name: 'Aisha bint',
      last_name: 'Rahman',
      line1: 'Al Wasl',
      city: 'Dubai',
      country: 'AE',
      postal_code: '00000',
    });
    expect(request.billing_address).toBeUndefined();
  });

  it('refuses, before sending, what Postpay requires and the store did not give', () => {
    let error: unknown;
    try {
      toCheckoutRequest(
        { ...seedInput, customer: { email: 'madonna@example.com', name: 'Madonna' } },
        { orderId: 'order-05' },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).details).toEqual({
      'shipping.address': ['This field is required.'],
    });

    expect(() =>
      toCheckoutRequest(
        {
          ...seedInput,
          customer: {
            ...seedInput.customer,
            name: 'Madonna',
            shippingAddress: { line1: 'x', city: 'y', country: 'AE' },
          },
        },
        { orderId: 'order-06' },
      ),
    ).toThrow(/shipping.address.last_name: This field is required/);
    expect(() => toCheckoutRequest({ ...seedInput, amount: 10.5 }, { orderId: 'order-07' })).toThrow(
      MoneyError,
    );
    expect(() =>
      toCheckoutRequest(
        { ...seedInput, lineItems: [{ name: 'Thread (m)', price: 333, quantity: 0.5 }] },
        { orderId: 'order-08' },
      ),
    ).toThrow(/not a whole number of minor units/);
  });
});

describe('order → Payment', () => {
  it('reads the seed’s captured order as paid, less what was refunded', () => {
    const payment = toPayment(seedOrder, { testMode: true, refundedAmount: 12050 });
    expect(payment).toMatchObject({
      id: 'order-01',
      status: 'partially_refunded',
      rawStatus: 'captured',
      amount: 81480,
      currency: 'AED',
      capturedAmount: 81480,
      refundedAmount: 12050,
      refundableAmount: 69430,
      nextAction: { type: 'none' },
      testMode: true,
      createdAt: new Date('2020-05-08T10:53:57.095Z'),
      updatedAt: new Date('2020-05-08T10:58:04.095Z'),
      raw: seedOrder,
    });
    expect(payment.reference).toBeUndefined();
  });

  it('holds an approval as authorized, with its expiry when the capture window is known', () => {
    const approved = { ...seedOrder, status: 'approved' };
    expect(toPayment(approved, { testMode: true })).toMatchObject({
      status: 'authorized',
      capturedAmount: 0,
      refundableAmount: 0,
    });
    expect(toPayment(approved, { testMode: true }).authorizationExpiresAt).toBeUndefined();
    expect(
      toPayment(approved, { testMode: true, captureWindowMs: 3_600_000 }).authorizationExpiresAt,
    ).toEqual(new Date('2020-05-08T11:58:04.095Z'));
  });

  it('gives back the store reference of an order id the driver made', () => {
    const id = orderIdFor('cart_42', 'attempt-1');
    expect(id).toMatch(/^cart_42-[0-9a-f]{12}$/);
    expect(orderIdFor('cart_42', 'attempt-1')).toBe(id);
    expect(orderIdFor('cart_42', 'attempt-2')).not.toBe(id);
    expect(referenceOf(id)).toBe('cart_42');
    expect(toPayment({ ...seedOrder, order_id: id }, { testMode: false }).reference).toBe('cart_42');
  });
});

describe('refund → Refund', () => {
  it('is succeeded, with the merchant’s refund id as id and reference', () => {
    const refund = refundSchema.parse(fixtures.get('orders.refunds.retrieve')!.response.body);
    expect(toRefund(refund, { paymentId: 'order-01', currency: 'AED' })).toEqual({
      id: 'refund-01',
      paymentId: 'order-01',
      amount: 12050,
      currency: 'AED',
      status: 'succeeded',
      reference: 'refund-01',
      raw: refund,
    });
  });

  it('the checkout answer validates', () => {
    expect(checkoutSchema.parse(fixtures.get('checkouts.create')!.response.body)).toMatchObject({
      token: 'e35f6487d0044ef4b52f6a399427b962',
    });
  });
});
