/**
 * In-process stores for tests and single-process tools. Nothing survives a restart and nothing is shared
 * between processes: use SQLite, Redis or PostgreSQL for that.
 */
import { silentLogger, type Logger } from '../logger.js';
import { assertKey, assertTtl, lockTimeout, resolveWaitMs } from './lease.js';
import type { EventStore, LockOptions, LockStore } from './types.js';

/** Expired records are swept after this many inserts, so a long-lived store does not grow without bound. */
const SWEEP_EVERY = 1000;

export class MemoryEventStore implements EventStore {
  readonly #expiresAt = new Map<string, number>();
  #insertsSinceSweep = 0;
  #closed = false;

  async rememberOnce(key: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    assertKey(key, 'rememberOnce');
    assertTtl(ttlMs, 'rememberOnce');
    const now = Date.now();
    const current = this.#expiresAt.get(key);
    if (current !== undefined && current > now) return false;
    this.#expiresAt.set(key, now + ttlMs);
    if (++this.#insertsSinceSweep >= SWEEP_EVERY) this.#sweep(now);
    return true;
  }

  async has(key: string): Promise<boolean> {
    this.#assertOpen();
    const expiresAt = this.#expiresAt.get(key);
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  async forget(key: string): Promise<void> {
    this.#assertOpen();
    this.#expiresAt.delete(key);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#expiresAt.clear();
  }

  #sweep(now: number): void {
    this.#insertsSinceSweep = 0;
    for (const [key, expiresAt] of this.#expiresAt) if (expiresAt <= now) this.#expiresAt.delete(key);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('MemoryEventStore is closed');
  }
}

interface Lease {
  readonly token: number;
  readonly expiryTimer: NodeJS.Timeout;
}

interface Waiter {
  readonly ttlMs: number;
  readonly grant: (token: number) => void;
  readonly fail: (error: Error) => void;
  readonly timeoutTimer: NodeJS.Timeout;
}

export interface MemoryLockStoreOptions {
  /** Told when a critical section outlives its ttl. */
  readonly logger?: Logger;
}

/**
 * Waiters queue per key and are served first come, first served. A lease that outlives its ttl is handed to
 * the next waiter, as a crashed holder's would be in a shared store, and its late release is ignored.
 */
export class MemoryLockStore implements LockStore {
  readonly #leases = new Map<string, Lease>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #logger: Logger;
  #nextToken = 1;
  #closed = false;

  constructor(options: MemoryLockStoreOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
  }

  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    if (this.#closed) throw new Error('MemoryLockStore is closed');
    assertKey(key, 'withLock');
    assertTtl(ttlMs, 'withLock');
    const waitMs = resolveWaitMs(ttlMs, options);
    const token = await this.#acquire(key, ttlMs, waitMs);
    try {
      return await fn();
    } finally {
      this.#release(key, token);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const lease of this.#leases.values()) clearTimeout(lease.expiryTimer);
    this.#leases.clear();
    for (const queue of this.#waiters.values()) {
      for (const waiter of queue) {
        clearTimeout(waiter.timeoutTimer);
        waiter.fail(new Error('MemoryLockStore was closed while waiting for a lock'));
      }
    }
    this.#waiters.clear();
  }

  #acquire(key: string, ttlMs: number, waitMs: number): Promise<number> {
    const queue = this.#waiters.get(key);
    if (!this.#leases.has(key) && (queue === undefined || queue.length === 0)) {
      return Promise.resolve(this.#grant(key, ttlMs));
    }
    if (waitMs === 0) return Promise.reject(lockTimeout(key, waitMs));
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        ttlMs,
        grant: resolve,
        fail: reject,
        timeoutTimer: setTimeout(() => {
          const waiting = this.#waiters.get(key);
          const index = waiting?.indexOf(waiter) ?? -1;
          if (waiting && index >= 0) waiting.splice(index, 1);
          if (waiting?.length === 0) this.#waiters.delete(key);
          reject(lockTimeout(key, waitMs));
        }, waitMs),
      };
      if (queue) queue.push(waiter);
      else this.#waiters.set(key, [waiter]);
    });
  }

  #grant(key: string, ttlMs: number): number {
    const token = this.#nextToken++;
    const expiryTimer = setTimeout(() => {
      if (this.#leases.get(key)?.token !== token) return;
      this.#leases.delete(key);
      this.#handOff(key);
    }, ttlMs);
    // An abandoned lease must not keep the process alive; waiters have their own timers.
    expiryTimer.unref();
    this.#leases.set(key, { token, expiryTimer });
    return token;
  }

  #release(key: string, token: number): void {
    const lease = this.#leases.get(key);
    if (lease?.token !== token) {
      if (!this.#closed) {
        this.#logger.warn(
          { store: 'memory', key },
          'lock lease expired before the critical section finished; another holder may have run concurrently',
        );
      }
      return;
    }
    clearTimeout(lease.expiryTimer);
    this.#leases.delete(key);
    this.#handOff(key);
  }

  #handOff(key: string): void {
    const queue = this.#waiters.get(key);
    const next = queue?.shift();
    if (queue?.length === 0) this.#waiters.delete(key);
    if (!next) return;
    clearTimeout(next.timeoutTimer);
    next.grant(this.#grant(key, next.ttlMs));
  }
}
