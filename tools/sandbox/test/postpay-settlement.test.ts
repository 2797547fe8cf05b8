import {
  MemoryEventStore,
  MemoryLockStore,
  SettlementPipeline,
  type DomainEvent,
  type SettlementRecord,
} from '@tijara/core';
import { createPostpayDriver, type PostpayDriver } from '@tijara/postpay';
import { aedPayment } from '../../../libs/postpay/test/support/fixtures.js';
import type { RunningSandbox } from '../src/index.js';
import { control, start, startReceiver, type Receiver } from './helpers.js';

/**
 * Core's settlement pipeline on the Postpay driver against the sandbox: the buyer's return and the hook deliveries
 * settle the same order, and the approval is captured exactly once, whichever arrives first.
 */
const HOOK_SECRET = 'settlement-test-hook-secret-0001';
let sandbox: RunningSandbox;
let receiver: Receiver;
let postpay: PostpayDriver;

beforeAll(async () => {
  sandbox = await start();
  receiver = await startReceiver();
  const { merchantId, secretKey } = sandbox.gateways.postpay;
  postpay = createPostpayDriver({
    merchantId,
    secretKey,
    baseUrl: `${sandbox.url}/postpay`,
    webhooks: { secrets: [HOOK_SECRET] },
  });
  await postpay.client.hooks.create({ events: ['order'], url: `${receiver.url}/hooks`, secret: HOOK_SECRET });
});
afterAll(async () => {
  await receiver.close();
  await sandbox.close();
});

function store(record: SettlementRecord) {
  const committed: DomainEvent[] = [];
  let current = record;
  const pipeline = new SettlementPipeline({
    driver: postpay,
    events: new MemoryEventStore(),
    locks: new MemoryLockStore(),
    load: async (id) => (id === current.paymentId ? current : undefined),
    commit: async (next, events) => {
      current = next;
      committed.push(...events);
    },
  });
  return { pipeline, committed, current: () => current };
}

async function approvedCheckout(reference: string) {
  const payment = await postpay.createPayment(aedPayment(reference), { idempotencyKey: `${reference}-1` });
  const token = new URL((payment.nextAction as { url: string }).url).pathname.split('/').pop();
  const decision = await control(sandbox, 'POST', `/postpay/checkouts/${token}/approve`);
  const query = Object.fromEntries(new URL(decision.body.redirect_url as string).searchParams);
  return { payment, query };
}

const record = (paymentId: string): SettlementRecord => ({
  orderId: 'shop-order-1',
  paymentId,
  amount: 2999,
  currency: 'AED',
  status: 'pending',
  captureMode: 'automatic',
  refundedAmount: 0,
});

test('the return settles the order paid, capturing the approval once; the hooks change nothing more', async () => {
  const { payment, query } = await approvedCheckout('cart-s1');
  const shop = store(record(payment.id));

  const settled = await shop.pipeline.settleReturn({ query, paymentId: payment.id });
  expect(settled).toMatchObject({ outcome: 'settled', claimed: 'approved' });
  expect(shop.committed.map((e) => e.type)).toEqual(['payment.paid']);
  expect(shop.current()).toMatchObject({ status: 'paid', capturedAmount: 2999 });

  // The hooks for the approval and the capture arrive afterwards: nothing new happens, nothing is captured again.
  await sandbox.settle();
  for (const delivery of receiver.requests.filter((r) => r.json?.data?.order_id === payment.id)) {
    const result = await shop.pipeline.handleWebhook(
      delivery.body,
      delivery.headers as Record<string, string>,
    );
    expect(['unchanged', 'duplicate']).toContain(result.outcome);
  }
  expect(shop.committed).toHaveLength(1);
  const lines = await postpay.client.transactions.list({ type: 'order' });
  expect(lines.results.filter((line) => line.order?.order_id === payment.id)).toHaveLength(1);
});

test('the approval hook settles first and captures; the late return finds the order paid', async () => {
  const { payment, query } = await approvedCheckout('cart-s2');
  const shop = store(record(payment.id));
  await sandbox.settle();
  const approval = receiver.requests.find(
    (r) => r.json?.data?.order_id === payment.id && r.json?.data?.status === 'approved',
  )!;
  const fromHook = await shop.pipeline.handleWebhook(
    approval.body,
    approval.headers as Record<string, string>,
  );
  expect(fromHook).toMatchObject({ outcome: 'settled' });
  expect(shop.current().status).toBe('paid');

  expect(await shop.pipeline.settleReturn({ query, paymentId: payment.id })).toMatchObject({
    outcome: 'unchanged',
  });
  expect(shop.committed.map((e) => e.type)).toEqual(['payment.paid']);
  expect((await postpay.retrievePayment(payment.id)).status).toBe('paid');
});

test('an approval that expired before the return settles the order as cancelled, never paid', async () => {
  const { payment, query } = await approvedCheckout('cart-s3');
  const shop = store(record(payment.id));
  await sandbox.advanceClock(72 * 3600 + 1);
  const settled = await shop.pipeline.settleReturn({ query, paymentId: payment.id });
  expect(settled.claimed).toBe('approved');
  expect(shop.current().status).toBe('expired');
  expect(shop.committed.map((e) => e.type)).toEqual(['payment.canceled']);
});
