/**
 * The conformance battery of `@tijara/ledger` backends (SQLite, PostgreSQL): payments and attempts, the refund
 * and capture caps (also under concurrent refunds), processed events, the outbox (order per stream, leases and
 * fencing, backoff, exhaustion and its alert, at-least-once), the settlement journal (one commit, duplicates,
 * stale plans), and — with a child process — the same across processes, a crash between commit and delivery, and
 * concurrent start-up migrations. Call `runLedgerBattery` at the top level of a Jest test file.
 *
 * Every check asserts outcomes, never durations. Lease expiry is observed by waiting past short leases.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import {
  needsSweep,
  PAYMENT_STATUSES,
  type DomainEvent,
  type JournalRecord,
  type Payment,
  type PaymentStatus,
} from '@tijara/core';
import type {
  BatteryClaimedMessage,
  BatteryNewPayment,
  BatteryStreamClaim,
  LedgerSettings,
  LedgerUnderTest,
} from './ledger-battery-types.js';
import { sendLine, spawnTs, stopChild, waitForExit, waitForLine } from './spawn-ts.js';

export type * from './ledger-battery-types.js';

export interface LedgerBatteryOptions {
  /**
   * Open the ledger under test on tables named by `settings.tablePrefix` (the battery uses a fresh prefix per
   * run, and another one for the start-up race), with `settings.outbox` as its outbox policy.
   */
  open(settings: LedgerSettings): Promise<LedgerUnderTest>;
  /**
   * A module (absolute path or file: URL, TypeScript or JavaScript) exporting
   * `openLedgerUnderTest(settings)` that opens the same database from another process. Omit for a ledger no
   * second process can share (`sqlite::memory:`); the cross-process checks are then not registered.
   */
  readonly childModule?: string;
  /** Environment for the child processes (e.g. which database file or URL the module opens). */
  readonly childEnv?: Readonly<Record<string, string>>;
}

const TEST_TIMEOUT = 30_000;
const LEASE_MS = 400;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function childScript(): URL {
  const source = new URL('./ledger-battery-child.ts', import.meta.url);
  return existsSync(fileURLToPath(source)) ? source : new URL('./ledger-battery-child.js', import.meta.url);
}

interface ChildMessage {
  readonly event: string;
  readonly id?: string;
  readonly ok?: boolean;
  readonly delivered?: string[];
  readonly trues?: number;
  readonly outcome?: string;
  readonly error?: string;
  readonly message?: string;
}

function parse(line: string): ChildMessage | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as ChildMessage;
  } catch {
    return undefined;
  }
}

class LedgerChild {
  readonly process: ChildProcess;

  private constructor(child: ChildProcess) {
    this.process = child;
  }

  static async start(
    module: string,
    settings: LedgerSettings,
    label: string,
    env: Readonly<Record<string, string>> = {},
  ): Promise<LedgerChild> {
    const child = spawnTs(childScript(), [], {
      label,
      env: { ...env, TIJARA_LEDGER_BATTERY_CHILD: JSON.stringify({ module, settings }) },
    });
    const handle = new LedgerChild(child);
    await handle.expect('ready', undefined, 20_000);
    return handle;
  }

  send(command: Record<string, unknown>): void {
    sendLine(this.process, JSON.stringify(command));
  }

  async expect(event: string, id: string | undefined, timeoutMs = 15_000): Promise<ChildMessage> {
    const line = await waitForLine(
      this.process,
      (text) => {
        const message = parse(text);
        return (
          message !== undefined &&
          message.id === id &&
          (message.event === event || message.event === 'failed')
        );
      },
      timeoutMs,
    );
    const message = parse(line) as ChildMessage;
    if (message.event !== event) throw new Error(`child failed: ${message.error}: ${message.message}`);
    return message;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.send({ op: 'exit' });
      try {
        await waitForExit(this.process, 5_000);
        return;
      } catch {
        // Fall through to signals.
      }
    }
    await stopChild(this.process);
  }
}

/** A minimal normalized gateway payment for journal checks. */
function gatewayPayment(id: string, status: PaymentStatus, amount: number, refunded = 0): Payment {
  return {
    id,
    status,
    rawStatus: status,
    amount,
    currency: 'KWD',
    capturedAmount:
      status === 'paid' || status === 'partially_refunded' || status === 'refunded' ? amount : 0,
    refundedAmount: refunded,
    refundableAmount: amount - refunded,
    nextAction: { type: 'none' },
    testMode: true,
    raw: { id },
  };
}

function paidEvent(record: JournalRecord): DomainEvent {
  return {
    type: 'payment.paid',
    orderId: record.orderId,
    paymentId: record.paymentId,
    amount: record.amount,
    currency: record.currency,
    status: 'paid',
    refundedAmount: 0,
    payment: gatewayPayment(record.paymentId, 'paid', record.amount),
  };
}

const messagesOf = (claim: BatteryStreamClaim): readonly BatteryClaimedMessage[] =>
  claim.state === 'claimed' ? claim.messages : [];

const paidChange = (amount: number) => ({
  status: 'paid' as const,
  refundedAmount: 0,
  capturedAmount: amount,
  authorizationExpiresAt: undefined,
});

/** Register the ledger conformance checks as a Jest `describe` block named after `name`. */
export function runLedgerBattery(name: string, options: LedgerBatteryOptions): void {
  describe(`ledger battery: ${name}`, () => {
    const run = randomUUID().replaceAll('-', '').slice(0, 8);
    const tablePrefix = `lb${run}_`;
    const exhausted: Array<{ id: string; error: string }> = [];
    const settings: LedgerSettings = {
      tablePrefix,
      outbox: {
        leaseMs: LEASE_MS,
        baseDelayMs: 60_000,
        maxDelayMs: 60_000,
        maxAttempts: 3,
        onExhausted: (message, error) => {
          exhausted.push({ id: message.id, error: (error as Error).message });
        },
      },
    };
    let opened: LedgerUnderTest | undefined;
    const ledger = (): LedgerUnderTest => opened as LedgerUnderTest;
    let seq = 0;
    const id = (label: string) => `${label}-${run}-${++seq}`;

    /** A recorded payment with a gateway id, captured `paid` when asked. */
    async function payment(overrides: Partial<BatteryNewPayment> = {}) {
      const orderId = overrides.orderId ?? id('order');
      const { payment: created } = await ledger().payments.create({
        key: id('pay'),
        gateway: 'battery',
        paymentId: id('gw'),
        orderId,
        amount: 10_000,
        currency: 'KWD',
        captureMode: 'automatic',
        ...overrides,
      });
      return created;
    }

    async function paid(amount = 10_000) {
      const created = await payment({ amount });
      const journal = ledger().journal({ gateway: 'battery', deliver: () => undefined });
      const record = (await journal.load(created.paymentId as string)) as JournalRecord;
      const receipt = await journal.commit({
        eventTtlMs: 60_000,
        record,
        change: paidChange(amount),
        events: [],
      });
      expect(receipt.outcome).toBe('committed');
      return (await ledger().payments.get(created.key))!;
    }

    beforeAll(async () => {
      opened = await options.open(settings);
    }, TEST_TIMEOUT);
    afterAll(async () => {
      await opened?.close();
    }, TEST_TIMEOUT);

    describe('payments', () => {
      it('a payment round-trips; its key, order attempt and gateway id are each taken once', async () => {
        const created = await payment({ amount: 9_007_199_254_740_991, metadata: { kind: 'hosted', n: 1 } });
        expect(created).toMatchObject({
          gateway: 'battery',
          amount: 9_007_199_254_740_991,
          status: 'pending',
          attempt: 1,
          capturedAmount: 0,
          refundedAmount: 0,
          version: 0,
          metadata: { kind: 'hosted', n: 1 },
        });
        expect(created.createdAt).toBeInstanceOf(Date);
        expect(await ledger().payments.get(created.key)).toEqual(created);
        expect(await ledger().payments.find('battery', created.paymentId as string)).toEqual(created);
        expect(await ledger().payments.find('other-gateway', created.paymentId as string)).toBeUndefined();

        const same = { ...created, metadata: {} };
        const again = await ledger().payments.create({ ...same, paymentId: id('gw-other') });
        expect(again).toEqual({ payment: created, created: false });
        const sameAttempt = await ledger().payments.create({
          ...same,
          key: id('pay'),
          paymentId: id('gw-other'),
        });
        expect(sameAttempt).toEqual({ payment: created, created: false });
        const sameGatewayId = await ledger().payments.create({ ...same, key: id('pay'), attempt: 2 });
        expect(sameGatewayId).toEqual({ payment: created, created: false });
        expect(await ledger().payments.list(created.orderId)).toEqual([created]);
      });

      it('attempts of an order list oldest first; one gateway id may be reused by another gateway', async () => {
        const first = await payment();
        const second = await payment({
          orderId: first.orderId,
          attempt: 2,
          gateway: 'other-gateway',
          paymentId: first.paymentId,
        });
        expect((await ledger().payments.list(first.orderId)).map((p) => [p.attempt, p.gateway])).toEqual([
          [1, 'battery'],
          [2, 'other-gateway'],
        ]);
        expect((await ledger().payments.find('other-gateway', first.paymentId as string))?.key).toBe(
          second.key,
        );
      });

      it('a payment recorded before the gateway call is attached to the gateway id once', async () => {
        const { payment: recorded } = await ledger().payments.create({
          key: id('session'),
          gateway: 'battery',
          orderId: id('group'),
          amount: 500,
          currency: 'KWD',
          captureMode: 'manual',
        });
        expect(recorded.paymentId).toBeUndefined();
        const gatewayId = id('gw');
        const attached = await ledger().payments.attach(recorded.key, { paymentId: gatewayId });
        expect(attached).toMatchObject({ paymentId: gatewayId, version: recorded.version + 1 });
        await expect(ledger().payments.attach(recorded.key, { paymentId: gatewayId })).resolves.toMatchObject(
          {
            paymentId: gatewayId,
          },
        );
        await expect(ledger().payments.attach(recorded.key, { paymentId: id('gw') })).rejects.toMatchObject({
          code: 'payment_already_attached',
        });
      });

      it('update merges metadata, guards the version, and queues messages in the same transaction', async () => {
        const created = await payment({ metadata: { a: 1, b: 'x' } });
        const stream = id('stream');
        const updated = await ledger().payments.update(
          created.key,
          { expectedVersion: created.version, metadata: { b: null, c: true } },
          { enqueue: [{ id: id('msg'), topic: 'note', stream, payload: { hello: 'world' } }] },
        );
        expect(updated.metadata).toEqual({ a: 1, c: true });
        expect(updated.version).toBe(created.version + 1);
        expect((await ledger().outbox.list(stream)).map((m) => m.payload)).toEqual([{ hello: 'world' }]);

        const stale = ledger().payments.update(
          created.key,
          { expectedVersion: created.version, status: 'failed' },
          { enqueue: [{ topic: 'note', stream, payload: 2 }] },
        );
        await expect(stale).rejects.toMatchObject({ code: 'ledger_version_conflict' });
        // Nothing of the refused update was written: neither the row nor its message.
        expect((await ledger().payments.get(created.key))?.status).toBe('pending');
        expect(await ledger().outbox.list(stream)).toHaveLength(1);
      });

      it("unsettled() follows core's needsSweep for every status, and adds payments with waiting messages", async () => {
        const gateway = id('sweep');
        const expected: string[] = [];
        const withoutCoa: string[] = [];
        for (const status of PAYMENT_STATUSES) {
          for (const captureMode of ['automatic', 'manual'] as const) {
            const p = await payment({ gateway, status, captureMode });
            if (needsSweep(status, { captureMode, captureOnApproval: true })) expected.push(p.key);
            if (needsSweep(status, { captureMode, captureOnApproval: false })) withoutCoa.push(p.key);
          }
        }
        const window = {
          createdBefore: new Date(Date.now() + 60_000),
          createdAfter: new Date(Date.now() - 60_000),
        };
        const keys = async (captureOnApproval: boolean) =>
          (await ledger().payments.unsettled({ gateway, captureOnApproval, ...window }))
            .map((p) => p.key)
            .sort();
        expect(await keys(true)).toEqual([...expected].sort());
        expect(await keys(false)).toEqual([...withoutCoa].sort());
        // Outside the age window nothing is due…
        const old = await ledger().payments.unsettled({
          gateway,
          captureOnApproval: true,
          createdBefore: new Date(Date.now() - 60_000),
          createdAfter: new Date(0),
        });
        expect(old).toEqual([]);
        // …except a payment whose messages still wait to be handed over, whatever its age and status.
        const done = await payment({ gateway, status: 'paid' });
        await ledger().outbox.enqueue([
          { id: id('msg'), topic: 'payment.paid', stream: done.key, payload: {} },
        ]);
        const waiting = await ledger().payments.unsettled({
          gateway,
          captureOnApproval: true,
          createdBefore: new Date(0),
          createdAfter: new Date(0),
        });
        expect(waiting.map((p) => p.key)).toEqual([done.key]);
      });
    });

    describe('refunds, captures and voids', () => {
      it('the cumulative refund cap is enforced before anything is written', async () => {
        const p = await paid(10_000);
        const first = await ledger().operations.record({
          id: id('re'),
          kind: 'refund',
          paymentKey: p.key,
          amount: 6_000,
        });
        expect(first).toMatchObject({ created: true, operation: { amount: 6_000, status: 'pending' } });
        const over = id('re');
        await expect(
          ledger().operations.record({ id: over, kind: 'refund', paymentKey: p.key, amount: 4_001 }),
        ).rejects.toMatchObject({ code: 'refund_exceeds_refundable', refundable: 4_000, requested: 4_001 });
        expect((await ledger().operations.list(p.key)).map((o) => o.id)).toEqual([first.operation.id]);
        // A failed refund gives its amount back; a pending one keeps it.
        await ledger().operations.resolve(first.operation.id, { status: 'failed', failure: 'declined' });
        const rest = await ledger().operations.record({ id: id('re'), kind: 'refund', paymentKey: p.key });
        expect(rest.operation.amount).toBe(10_000);
        await expect(
          ledger().operations.record({ id: id('re'), kind: 'refund', paymentKey: p.key }),
        ).rejects.toMatchObject({ code: 'refund_exceeds_refundable', refundable: 0 });
      });

      it("a merchant refund id is the operation's identity: repeated, it answers the first; reused, it is refused", async () => {
        const p = await paid(5_000);
        const refundId = id('merchant-refund');
        const first = await ledger().operations.record({
          id: refundId,
          kind: 'refund',
          paymentKey: p.key,
          amount: 1_000,
        });
        const again = await ledger().operations.record({
          id: refundId,
          kind: 'refund',
          paymentKey: p.key,
          amount: 1_000,
        });
        expect(again).toEqual({ operation: first.operation, created: false });
        await expect(
          ledger().operations.record({ id: refundId, kind: 'refund', paymentKey: p.key, amount: 2_000 }),
        ).rejects.toMatchObject({ code: 'operation_id_reused' });
        const resolved = await ledger().operations.resolve(refundId, {
          status: 'succeeded',
          gatewayId: 'gw-re-1',
        });
        expect(resolved).toMatchObject({ status: 'succeeded', gatewayId: 'gw-re-1' });
        await ledger().operations.resolve(refundId, { status: 'succeeded' });
        expect((await ledger().operations.list(p.key, 'refund'))[0]?.gatewayId).toBe('gw-re-1');
      });

      it('what the gateway says is still refundable narrows the cap', async () => {
        const p = await paid(5_000);
        await expect(
          ledger().operations.record(
            { id: id('re'), kind: 'refund', paymentKey: p.key, amount: 3_000 },
            { available: 2_500 },
          ),
        ).rejects.toMatchObject({ refundable: 2_500 });
        const fits = await ledger().operations.record(
          { id: id('re'), kind: 'refund', paymentKey: p.key },
          { available: 2_500 },
        );
        expect(fits.operation.amount).toBe(2_500);
      });

      it('20 concurrent refunds of 1,000 on 7,500 captured: exactly 7 are recorded', async () => {
        const p = await paid(7_500);
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () =>
            ledger().operations.record({ id: id('re'), kind: 'refund', paymentKey: p.key, amount: 1_000 }),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
        for (const r of results) {
          if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'refund_exceeds_refundable' });
        }
        const total = (await ledger().operations.list(p.key, 'refund')).reduce(
          (sum, o) => sum + (o.amount ?? 0),
          0,
        );
        expect(total).toBe(7_000);
      });

      it('captures are capped at the authorized amount; a void has no amount', async () => {
        const p = await payment({ captureMode: 'manual', amount: 3_000 });
        await ledger().operations.record({
          id: id('cap'),
          kind: 'capture',
          paymentKey: p.key,
          amount: 2_000,
        });
        await expect(
          ledger().operations.record({ id: id('cap'), kind: 'capture', paymentKey: p.key, amount: 1_001 }),
        ).rejects.toMatchObject({ code: 'capture_exceeds_authorized', capturable: 1_000 });
        const voided = await ledger().operations.record({
          id: id('void'),
          kind: 'void',
          paymentKey: p.key,
          amount: 99,
        });
        expect(voided.operation.amount).toBeUndefined();
        await expect(
          ledger().operations.record({
            id: id('re'),
            kind: 'refund',
            paymentKey: 'no-such-payment',
            amount: 1,
          }),
        ).rejects.toMatchObject({ code: 'payment_not_found' });
      });
    });

    describe('processed events', () => {
      it('rememberOnce: 50 concurrent calls, one true; has, forget', async () => {
        const key = id('evt');
        const results = await Promise.all(
          Array.from({ length: 50 }, () => ledger().events.rememberOnce(key, 60_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await ledger().events.has(key)).toBe(true);
        expect(await ledger().events.has(`${key}-other`)).toBe(false);
        await ledger().events.forget(key);
        expect(await ledger().events.has(key)).toBe(false);
        expect(await ledger().events.rememberOnce(key, 60_000)).toBe(true);
      });

      it('an expired event id can be recorded again', async () => {
        const key = id('evt');
        expect(await ledger().events.rememberOnce(key, 200)).toBe(true);
        await sleep(400);
        expect(await ledger().events.has(key)).toBe(false);
        expect(await ledger().events.rememberOnce(key, 60_000)).toBe(true);
      });
    });

    describe('outbox', () => {
      it('enqueueing an id twice queues it once; a stream hands its messages over in order, one holder at a time', async () => {
        const stream = id('stream');
        const ids = [id('m'), id('m'), id('m')];
        await ledger().outbox.enqueue(ids.map((mid, n) => ({ id: mid, topic: 't', stream, payload: { n } })));
        await ledger().outbox.enqueue([{ id: ids[0] as string, topic: 't', stream, payload: { n: 99 } }]);
        const claim = await ledger().outbox.claimStream(stream);
        expect(claim.state).toBe('claimed');
        const messages = claim.state === 'claimed' ? claim.messages : [];
        expect(messages.map((m) => m.id)).toEqual(ids);
        expect(messages.map((m) => m.payload)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
        // Held: nobody else gets the stream, not even its head.
        const other = await ledger().outbox.claimStream(stream);
        expect(other.state).toBe('busy');
        const heads = await ledger().outbox.claim({ limit: 1000 });
        expect(heads.filter((m) => m.stream === stream)).toEqual([]);
        for (const m of messages) expect(await ledger().outbox.complete(m)).toBe(true);
        expect((await ledger().outbox.list(stream)).map((m) => m.status)).toEqual([
          'delivered',
          'delivered',
          'delivered',
        ]);
        expect((await ledger().outbox.claimStream(stream)).state).toBe('empty');
      });

      it('claim() takes only the head of each stream', async () => {
        const a = id('stream');
        const b = id('stream');
        await ledger().outbox.enqueue([
          { id: id('m'), topic: 't', stream: a, payload: 1 },
          { id: id('m'), topic: 't', stream: a, payload: 2 },
          { id: id('m'), topic: 't', stream: b, payload: 3 },
        ]);
        const claimed = (await ledger().outbox.claim({ limit: 1000 })).filter(
          (m) => m.stream === a || m.stream === b,
        );
        expect(claimed.map((m) => m.payload).sort()).toEqual([1, 3]);
        for (const m of claimed) await ledger().outbox.complete(m);
        const next = (await ledger().outbox.claim({ limit: 1000 })).filter(
          (m) => m.stream === a || m.stream === b,
        );
        expect(next.map((m) => m.payload)).toEqual([2]);
        for (const m of next) await ledger().outbox.complete(m);
      });

      it('fencing: after a lease runs out and another holder claims, the first holder can neither complete nor fail', async () => {
        const stream = id('stream');
        await ledger().outbox.enqueue([{ id: id('m'), topic: 't', stream, payload: 'x' }]);
        const first = await ledger().outbox.claimStream(stream, { leaseMs: 150 });
        expect(first.state).toBe('claimed');
        await sleep(300);
        const second = await ledger().outbox.claimStream(stream);
        expect(second.state).toBe('claimed');
        const stale = messagesOf(first)[0] as BatteryClaimedMessage;
        const fresh = messagesOf(second)[0] as BatteryClaimedMessage;
        expect(fresh.fence).toBeGreaterThan(stale.fence);
        expect(await ledger().outbox.complete(stale)).toBe(false);
        expect(await ledger().outbox.fail(stale, new Error('late'))).toBe('fenced');
        expect(await ledger().outbox.complete(fresh)).toBe(true);
        expect((await ledger().outbox.get(fresh.id))?.status).toBe('delivered');
      });

      it('a failed message backs off; after maxAttempts it is dead, the alert runs once, and its stream waits until it is revived', async () => {
        const stream = id('stream');
        const [bad, next] = [id('m'), id('m')];
        await ledger().outbox.enqueue([
          { id: bad, topic: 't', stream, payload: 'bad' },
          { id: next, topic: 't', stream, payload: 'next' },
        ]);
        for (let attempt = 1; attempt <= 3; attempt++) {
          const claim = await ledger().outbox.claimStream(stream);
          expect(claim.state).toBe('claimed');
          const head = messagesOf(claim)[0] as BatteryClaimedMessage;
          expect(head.id).toBe(bad);
          const outcome = await ledger().outbox.fail(head, new Error(`handler failed ${attempt}`));
          expect(outcome).toBe(attempt < 3 ? 'retry' : 'dead');
          if (attempt === 1) {
            // Backoff: a worker does not see it before its time (a minute here).
            const stored = await ledger().outbox.get(bad);
            expect(stored?.availableAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
            expect((await ledger().outbox.claim({ limit: 1000 })).some((m) => m.stream === stream)).toBe(
              false,
            );
          }
        }
        expect(exhausted.filter((e) => e.id === bad)).toEqual([{ id: bad, error: 'handler failed 3' }]);
        expect((await ledger().outbox.get(bad))?.status).toBe('dead');
        expect((await ledger().outbox.claimStream(stream)).state).toBe('blocked');
        expect(await ledger().outbox.revive(bad)).toBe(true);
        const delivered: string[] = [];
        await ledger().outbox.deliverStream(stream, (m) => {
          delivered.push(m.id);
        });
        expect(delivered).toEqual([bad, next]);
      });

      it('at least once, and once while leases hold: 4 concurrent drains over 60 messages in 6 streams', async () => {
        const streams = Array.from({ length: 6 }, () => id('stream'));
        const messages = streams.flatMap((stream) =>
          Array.from({ length: 10 }, (_, n) => ({ id: id('m'), topic: 't', stream, payload: n })),
        );
        await ledger().outbox.enqueue(messages);
        const seen: Array<{ stream: string; n: number; id: string }> = [];
        const drain = async () => {
          for (;;) {
            const claimed = (await ledger().outbox.claim({ limit: 4, leaseMs: 30_000 })).filter((m) =>
              streams.includes(m.stream),
            );
            if (claimed.length === 0) return;
            for (const m of claimed) {
              seen.push({ stream: m.stream, n: m.payload as number, id: m.id });
              await ledger().outbox.complete(m);
            }
          }
        };
        await Promise.all([drain(), drain(), drain(), drain()]);
        expect(seen.map((s) => s.id).sort()).toEqual(messages.map((m) => m.id).sort());
        for (const stream of streams) {
          expect(seen.filter((s) => s.stream === stream).map((s) => s.n)).toEqual([
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
          ]);
        }
      });
    });

    describe('settlement journal', () => {
      it('one commit records the event, applies the change and queues the message, handed over after it', async () => {
        const created = await payment();
        const delivered: BatteryClaimedMessage[] = [];
        const journal = ledger().journal({ gateway: 'battery', deliver: (m) => void delivered.push(m) });
        const record = (await journal.load(created.paymentId as string)) as JournalRecord;
        expect(record).toMatchObject({ status: 'pending', version: 0, undelivered: false, amount: 10_000 });
        const eventKey = id('evt');
        const receipt = await journal.commit({
          eventKey,
          eventTtlMs: 60_000,
          record,
          change: paidChange(10_000),
          events: [paidEvent(record)],
        });
        expect(receipt.outcome).toBe('committed');
        expect(await journal.events?.has(eventKey)).toBe(true);
        expect(await ledger().payments.get(created.key)).toMatchObject({
          status: 'paid',
          capturedAmount: 10_000,
          version: 1,
        });
        expect(delivered).toEqual([]);
        await receipt.deliver();
        expect(delivered.map((m) => [m.topic, (m.payload as DomainEvent).orderId])).toEqual([
          ['payment.paid', created.orderId],
        ]);
        await ledger().flush();
        expect((await ledger().outbox.list(created.key)).map((m) => m.status)).toEqual(['delivered']);
      });

      it('a recorded event is a duplicate and a moved record is stale: neither writes anything', async () => {
        const created = await payment();
        const journal = ledger().journal({ gateway: 'battery', deliver: () => undefined });
        const record = (await journal.load(created.paymentId as string)) as JournalRecord;
        const eventKey = id('evt');
        const entry = {
          eventKey,
          eventTtlMs: 60_000,
          record,
          change: paidChange(10_000),
          events: [paidEvent(record)],
        };
        await (await journal.commit(entry)).deliver();
        expect((await journal.commit({ ...entry, change: undefined, events: [] })).outcome).toBe('duplicate');
        const other = id('evt');
        const stale = await journal.commit({
          ...entry,
          eventKey: other,
          change: { ...paidChange(10_000), status: 'refunded', refundedAmount: 10_000 },
        });
        expect(stale.outcome).toBe('stale');
        expect(await journal.events?.has(other)).toBe(false);
        expect(await ledger().payments.get(created.key)).toMatchObject({ status: 'paid', version: 1 });
        expect(await ledger().outbox.list(created.key)).toHaveLength(1);
      });

      it('ten concurrent commits of one event: one is committed and its message handed over once', async () => {
        const created = await payment();
        const delivered: string[] = [];
        const journal = ledger().journal({ gateway: 'battery', deliver: (m) => void delivered.push(m.id) });
        const record = (await journal.load(created.paymentId as string)) as JournalRecord;
        const eventKey = id('evt');
        const receipts = await Promise.all(
          Array.from({ length: 10 }, () =>
            journal.commit({
              eventKey,
              eventTtlMs: 60_000,
              record,
              change: paidChange(10_000),
              events: [paidEvent(record)],
            }),
          ),
        );
        expect(receipts.map((r) => r.outcome).sort()).toEqual(['committed', ...Array(9).fill('duplicate')]);
        await Promise.all(receipts.map((r) => r.deliver()));
        expect(delivered).toHaveLength(1);
      });

      it("a handler that fails leaves its message queued; the payment's next settlement hands it over first, in order", async () => {
        const created = await payment();
        const delivered: string[] = [];
        let failNext = true;
        const journal = ledger().journal({
          gateway: 'battery',
          deliver: (m) => {
            if (failNext) {
              failNext = false;
              throw new Error('store handler down');
            }
            delivered.push((m.payload as DomainEvent).type);
          },
        });
        const record = (await journal.load(created.paymentId as string)) as JournalRecord;
        const first = await journal.commit({
          eventKey: id('evt'),
          eventTtlMs: 60_000,
          record,
          change: paidChange(10_000),
          events: [paidEvent(record)],
        });
        await expect(first.deliver()).rejects.toThrow('store handler down');
        const after = (await journal.load(created.paymentId as string)) as JournalRecord;
        expect(after).toMatchObject({ status: 'paid', undelivered: true });
        const refunded: DomainEvent = {
          ...paidEvent(after),
          type: 'payment.refunded',
          status: 'refunded',
          refundedAmount: 10_000,
        };
        const second = await journal.commit({
          eventKey: id('evt'),
          eventTtlMs: 60_000,
          record: after,
          change: { ...paidChange(10_000), status: 'refunded', refundedAmount: 10_000 },
          events: [refunded],
        });
        await second.deliver();
        expect(delivered).toEqual(['payment.paid', 'payment.refunded']);
        await ledger().flush();
        expect((await ledger().outbox.list(created.key)).map((m) => [m.status, m.attempts])).toEqual([
          ['delivered', 1],
          ['delivered', 0],
        ]);
      });
    });

    const childModule = options.childModule;
    const acrossProcesses = (title: string, body: () => void) => {
      if (childModule) describe(title, body);
    };
    acrossProcesses('across processes', () => {
      let child: LedgerChild | undefined;
      const other = (): LedgerChild => child as LedgerChild;
      // The child's own settings: no alert hook (functions do not cross processes), the same short leases.
      const childSettings: LedgerSettings = {
        tablePrefix,
        outbox: { leaseMs: LEASE_MS, baseDelayMs: 60_000 },
      };

      beforeAll(async () => {
        child = await LedgerChild.start(
          childModule as string,
          childSettings,
          `${name} ledger child`,
          options.childEnv,
        );
      }, TEST_TIMEOUT);
      afterAll(async () => {
        await child?.stop();
      }, TEST_TIMEOUT);

      it(
        'refunds from two processes at once never exceed the cap',
        async () => {
          const p = await paid(10_000);
          const startAt = Date.now() + 200;
          const commands = Array.from({ length: 10 }, () => randomUUID());
          for (const commandId of commands) {
            other().send({
              op: 'refund',
              id: commandId,
              paymentKey: p.key,
              refundId: id('re'),
              amount: 1_000,
              startAt,
            });
          }
          await sleep(startAt - Date.now());
          const here = await Promise.allSettled(
            Array.from({ length: 10 }, () =>
              ledger().operations.record({ id: id('re'), kind: 'refund', paymentKey: p.key, amount: 1_000 }),
            ),
          );
          const there = await Promise.all(commands.map((c) => other().expect('refund', c)));
          const recorded =
            here.filter((r) => r.status === 'fulfilled').length + there.filter((r) => r.ok).length;
          expect(recorded).toBe(10);
          const total = (await ledger().operations.list(p.key, 'refund')).reduce(
            (sum, o) => sum + (o.amount ?? 0),
            0,
          );
          expect(total).toBe(10_000);
        },
        TEST_TIMEOUT,
      );

      it(
        'two processes draining one outbox: every message is handed over by exactly one of them',
        async () => {
          const streams = Array.from({ length: 8 }, () => id('stream'));
          const messages = streams.flatMap((stream) =>
            Array.from({ length: 5 }, (_, n) => ({ id: id('m'), topic: 't', stream, payload: n })),
          );
          await ledger().outbox.enqueue(messages);
          const commandId = randomUUID();
          const startAt = Date.now() + 200;
          other().send({ op: 'drain', id: commandId, leaseMs: 30_000, startAt });
          await sleep(startAt - Date.now());
          const here: string[] = [];
          for (;;) {
            const claimed = await ledger().outbox.claim({ limit: 5, leaseMs: 30_000 });
            if (claimed.length === 0) break;
            for (const m of claimed) if (await ledger().outbox.complete(m)) here.push(m.id);
          }
          const there = (await other().expect('drained', commandId)).delivered ?? [];
          const ours = new Set(messages.map((m) => m.id));
          const all = [...here, ...there].filter((m) => ours.has(m));
          expect(all.sort()).toEqual([...ours].sort());
          expect(new Set(all).size).toBe(all.length);
        },
        TEST_TIMEOUT,
      );

      it(
        '50 concurrent rememberOnce calls split across two processes: exactly one is true',
        async () => {
          const key = id('evt');
          const commandId = randomUUID();
          const startAt = Date.now() + 150;
          other().send({ op: 'remember', id: commandId, key, count: 25, startAt });
          await sleep(startAt - Date.now());
          const here = await Promise.all(
            Array.from({ length: 25 }, () => ledger().events.rememberOnce(key, 60_000)),
          );
          const there = await other().expect('remembered', commandId);
          expect(here.filter(Boolean).length + (there.trues ?? 0)).toBe(1);
        },
        TEST_TIMEOUT,
      );

      it(
        'a process killed between commit and hand-over: the settlement stands and its message is delivered once the lease ends',
        async () => {
          const created = await payment();
          const doomed = await LedgerChild.start(
            childModule as string,
            childSettings,
            `${name} crashing child`,
            options.childEnv,
          );
          const eventKey = id('evt');
          try {
            const commandId = randomUUID();
            doomed.send({
              op: 'crash-after-commit',
              id: commandId,
              gateway: 'battery',
              paymentId: created.paymentId,
              eventKey,
            });
            expect((await doomed.expect('committed', commandId)).outcome).toBe('committed');
            const exit = await waitForExit(doomed.process);
            expect(exit.signal).toBe('SIGKILL');
          } finally {
            await stopChild(doomed.process);
          }
          expect(await ledger().payments.get(created.key)).toMatchObject({ status: 'paid', version: 1 });
          expect(await ledger().events.has(`${eventKey}`)).toBe(true);
          const journal = ledger().journal({
            gateway: 'battery',
            deliver: () => undefined,
            deliveryWaitMs: 10_000,
          });
          const record = (await journal.load(created.paymentId as string)) as JournalRecord;
          expect(record.undelivered).toBe(true);
          // The gateway's retry of the same event is a duplicate: the settlement is not applied twice.
          const retry = await journal.commit({
            eventKey,
            eventTtlMs: 60_000,
            record,
            change: paidChange(10_000),
            events: [paidEvent(record)],
          });
          expect(retry.outcome).toBe('duplicate');
          const delivered: string[] = [];
          await ledger().outbox.deliverStream(created.key, (m) => void delivered.push(m.topic), {
            waitMs: 10_000,
          });
          expect(delivered).toEqual(['payment.paid']);
          await ledger().flush();
          expect((await ledger().outbox.list(created.key)).map((m) => m.status)).toEqual(['delivered']);
        },
        TEST_TIMEOUT,
      );

      it(
        'three processes starting at once on empty tables migrate them exactly once',
        async () => {
          const fresh: LedgerSettings = { tablePrefix: `lm${run}_` };
          const starting = await Promise.allSettled(
            [1, 2, 3].map((n) =>
              LedgerChild.start(childModule as string, fresh, `${name} start-up ${n}`, options.childEnv),
            ),
          );
          try {
            expect(starting.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
            const here = await options.open(fresh);
            try {
              const { payment: created } = await here.payments.create({
                key: id('pay'),
                gateway: 'battery',
                orderId: id('order'),
                amount: 1,
                currency: 'KWD',
                captureMode: 'automatic',
              });
              expect(created.version).toBe(0);
              // Every start-up succeeded (a migration run twice would have failed one on an existing table).
              expect((await here.migrations()).length).toBeGreaterThan(0);
            } finally {
              await here.close();
            }
          } finally {
            await Promise.all(
              starting.map((s) => (s.status === 'fulfilled' ? s.value.stop() : Promise.resolve())),
            );
          }
        },
        TEST_TIMEOUT,
      );

      it(
        'the other process exits by itself once its ledger is closed (nothing left open)',
        async () => {
          other().send({ op: 'exit' });
          const exit = await waitForExit(other().process, 10_000);
          expect(exit).toEqual({ code: 0, signal: null });
        },
        TEST_TIMEOUT,
      );
    });
  });
}
