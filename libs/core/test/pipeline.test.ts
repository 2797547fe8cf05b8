import {
  MemoryEventStore,
  MemoryLockStore,
  Reconciler,
  SettlementPipeline,
  SignatureVerificationError,
  type DomainEvent,
  type EventStore,
  type GatewayDriver,
  type LockStore,
  type SettlementRecord,
} from '../src/index.js';
import { LedgerDriver } from './support/ledger-driver.js';

function setup(options: { failCommits?: number; now?: () => number; events?: EventStore } = {}) {
  const driver = new LedgerDriver();
  const records = new Map<string, SettlementRecord>();
  const delivered: DomainEvent[] = [];
  let failures = options.failCommits ?? 0;
  const memoryLocks = new MemoryLockStore();
  // Counts the payment locks taken (two writes each on the shared stores).
  const locks: LockStore & { taken: number } = {
    taken: 0,
    withLock(key, ttlMs, fn, lockOptions) {
      this.taken += 1;
      return memoryLocks.withLock(key, ttlMs, fn, lockOptions);
    },
    close: () => memoryLocks.close(),
  };
  const pipeline = new SettlementPipeline({
    driver: driver as unknown as GatewayDriver,
    events: options.events ?? new MemoryEventStore(),
    locks,
    load: async (paymentId) => records.get(paymentId),
    commit: async (next, events) => {
      // Yield so concurrent deliveries would interleave here if the lock did not serialize them.
      await new Promise((resolve) => setImmediate(resolve));
      if (failures > 0) {
        failures -= 1;
        throw new Error('store is down');
      }
      records.set(next.paymentId, next);
      delivered.push(...events);
    },
    now: options.now,
  });
  const open = (paymentId: string) =>
    records.set(paymentId, {
      orderId: `order_${paymentId}`,
      paymentId,
      amount: 5_000,
      currency: 'KWD',
      status: 'pending',
      captureMode: 'automatic',
      refundedAmount: 0,
    });
  return { driver, records, delivered, pipeline, open, locks };
}

describe('SettlementPipeline', () => {
  it('the same delivery five times concurrently settles once', async () => {
    const { driver, delivered, pipeline, open, records } = setup();
    open('p1');
    const paid = driver.put('p1', 'paid');
    const { body, headers } = driver.deliver({ id: 'evt_1', paymentId: 'p1', payment: paid });
    const results = await Promise.all(Array.from({ length: 5 }, () => pipeline.handleWebhook(body, headers)));
    expect(results.map((r) => r.outcome).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'settled',
    ]);
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
    expect(records.get('p1')?.status).toBe('paid');
    expect(driver.retrieveCalls).toBe(0);
  });

  it('a redelivery of a settled event is answered from the dedupe store, without taking the lock', async () => {
    const { driver, delivered, pipeline, open, locks } = setup();
    open('p1');
    const { body, headers } = driver.deliver({
      id: 'evt_1',
      paymentId: 'p1',
      payment: driver.put('p1', 'paid'),
    });
    expect((await pipeline.handleWebhook(body, headers)).outcome).toBe('settled');
    expect(locks.taken).toBe(1);
    const again = await pipeline.handleWebhook(body, headers);
    expect(again.outcome).toBe('duplicate');
    expect(again.gatewayEvent?.id).toBe('evt_1');
    expect(locks.taken).toBe(1);
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
  });

  it('an event recorded while a delivery waited for the lock is a duplicate under the lock', async () => {
    // The first check misses; by the time the lock is held, another delivery has settled and recorded it.
    const memory = new MemoryEventStore();
    let checks = 0;
    const events: EventStore = {
      has: async (key) => (++checks === 1 ? false : memory.has(key)),
      rememberOnce: (key, ttlMs) => memory.rememberOnce(key, ttlMs),
      forget: (key) => memory.forget(key),
      close: () => memory.close(),
    };
    const { driver, delivered, pipeline, open, locks } = setup({ events });
    open('p1');
    const { body, headers } = driver.deliver({
      id: 'evt_1',
      paymentId: 'p1',
      payment: driver.put('p1', 'paid'),
    });
    await memory.rememberOnce('ledger:event:evt_1', 60_000);
    const result = await pipeline.handleWebhook(body, headers);
    expect(result.outcome).toBe('duplicate');
    expect(checks).toBe(2);
    expect(locks.taken).toBe(1);
    expect(delivered).toEqual([]);
  });

  it('different events that report the same state settle once', async () => {
    const { driver, delivered, pipeline, open } = setup();
    open('p1');
    const paid = driver.put('p1', 'paid');
    const a = driver.deliver({ id: 'evt_a', paymentId: 'p1', payment: paid });
    const b = driver.deliver({ id: 'evt_b', paymentId: 'p1', payment: paid });
    const outcomes = await Promise.all([
      pipeline.handleWebhook(a.body, a.headers),
      pipeline.handleWebhook(b.body, b.headers),
    ]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['settled', 'unchanged']);
    expect(delivered).toHaveLength(1);
  });

  it('a tampered body is refused and changes nothing', async () => {
    const { driver, records, pipeline, open } = setup();
    open('p1');
    const { body, headers } = driver.deliver({
      id: 'evt_1',
      paymentId: 'p1',
      payment: driver.put('p1', 'paid'),
    });
    const tampered = Buffer.from(body.toString('utf8').replace('5000', '9000'));
    await expect(pipeline.handleWebhook(tampered, headers)).rejects.toBeInstanceOf(
      SignatureVerificationError,
    );
    expect(records.get('p1')?.status).toBe('pending');
  });

  it('a validly signed delivery older than the replay window is re-read, not dropped', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const { driver, delivered, pipeline, open } = setup({ now: () => now });
    open('p1');
    // The payload says "pending" (it was sent hours ago); the gateway now says paid.
    const old = driver.put('p1', 'pending');
    driver.put('p1', 'paid');
    const { body, headers } = driver.deliver({
      id: 'evt_old',
      paymentId: 'p1',
      payment: old,
      createdAt: new Date(now),
    });
    now += 6 * 3_600_000;
    const result = await pipeline.handleWebhook(body, headers);
    expect(result.refetched).toBe(true);
    expect(result.outcome).toBe('settled');
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
  });

  it('an out-of-order report of an earlier state is re-read and does not move the order back', async () => {
    const { driver, records, pipeline, open } = setup();
    open('p1');
    records.set('p1', { ...records.get('p1')!, status: 'paid' });
    const authorized = driver.put('p1', 'authorized');
    driver.put('p1', 'paid');
    const { body, headers } = driver.deliver({ id: 'evt_late', paymentId: 'p1', payment: authorized });
    const result = await pipeline.handleWebhook(body, headers);
    expect(result.refetched).toBe(true);
    expect(result.outcome).toBe('unchanged');
    expect(records.get('p1')?.status).toBe('paid');
  });

  it('when the store fails, the event is not marked done and the retry settles it', async () => {
    const { driver, delivered, pipeline, open, records } = setup({ failCommits: 1 });
    open('p1');
    const { body, headers } = driver.deliver({
      id: 'evt_1',
      paymentId: 'p1',
      payment: driver.put('p1', 'paid'),
    });
    await expect(pipeline.handleWebhook(body, headers)).rejects.toThrow('store is down');
    expect(records.get('p1')?.status).toBe('pending');
    const retry = await pipeline.handleWebhook(body, headers);
    expect(retry.outcome).toBe('settled');
    expect(delivered.map((e) => e.type)).toEqual(['payment.paid']);
  });

  it('refuses a payment whose amount differs from the order and changes nothing', async () => {
    const { driver, records, pipeline, open } = setup();
    open('p1');
    const { body, headers } = driver.deliver({
      id: 'evt_1',
      paymentId: 'p1',
      payment: driver.put('p1', 'paid', { amount: 1 }),
    });
    const result = await pipeline.handleWebhook(body, headers);
    expect(result.outcome).toBe('amount_mismatch');
    expect(records.get('p1')?.status).toBe('pending');
  });

  it('ignores events for payments the store does not know', async () => {
    const { driver, pipeline } = setup();
    const { body, headers } = driver.deliver({
      id: 'evt_x',
      paymentId: 'nobody',
      payment: driver.put('nobody', 'paid'),
    });
    expect((await pipeline.handleWebhook(body, headers)).outcome).toBe('ignored');
  });

  it('a browser redirect always re-reads the gateway', async () => {
    const { driver, pipeline, open, delivered } = setup();
    open('p1');
    driver.put('p1', 'authorized');
    const result = await pipeline.settlePayment('p1', 'redirect');
    expect(driver.retrieveCalls).toBe(1);
    expect(result.outcome).toBe('settled');
    expect(delivered.map((e) => e.type)).toEqual(['payment.authorized']);
  });
});

describe('Reconciler', () => {
  it('settles payments left pending and reports failures without stopping', async () => {
    const { driver, pipeline, open, records } = setup();
    open('p1');
    open('p2');
    open('gone');
    driver.put('p1', 'paid');
    driver.put('p2', 'failed');
    const reconciler = new Reconciler({
      pipeline,
      listUnsettled: async () =>
        [...records.values()].filter((r) => r.status === 'pending').map((r) => r.paymentId),
    });
    const report = await reconciler.sweep();
    expect(report).toMatchObject({ checked: 3, settled: 2, failed: 1 });
    expect(records.get('p1')?.status).toBe('paid');
    expect(records.get('p2')?.status).toBe('failed');
    const again = await reconciler.sweep();
    expect(again).toMatchObject({ checked: 1, settled: 0, failed: 1 });
  });
});
