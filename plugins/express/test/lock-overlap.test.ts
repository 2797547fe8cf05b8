/**
 * A settlement slower than its lock's lease (a slow gateway, a slow store handler) must not let a second
 * settlement of the same payment in: the lease is renewed while the first one works, so the store's handler
 * runs once. Real sandbox (with injected latency), real SQLite stores, the real plugin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStores, type LockStore, type Stores } from '@tijara/core';
import type { PaymentEvent } from '@tijara/express';
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

const LEASE_MS = 300;
const GATEWAY_LATENCY_MS = 1_000;

/** When set, every lock's holder must be done within this many ms (the pipeline's own deadline is minutes). */
let deadlineMs: number | undefined;

/**
 * The plugin asks for 30 s leases; this lock store (real SQLite underneath) grants every lease `ttlMs` instead,
 * so that a settlement outlives its lease in a test's time.
 */
function shortLeases(locks: LockStore, ttlMs: number): LockStore {
  return {
    withLock: (key, _ttlMs, fn, options) =>
      locks.withLock(key, ttlMs, fn, deadlineMs === undefined ? options : { ...options, deadlineMs }),
    close: () => locks.close(),
  };
}

let sandbox: RunningSandbox;
let store: StoreHarness;
let stores: Stores;
let dir: string;
const paid: PaymentEvent[] = [];
let onFirstPaid: (() => Promise<void>) | undefined;

async function slowGateway(paymentId: string): Promise<void> {
  const response = await fetch(`${sandbox.url}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'latency',
      latency_ms: GATEWAY_LATENCY_MS,
      method: 'GET',
      path: `/api/v1/purchases/${paymentId}/`,
    }),
  });
  expect(response.status).toBe(201);
}

async function paidOrder() {
  const order = store.createOrder();
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  const [payment] = await store.tijara.listPayments(order.id);
  await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
  return { order, paymentId: payment!.paymentId };
}

beforeAll(async () => {
  sandbox = await startTestSandbox();
  dir = mkdtempSync(join(tmpdir(), 'tijara-lock-overlap-'));
  const sqlite = createSqliteStores(join(dir, 'stores.sqlite'));
  stores = { events: sqlite.events, locks: shortLeases(sqlite.locks, LEASE_MS), close: () => sqlite.close() };
  store = await startStore({
    sandbox,
    // Settlements are started by the test alone, not by webhook deliveries.
    registerWebhook: false,
    plugin: {
      stores,
      on: {
        'payment.paid': async (event) => {
          paid.push(event);
          const first = onFirstPaid;
          onFirstPaid = undefined;
          await first?.();
        },
      },
    },
  });
});
afterEach(async () => {
  deadlineMs = undefined;
  await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
});
afterAll(async () => {
  await store.close();
  await stores.close();
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a settlement slower than its lease keeps the lock: a second one waits, and the handler runs once', async () => {
  const { order, paymentId } = await paidOrder();
  // Every read of the payment now takes longer than a lease.
  await slowGateway(paymentId);

  // While the first settlement hands `payment.paid` to the store (its lease long outlived by the slow read), a
  // second settlement of the same payment starts. Had the first lease lapsed, the second would take the lock and
  // hand the still-undelivered event to the store again. The handler waits for it, but not forever: with the
  // lock held, the second settlement can only start once the handler has returned.
  let second: Promise<unknown> | undefined;
  onFirstPaid = async () => {
    second = store.tijara.settleOrder(order.id);
    await Promise.race([second, new Promise((resolve) => setTimeout(resolve, LEASE_MS * 6))]);
  };
  await store.tijara.settleOrder(order.id);
  expect(second).toBeDefined();
  await second;

  expect(paid.map((event) => [event.orderId, event.type])).toEqual([[order.id, 'payment.paid']]);
  await eventually(async () =>
    expect((await store.tijara.listPayments(order.id)).map((p) => p.status)).toEqual(['paid']),
  );
});

test('a settlement still waiting on the gateway at its deadline is aborted, and changes nothing', async () => {
  const { order, paymentId } = await paidOrder();
  await slowGateway(paymentId);
  deadlineMs = LEASE_MS / 2;
  // The lease's signal reaches the driver's call: it is abandoned at the deadline, not waited out.
  const aborted = await store.tijara.settleOrder(order.id).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(aborted).toMatchObject({ type: 'connection', code: 'ABORTED' });
  expect((aborted as Error).cause).toMatchObject({ type: 'lock_lost', code: 'lock_deadline' });
  expect((await store.tijara.listPayments(order.id)).map((p) => p.status)).toEqual(['pending']);
  expect(paid.filter((event) => event.orderId === order.id)).toEqual([]);

  // Nothing was lost: the next settlement, in time, records the payment and tells the store once.
  deadlineMs = undefined;
  await store.tijara.settleOrder(order.id);
  expect(paid.filter((event) => event.orderId === order.id).map((event) => event.type)).toEqual([
    'payment.paid',
  ]);
});
