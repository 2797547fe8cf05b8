/**
 * What the plugin keeps in `@tijara/ledger` (whose own battery covers the records themselves), on both
 * backends it opens from a URL: each attempt with its gateway and terms, refunds as operations under the merchant's
 * refund id, and the store's events in the outbox.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { RunningSandbox } from '@tijara/sandbox';
import {
  CARDS,
  eventually,
  payOnSandbox,
  postForm,
  startStore,
  startTestSandbox,
  type StoreHarness,
} from './support/harness.js';

const adminUrl = process.env.TIJARA_TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432/postgres';
const database = `tijara_express_ledger_${process.pid}_${randomUUID().slice(0, 8)}`;
const postgresUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  await admin(`CREATE DATABASE ${database}`);
});
afterAll(async () => {
  await sandbox.close();
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe.each([
  ['SQLite (the default)', undefined],
  ['PostgreSQL', () => postgresUrl],
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
