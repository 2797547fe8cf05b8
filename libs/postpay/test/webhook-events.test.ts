import { InvalidResponseError } from '@tijara/core';
import { parsePostpayEvent } from '@tijara/postpay';
import { loadEndpointFixtures, readFixture } from './support/fixtures.js';

const mapping = { testMode: true };

describe('hook deliveries → GatewayEvent', () => {
  it('an approved order is an authorization, complete enough to settle on', () => {
    const body = readFixture<Record<string, unknown>>('webhooks/order-approved.json');
    const event = parsePostpayEvent(body, mapping);
    expect(event).toMatchObject({
      id: 'evt_5b0c1f7e2d8a4c3b9e6f0a1d2c3b4a59',
      type: 'payment.authorized',
      rawType: 'order.approved',
      paymentId: 'order-01',
      payment: { id: 'order-01', status: 'authorized', amount: 81480, currency: 'AED', capturedAmount: 0 },
      createdAt: new Date('2020-05-08T10:57:31.421Z'),
      raw: body,
    });
  });

  it('a captured order leaves the payment out, since the order does not say what was refunded', () => {
    const event = parsePostpayEvent(readFixture('webhooks/order-captured.json'), mapping);
    expect(event).toMatchObject({ type: 'payment.paid', paymentId: 'order-01' });
    expect(event.payment).toBeUndefined();
  });

  it('a refund transaction names its order', () => {
    const event = parsePostpayEvent(readFixture('webhooks/transaction-refund.json'), mapping);
    expect(event).toMatchObject({
      id: 'evt_7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d',
      type: 'payment.refunded',
      rawType: 'transaction.refund',
      paymentId: 'order-01',
    });
    expect(event.payment).toBeUndefined();
  });

  it('reads a bare order or transaction too, with an id stable across retries', () => {
    const fixtures = loadEndpointFixtures();
    const order = {
      ...(fixtures.get('orders.list')!.response.body as { results: object[] }).results[0],
      status: 'denied',
    };
    const first = parsePostpayEvent(order, mapping);
    expect(first).toMatchObject({
      id: 'order:order-01:denied:2020-05-08T10:58:04.095618Z',
      type: 'payment.failed',
      payment: { status: 'failed' },
    });
    expect(parsePostpayEvent({ ...order }, mapping).id).toBe(first.id);
    const transaction = fixtures.get('transactions.retrieve')!.response.body;
    expect(parsePostpayEvent(transaction, mapping)).toMatchObject({
      id: 'transaction:09737e0fa4ef47ba855bdd59f172318b',
      type: 'payment.paid',
      paymentId: 'order-01',
    });
  });

  it('maps the other order statuses, and keeps an unknown one as `other`', () => {
    const base = readFixture<{ data: Record<string, unknown> }>('webhooks/order-approved.json');
    const typeFor = (status: string) =>
      parsePostpayEvent({ ...base, data: { ...base.data, status } }, mapping).type;
    expect(typeFor('pending')).toBe('payment.created');
    expect(typeFor('cancelled')).toBe('payment.canceled');
    expect(typeFor('expired')).toBe('payment.expired');
    expect(typeFor('under_review')).toBe('other');
  });

  it('refuses bodies that are not an event', () => {
    expect(() => parsePostpayEvent([1, 2], mapping)).toThrow(InvalidResponseError);
    expect(() => parsePostpayEvent({ event: 'order', data: { status: 'approved' } }, mapping)).toThrow(
      /does not carry an order/,
    );
    expect(() => parsePostpayEvent({ hello: 'world' }, mapping)).toThrow(/neither an event/);
  });
});
