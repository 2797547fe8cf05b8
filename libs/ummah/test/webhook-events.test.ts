import { InvalidResponseError } from '@tijara/core';
import {
  normalizeEventType,
  parseUmmahEvent,
  ummahEventId,
  ummahEventPaymentId,
  UMMAH_EVENT_TYPES,
} from '@tijara/ummah';
import { webhookEnvelopeSchema } from '../src/schemas/index.js';
import { readFixture } from './support/fixtures.js';

const P = 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e';

describe('webhook body shapes', () => {
  it('reads the documented envelope {id, type, created_on, object}', () => {
    const event = parseUmmahEvent(readFixture('webhooks/envelope-purchase-paid.json'));
    expect(event).toMatchObject({
      id: 'evt-a1b2c3d4-e5f6-7890',
      type: 'payment.paid',
      rawType: 'purchase.paid',
      paymentId: P,
      createdAt: new Date(1700000000 * 1000),
    });
    expect(event.payment).toMatchObject({ id: P, status: 'paid', amount: 2999, currency: 'USD' });
  });

  it("reads CHIP's Purchase with a top-level event_type, with a stable fallback id", () => {
    const body = readFixture<Record<string, unknown>>('webhooks/chip-purchase-paid.json');
    const event = parseUmmahEvent(body);
    expect(event).toMatchObject({
      id: `${P}:purchase.paid:1700000300`,
      type: 'payment.paid',
      rawType: 'purchase.paid',
      paymentId: P,
      createdAt: new Date(1700000300 * 1000),
    });
    expect(event.payment).toMatchObject({ status: 'paid', amount: 2999, currency: 'MYR', testMode: true });
    expect(event.payment?.savedMethod).toEqual({
      token: P,
      brand: 'visa',
      last4: '4242',
      expiryMonth: 12,
      expiryYear: 2029,
      holderName: 'JOHN DOE',
    });
    // A retry of the same delivery dedupes on the same id; a later change does not.
    expect(parseUmmahEvent(body).id).toBe(event.id);
    expect(parseUmmahEvent({ ...body, updated_on: 1700000400 }).id).not.toBe(event.id);
  });

  it("reads CHIP's payment.refunded Payment and links it to the purchase through related_to", () => {
    const event = parseUmmahEvent(readFixture('webhooks/chip-payment-refunded.json'));
    expect(event).toMatchObject({
      type: 'payment.refunded',
      rawType: 'payment.refunded',
      paymentId: P,
      id: 'a8f2c3d4-7b6e-4c1d-9e8f-0a1b2c3d4e5f:payment.refunded:1700001000',
    });
    expect(event.refund).toMatchObject({ paymentId: P, amount: 1000, currency: 'MYR', status: 'succeeded' });
    expect(event.payment).toBeUndefined();
  });

  it('reads an envelope whose object is the seed refund object', () => {
    const event = parseUmmahEvent(readFixture('webhooks/envelope-refund.json'));
    expect(event).toMatchObject({ id: 'evt-r1b2c3d4', type: 'payment.refunded', paymentId: P });
    expect(event.refund).toMatchObject({ amount: 1500, currency: 'USD', status: 'succeeded' });
  });

  it('reads a success_callback body (a bare Purchase) by its status', () => {
    const event = parseUmmahEvent(readFixture('webhooks/success-callback.json'));
    expect(event).toMatchObject({ type: 'payment.paid', rawType: 'success_callback', paymentId: P });
    expect(event.id).toBe(`${P}:success_callback:1700000300`);
  });

  it("hands over the purchase as sent: the payment's raw is the body's own object, fields it never reads untouched", () => {
    const envelope = readFixture<{ object: Record<string, unknown> }>('webhooks/envelope-purchase-paid.json');
    const body = { ...envelope, object: { ...envelope.object, brand_id: 42, a_field_added_later: [1] } };
    expect(parseUmmahEvent(body).payment?.raw).toBe(body.object);
    const bare = { ...readFixture<Record<string, unknown>>('webhooks/success-callback.json'), brand_id: 42 };
    expect(parseUmmahEvent(bare).payment?.raw).toBe(bare);
  });

  it('keeps an envelope whose object is partial: payment id known, payment left for a re-fetch', () => {
    const event = parseUmmahEvent({
      id: 'evt-1',
      type: 'purchase.cancelled',
      created_on: 1,
      object: { id: P },
    });
    expect(event).toMatchObject({ type: 'payment.canceled', paymentId: P });
    expect(event.payment).toBeUndefined();
  });

  it('keeps non-purchase events as other, without a payment id', () => {
    const event = parseUmmahEvent({
      id: 'evt-2',
      type: 'billing_template.client_activated',
      created_on: 1700000000,
      object: { id: 'btc-1', status: 'active' },
    });
    expect(event.type).toBe('other');
    expect(event.paymentId).toBeUndefined();
  });

  it.each([
    ['a string', 'purchase.paid'],
    ['an array', [1, 2]],
    ['an object of neither shape', { hello: 'world' }],
  ])('refuses %s', (_what, body) => {
    expect(() => parseUmmahEvent(body)).toThrow(InvalidResponseError);
  });
});

describe('the event id read before validation (openWebhook)', () => {
  it.each([
    'webhooks/envelope-purchase-paid.json',
    'webhooks/envelope-refund.json',
    'webhooks/chip-purchase-paid.json',
    'webhooks/chip-payment-refunded.json',
    'webhooks/success-callback.json',
  ])('%s: the id of the full parse, or none where the id needs the object', (file) => {
    const body = readFixture<Record<string, unknown>>(file);
    const cheap = ummahEventId(body);
    const event = parseUmmahEvent(body);
    if (file.includes('envelope')) expect(cheap).toBe(event.id);
    else expect(cheap).toBeUndefined();
    // The cheap payment id, when there is one, is the parsed event's.
    const paymentId = ummahEventPaymentId(body);
    if (paymentId !== undefined) expect(paymentId).toBe(event.paymentId);
    if (file === 'webhooks/envelope-purchase-paid.json') expect(paymentId).toBeDefined();
  });

  it.each([
    [{ id: 'e', type: 't', object: {} }],
    [{ id: 'e', type: 't', created_on: 1, object: { id: 'p' } }],
    [{ id: 'e', type: 't', created_on: '1', object: {} }],
    [{ id: 'e', type: 't', object: { id: 7 } }],
    [{ id: 'e', type: 't', object: [] }],
    [{ id: 'e', type: 't', object: null }],
    [{ id: 1, type: 't', object: {} }],
    [{ id: 'e', object: {} }],
  ])('agrees with the envelope schema on %j', (body) => {
    const schema = webhookEnvelopeSchema.safeParse(body);
    expect(ummahEventId(body)).toBe(schema.success ? schema.data.id : undefined);
  });

  it('a body that is no envelope has no cheap id, whatever its fields', () => {
    expect(ummahEventId({ id: 'x', type: 'purchase.paid' })).toBeUndefined();
    expect(
      ummahEventId({ id: 'x', type: 'purchase.paid', object: {}, event_type: 'purchase.paid' }),
    ).toBeUndefined();
    expect(ummahEventId('x')).toBeUndefined();
  });
});

describe('event type mapping', () => {
  it('maps every documented event name to a specific normalized type', () => {
    const others = UMMAH_EVENT_TYPES.filter((t) => normalizeEventType(t) === 'other');
    expect(others).toEqual(['purchase.viewed', 'billing_template.client_activated']);
  });

  it.each([
    ['purchase.paid', 'payment.paid'],
    ['purchase.captured', 'payment.paid'],
    ['purchase.hold', 'payment.authorized'],
    ['purchase.payment_failure', 'payment.failed'],
    ['purchase.pending_charge', 'payment.processing'],
    ['purchase.released', 'payment.canceled'],
    ['purchase.cancelled', 'payment.canceled'],
    ['purchase.refunded', 'payment.refunded'],
    ['payment.refunded', 'payment.refunded'],
    ['purchase.recurring_token_deleted', 'saved_method.deleted'],
    ['purchase.subscription_charge_failure', 'subscription.charge_failed'],
    // Not documented as events, but shaped like one: they follow the status mapping.
    ['purchase.expired', 'payment.expired'],
    ['purchase.chargeback', 'payment.disputed'],
    ['purchase.teleported', 'other'],
    ['payout.success', 'other'],
  ])('%s → %s', (raw, normalized) => {
    expect(normalizeEventType(raw)).toBe(normalized);
  });
});
