/**
 * The conformance battery every EventStore / LockStore implementation must pass. Call `runStoreBattery` at the
 * top level of a Jest test file; it registers its own describe/it blocks.
 *
 * Every check asserts outcomes (how many callers won, whether a section ran, which error was thrown), never
 * how long something took, so it does not flake on a slow machine. Keys carry a random run id, so several runs
 * may share one database or Redis.
 */
import { randomUUID } from 'node:crypto';
import { LockLostError, LockTimeoutError, type EventStore, type Lease, type LockStore } from '@tijara/core';
import { BatteryChild, batteryChildScript, type BatteryMessage } from './battery-child.js';
import { stopChild, waitForExit } from './spawn-ts.js';

export interface StoreBatteryProcesses {
  /**
   * A `createStores()` URL naming the same backend as the parent's stores (same file, Redis or database),
   * plus JSON-serializable `createStores` options such as `prefix` or `tablePrefix`.
   */
  readonly url?: string;
  readonly options?: Record<string, unknown>;
  /**
   * Or an absolute path (or file: URL) of a module, TypeScript or JavaScript, exporting `createEventStore()`
   * and `createLockStore()` that open the same backend; for stores `createStores` does not know.
   */
  readonly module?: string;
}

export interface StoreBatteryOptions {
  /** Opened once before the checks and closed after them. */
  createEventStore(): EventStore | Promise<EventStore>;
  createLockStore(): LockStore | Promise<LockStore>;
  /**
   * How a second process opens the same stores. Omit for stores that cannot be shared between processes
   * (memory, `sqlite::memory:`); the cross-process checks are then not registered, as they do not apply. A
   * function is called once the stores above are open, for a backend whose address is known only then (e.g. a
   * database `createEventStore` created).
   */
  readonly processes?: StoreBatteryProcesses | (() => StoreBatteryProcesses);
}

const LONG_TTL = 60_000;
const TEST_TIMEOUT = 30_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise plus its resolve function, to hold a critical section open until the test says so. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves with what `promise` does, or rejects after `ms` so a broken store fails the test, not hangs it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Rejection of a call that may also throw synchronously. */
function settle<T>(call: () => Promise<T>): Promise<T> {
  return Promise.resolve().then(call);
}

interface ChildMessage extends BatteryMessage {
  readonly fence?: number;
  readonly trues?: number;
}

type StoreChild = BatteryChild<ChildMessage>;

function startStoreChild(processes: StoreBatteryProcesses, label: string): Promise<StoreChild> {
  return BatteryChild.start<ChildMessage>(
    batteryChildScript('store-battery-child'),
    { TIJARA_STORE_BATTERY_CHILD: JSON.stringify(processes) },
    label,
  );
}

/** Register the store conformance checks as a Jest `describe` block named after `name`. */
export function runStoreBattery(name: string, options: StoreBatteryOptions): void {
  describe(`store battery: ${name}`, () => {
    const run = randomUUID().slice(0, 8);
    const key = (label: string): string => `battery:${run}:${label}`;
    let events: EventStore | undefined;
    let locks: LockStore | undefined;
    const eventStore = (): EventStore => events as EventStore;
    const lockStore = (): LockStore => locks as LockStore;

    beforeAll(async () => {
      events = await options.createEventStore();
      locks = await options.createLockStore();
    }, TEST_TIMEOUT);

    afterAll(async () => {
      await events?.close();
      await locks?.close();
    }, TEST_TIMEOUT);

    describe('event store', () => {
      it('rememberOnce is true the first time, then false while the key is remembered', async () => {
        const k = key('once');
        expect(await eventStore().rememberOnce(k, LONG_TTL)).toBe(true);
        expect(await eventStore().rememberOnce(k, LONG_TTL)).toBe(false);
        expect(await eventStore().rememberOnce(k, LONG_TTL)).toBe(false);
      });

      it('50 concurrent rememberOnce calls on one key: exactly one is true', async () => {
        const k = key('concurrent');
        const results = await Promise.all(
          Array.from({ length: 50 }, () => eventStore().rememberOnce(k, LONG_TTL)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('different keys are independent', async () => {
        const keys = Array.from({ length: 20 }, (_, i) => key(`independent-${i}`));
        const first = await Promise.all(keys.map((k) => eventStore().rememberOnce(k, LONG_TTL)));
        expect(first).toEqual(keys.map(() => true));
        const second = await Promise.all(keys.map((k) => eventStore().rememberOnce(k, LONG_TTL)));
        expect(second).toEqual(keys.map(() => false));
        // Neither a prefix nor a different case of a remembered key counts as remembered.
        expect(await eventStore().has(key('independent'))).toBe(false);
        expect(await eventStore().has(key('INDEPENDENT-1'))).toBe(false);
      });

      it('has() tells whether a key is remembered', async () => {
        const k = key('has');
        expect(await eventStore().has(k)).toBe(false);
        await eventStore().rememberOnce(k, LONG_TTL);
        expect(await eventStore().has(k)).toBe(true);
        expect(await eventStore().has(key('has-other'))).toBe(false);
      });

      it('forget() drops a key so it can be remembered again', async () => {
        const k = key('forget');
        expect(await eventStore().rememberOnce(k, LONG_TTL)).toBe(true);
        await eventStore().forget(k);
        expect(await eventStore().has(k)).toBe(false);
        expect(await eventStore().rememberOnce(k, LONG_TTL)).toBe(true);
        expect(await eventStore().rememberOnce(k, LONG_TTL)).toBe(false);
        await expect(eventStore().forget(key('forget-never-remembered'))).resolves.toBeUndefined();
      });

      it('a key can be remembered again once its ttl has passed', async () => {
        const k = key('ttl');
        const ttl = 300;
        const startedAt = Date.now();
        expect(await eventStore().rememberOnce(k, ttl)).toBe(true);
        const stillRemembered = await eventStore().has(k);
        // Only meaningful if the machine was quick enough to ask within the ttl.
        if (Date.now() - startedAt < ttl - 50) expect(stillRemembered).toBe(true);
        await sleep(ttl + 200);
        expect(await eventStore().has(k)).toBe(false);
        expect(await eventStore().rememberOnce(k, LONG_TTL)).toBe(true);
        expect(await eventStore().rememberOnce(k, LONG_TTL)).toBe(false);
      });

      it('rejects a ttl that is not a positive number', async () => {
        for (const ttl of [0, -1, Number.NaN]) {
          await expect(settle(() => eventStore().rememberOnce(key('bad-ttl'), ttl))).rejects.toThrow();
        }
        expect(await eventStore().has(key('bad-ttl'))).toBe(false);
      });
    });

    describe('lock store', () => {
      it('withLock returns what fn returns', async () => {
        await expect(lockStore().withLock(key('value'), LONG_TTL, async () => 42)).resolves.toBe(42);
      });

      it(
        'overlapping critical sections on one key never interleave',
        async () => {
          const k = key('mutex');
          let holders = 0;
          let maxHolders = 0;
          let completed = 0;
          await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              lockStore().withLock(
                k,
                LONG_TTL,
                async () => {
                  holders++;
                  maxHolders = Math.max(maxHolders, holders);
                  // Give every other contender a chance to run while this one holds the lock.
                  await sleep(i % 3);
                  await new Promise((resolve) => setImmediate(resolve));
                  holders--;
                  completed++;
                },
                { waitMs: 25_000 },
              ),
            ),
          );
          expect(maxHolders).toBe(1);
          expect(completed).toBe(20);
        },
        TEST_TIMEOUT,
      );

      it('different keys do not exclude each other', async () => {
        const both = await lockStore().withLock(key('outer'), LONG_TTL, () =>
          lockStore().withLock(key('inner'), LONG_TTL, async () => 'both held', { waitMs: 0 }),
        );
        expect(both).toBe('both held');
      });

      it('gives up with LockTimeoutError after waitMs, without running fn', async () => {
        const k = key('timeout');
        let ran = false;
        const attempt = (waitMs: number): Promise<unknown> =>
          lockStore().withLock(
            k,
            LONG_TTL,
            async () => {
              ran = true;
            },
            { waitMs },
          );
        await lockStore().withLock(k, LONG_TTL, async () => {
          await expect(attempt(0)).rejects.toBeInstanceOf(LockTimeoutError);
          await expect(attempt(150)).rejects.toBeInstanceOf(LockTimeoutError);
        });
        expect(ran).toBe(false);
        await attempt(0);
        expect(ran).toBe(true);
      });

      it(
        'a waiter gets the lock once the holder is done',
        async () => {
          const k = key('handover');
          const holding = signal();
          const finish = signal();
          let holderDone = false;
          const holder = lockStore().withLock(k, LONG_TTL, async () => {
            holding.resolve();
            await finish.promise;
            holderDone = true;
          });
          await holding.promise;
          const waiter = lockStore().withLock(k, LONG_TTL, async () => holderDone, { waitMs: 20_000 });
          await sleep(50);
          finish.resolve();
          await holder;
          expect(await within(waiter, 25_000, 'waiter')).toBe(true);
        },
        TEST_TIMEOUT,
      );

      it('the lock is released when fn throws, and the error reaches the caller', async () => {
        const k = key('throws');
        const failure = new Error('fn failed');
        await expect(
          lockStore().withLock(k, LONG_TTL, async () => {
            throw failure;
          }),
        ).rejects.toBe(failure);
        await expect(
          lockStore().withLock(k, LONG_TTL, async () => 'free again', { waitMs: 0 }),
        ).resolves.toBe('free again');
      });

      it(
        'the lease is renewed while its holder works: a holder slower than its ttl keeps the lock',
        async () => {
          const k = key('renewed');
          const ttl = 600;
          let attempts = 0;
          let taken = 0;
          const seen = await lockStore().withLock(k, ttl, async (lease) => {
            const until = Date.now() + ttl * 3;
            while (Date.now() < until) {
              await sleep(ttl / 4);
              attempts++;
              const outcome = await settle(() =>
                lockStore().withLock(k, LONG_TTL, async () => 'taken', { waitMs: 0 }),
              ).catch((error: unknown) => (error instanceof LockTimeoutError ? 'refused' : error));
              if (outcome !== 'refused') taken++;
            }
            await lease.assertHeld();
            return { aborted: lease.signal.aborted, key: lease.key };
          });
          expect(attempts).toBeGreaterThanOrEqual(3);
          expect(taken).toBe(0);
          expect(seen).toEqual({ aborted: false, key: k });
        },
        TEST_TIMEOUT,
      );

      it('every lease carries a fence greater than that of every earlier lease on the key', async () => {
        const k = key('fences');
        const fences: number[] = [];
        for (let i = 0; i < 3; i++)
          await lockStore().withLock(k, LONG_TTL, async (l) => void fences.push(l.fence));
        // Contended: the order the holders got the lock in is the order they record their fence in.
        await Promise.all(
          Array.from({ length: 6 }, () =>
            lockStore().withLock(k, LONG_TTL, async (l) => void fences.push(l.fence), { waitMs: 20_000 }),
          ),
        );
        expect(fences).toHaveLength(9);
        for (const fence of fences) expect(Number.isSafeInteger(fence)).toBe(true);
        for (let i = 1; i < fences.length; i++) expect(fences[i]!).toBeGreaterThan(fences[i - 1]!);
        // Another key's leases draw from the same order: never below what this key has seen.
        const other = await lockStore().withLock(key('fences-other'), LONG_TTL, async (l) => l.fence);
        expect(other).toBeGreaterThan(0);
      });

      it(
        "past its deadline a holder's signal aborts and its lease lapses; the next holder's fence is greater and the late holder is refused",
        async () => {
          const k = key('deadline');
          const firstHolding = signal<Lease>();
          const secondHolding = signal<number>();
          let lateCheck: unknown;
          const first = lockStore().withLock(
            k,
            300,
            async (lease) => {
              firstHolding.resolve(lease);
              // The first holder ignores its signal and overruns until a second one has taken the lock over.
              await within(secondHolding.promise, 20_000, 'takeover');
              lateCheck = await lease.assertHeld().then(
                () => 'still held',
                (error: unknown) => error,
              );
            },
            { deadlineMs: 100 },
          );
          const firstLease = await firstHolding.promise;
          const lateRelease = await lockStore().withLock(
            k,
            LONG_TTL,
            async (lease) => {
              secondHolding.resolve(lease.fence);
              await first;
              // The first holder has now "released"; the lock must still be the second holder's.
              return settle(() =>
                lockStore().withLock(k, LONG_TTL, async () => 'stolen', { waitMs: 0 }),
              ).then(
                () => 'lock was free',
                (error: unknown) => (error instanceof LockTimeoutError ? 'still held' : error),
              );
            },
            { waitMs: 20_000 },
          );
          expect(lateRelease).toBe('still held');
          expect(firstLease.signal.aborted).toBe(true);
          expect(firstLease.signal.reason).toBeInstanceOf(LockLostError);
          expect((firstLease.signal.reason as LockLostError).code).toBe('lock_deadline');
          expect(await secondHolding.promise).toBeGreaterThan(firstLease.fence);
          expect(lateCheck).toBeInstanceOf(LockLostError);
          expect((lateCheck as LockLostError).code).toBe('lock_taken_over');
          await expect(firstLease.assertHeld()).rejects.toBeInstanceOf(LockLostError);
        },
        TEST_TIMEOUT,
      );

      it('rejects a ttl or deadline that is not a positive number, without running fn', async () => {
        let ran = false;
        const run = async () => {
          ran = true;
        };
        for (const ttl of [0, -5, Number.NaN]) {
          await expect(settle(() => lockStore().withLock(key('bad-ttl'), ttl, run))).rejects.toThrow();
        }
        for (const deadlineMs of [0, -1, Number.NaN]) {
          await expect(
            settle(() => lockStore().withLock(key('bad-deadline'), LONG_TTL, run, { deadlineMs })),
          ).rejects.toThrow();
        }
        expect(ran).toBe(false);
      });
    });

    // A process-local store (memory, sqlite::memory:) cannot be shared, so these checks do not apply to it.
    const acrossProcesses = (title: string, body: () => void) => {
      if (options.processes) describe(title, body);
    };
    const processes = (): StoreBatteryProcesses => {
      const given = options.processes as StoreBatteryProcesses | (() => StoreBatteryProcesses);
      return typeof given === 'function' ? given() : given;
    };
    acrossProcesses('across processes', () => {
      let child: StoreChild | undefined;
      const other = (): StoreChild => child as StoreChild;

      beforeAll(async () => {
        child = await startStoreChild(processes(), `${name} child`);
      }, TEST_TIMEOUT);

      afterAll(async () => {
        await child?.stop();
      }, TEST_TIMEOUT);

      it(
        'a lock held by another process excludes this one until it is released; fences keep rising across both',
        async () => {
          const k = key('cross-hold');
          const id = randomUUID();
          const before = await lockStore().withLock(k, LONG_TTL, async (lease) => lease.fence);
          other().send({ op: 'hold', id, key: k, ttlMs: LONG_TTL, waitMs: 10_000 });
          const holding = await other().expect('holding', id);

          let ran = false;
          const attempt = (waitMs: number): Promise<number> =>
            lockStore().withLock(
              k,
              LONG_TTL,
              async (lease) => {
                ran = true;
                return lease.fence;
              },
              { waitMs },
            );
          await expect(attempt(300)).rejects.toBeInstanceOf(LockTimeoutError);
          expect(ran).toBe(false);

          other().send({ op: 'release', id });
          await other().expect('released', id);
          const after = await attempt(10_000);
          expect(ran).toBe(true);
          expect(holding.fence).toBeGreaterThan(before);
          expect(after).toBeGreaterThan(holding.fence ?? Infinity);
        },
        TEST_TIMEOUT,
      );

      it(
        'a lock held by this process excludes the other one',
        async () => {
          const k = key('cross-held-here');
          const id = randomUUID();
          await lockStore().withLock(k, LONG_TTL, async () => {
            other().send({ op: 'hold', id, key: k, ttlMs: LONG_TTL, waitMs: 300 });
            const message = await other().next('holding', id);
            expect(message.event).toBe('failed');
            expect(message.error).toBe('LockTimeoutError');
          });
        },
        TEST_TIMEOUT,
      );

      it(
        'a holder killed with SIGKILL stops renewing, and its lock expires after its ttl',
        async () => {
          const k = key('crash');
          const id = randomUUID();
          const doomed = await startStoreChild(processes(), `${name} crashing child`);
          try {
            const ttl = 800;
            doomed.send({ op: 'hold', id, key: k, ttlMs: ttl, waitMs: 10_000 });
            await doomed.expect('holding', id);
            // Alive, the child renews: well past its ttl the lock is still its own.
            await sleep(ttl * 2);
            const early = await settle(() =>
              lockStore().withLock(k, LONG_TTL, async () => 'early', { waitMs: 0 }),
            ).then(
              () => 'acquired',
              (error: unknown) => (error instanceof LockTimeoutError ? 'timed out' : error),
            );
            expect(early).toBe('timed out');
            doomed.process.kill('SIGKILL');
            const exit = await waitForExit(doomed.process);
            expect(exit.signal).toBe('SIGKILL');
            await expect(
              lockStore().withLock(k, LONG_TTL, async () => 'taken over', { waitMs: 15_000 }),
            ).resolves.toBe('taken over');
          } finally {
            await stopChild(doomed.process);
          }
        },
        TEST_TIMEOUT,
      );

      it(
        '50 concurrent rememberOnce calls split across two processes: exactly one is true',
        async () => {
          for (let round = 0; round < 3; round++) {
            const k = key(`cross-remember-${round}`);
            const id = randomUUID();
            // Both sides start at the same instant, after the command has surely reached the child.
            const startAt = Date.now() + 150;
            other().send({ op: 'remember', id, key: k, ttlMs: LONG_TTL, count: 25, startAt });
            await sleep(startAt - Date.now());
            const here = await Promise.all(
              Array.from({ length: 25 }, () => eventStore().rememberOnce(k, LONG_TTL)),
            );
            const there = await other().expect('remembered', id);
            expect(here.filter(Boolean).length + (there.trues ?? 0)).toBe(1);
          }
        },
        TEST_TIMEOUT,
      );

      it(
        'the other process exits by itself once its stores are closed (nothing left open)',
        async () => {
          const exit = await other().stop();
          expect(exit).toEqual({ code: 0, signal: null });
        },
        TEST_TIMEOUT,
      );
    });
  });
}
