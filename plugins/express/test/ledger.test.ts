/**
 * What the plugin keeps in `@tijara/ledger` (whose own battery covers the records themselves), on both
 * backends it opens from a URL: each attempt with its gateway and terms, refunds as operations under the merchant's
 * refund id, and the store's events in the outbox.
 */
import { randomUUID } from 'node:crypto';
import type { RunningSandbox } from '@tijara/sandbox';
import { createTestDatabase, type TestDatabase } from '@tijara/testkit';
import {
  CARDS,
  eventually,
  payOnSandbox,
  postForm,
  startStore,
  startTestSandbox,
  type StoreHarness,
} from './support/harness.js';

let sandbox: RunningSandbox;
// A PostgreSQL database of this run's own, created here and dropped at the end.
let database: TestDatabase;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  database = await createTestDatabase('express_ledger');
});
afterAll(async () => {
  await sandbox.close();
  await database.drop();
});

describe.each([
  ['SQLite (the default)', undefined],
  ['PostgreSQL', () => database.url],
] as const)('the ledger on %s', (_name, databaseOf) => {
  let store: StoreHarness;
  beforeAll(async () => {
    store = await startStore({ sandbox, ...(databaseOf ? { database: databaseOf() } : {}) });
  });
  afterAll(async () => {
    await store.close();
  });

  test('an attempt is recorded with its gateway and terms, and its event is queued, then delivered', async () => {
    const order = store.createOrder({ customer: { id: 'cust-ledger', email: 'l@example.com' } });
    await postForm(`${store.url}/payments/checkout`, { orderId: order.id, saveMethod: 'on' });
    const [payment] = await store.tijara.listPayments(order.id);
    const row = await store.tijara.ledger.payments.find('ummah', payment!.paymentId);
    expect(row).toMatchObject({
      key: `express:${order.id}:1`,
      gateway: 'ummah',
      orderId: order.id,
      attempt: 1,
      amount: 12_500,
      currency: 'MYR',
      captureMode: 'automatic',
      status: 'pending',
      customerKey: 'cust-ledger',
      metadata: { kind: 'hosted', saveMethod: true },
      nextAction: { type: 'redirect', method: 'GET', url: payment!.checkoutUrl },
      idempotencyKey: expect.stringMatching(new RegExp(`^checkout:${order.id}:1:`)),
    });
    await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
    await eventually(async () => {
      await sandbox.settle();
      expect(store.events.filter((e) => e.orderId === order.id).map((e) => e.type)).toEqual(['payment.paid']);
    });
    await store.tijara.ledger.flush();
    expect((await store.tijara.ledger.outbox.list(row!.key)).map((m) => [m.topic, m.status])).toEqual([
      ['payment.paid', 'delivered'],
    ]);
    // The card the buyer chose to keep is the ledger's, for this customer and gateway.
    expect(await store.tijara.listSavedMethods('cust-ledger')).toEqual([
      expect.objectContaining({
        customerKey: 'cust-ledger',
        gateway: 'ummah',
        sourcePaymentId: payment!.paymentId,
      }),
    ]);
  });

  test("a refund is a ledger operation under the merchant's refund id; the cap is the ledger's", async () => {
    const order = store.createOrder();
    await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
    const [payment] = await store.tijara.listPayments(order.id);
    await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
    await store.tijara.settleOrder(order.id);
    const refundId = `re_${randomUUID()}`;
    await store.tijara.refund(order.id, { amount: 2_500, refundId });
    const operation = await store.tijara.ledger.operations.get(refundId);
    expect(operation).toMatchObject({
      kind: 'refund',
      paymentKey: `express:${order.id}:1`,
      amount: 2_500,
      status: 'succeeded',
      gatewayId: expect.any(String),
    });
    await expect(store.tijara.refund(order.id, { amount: 10_001 })).rejects.toMatchObject({
      code: 'refund_exceeds_refundable',
      refundable: 10_000,
    });
    expect(await store.tijara.ledger.operations.list(`express:${order.id}:1`, 'refund')).toHaveLength(1);
  });
});

describe("the gateway's raw object in queued events", () => {
  test.each([
    [false, 'a fresh hand-over has it; a hand-over from the queue does not'],
    [true, 'with queueRawPayment, a hand-over from the queue has it too'],
  ] as const)('queueRawPayment %s: %s', async (queueRawPayment, _title) => {
    const store = await startStore({
      sandbox,
      registerWebhook: false,
      plugin: { deliveries: { queueRawPayment } },
    });
    try {
      const fresh = store.createOrder();
      await postForm(`${store.url}/payments/checkout`, { orderId: fresh.id });
      const [first] = await store.tijara.listPayments(fresh.id);
      await payOnSandbox(sandbox, first!.paymentId, CARDS.ok);
      await store.tijara.settleOrder(fresh.id);
      expect(store.events.find((e) => e.orderId === fresh.id)?.payment.raw).toMatchObject({
        id: first!.paymentId,
      });

      const queued = store.createOrder();
      await postForm(`${store.url}/payments/checkout`, { orderId: queued.id });
      const [second] = await store.tijara.listPayments(queued.id);
      await payOnSandbox(sandbox, second!.paymentId, CARDS.ok);
      store.failNext('payment.paid');
      // The buyer's return settles it; the handler fails, so the event stays queued (the buyer still gets a page).
      await fetch(`${store.url}/payments/return/${queued.id}/1/success`, { redirect: 'manual' });
      expect(store.events.filter((e) => e.orderId === queued.id)).toEqual([]);
      await store.tijara.reconcile();
      const redelivered = store.events.find((e) => e.orderId === queued.id);
      expect(redelivered).toMatchObject({ type: 'payment.paid', amount: 12_500 });
      if (queueRawPayment) expect(redelivered?.payment.raw).toMatchObject({ id: second!.paymentId });
      else expect(redelivered?.payment.raw).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
