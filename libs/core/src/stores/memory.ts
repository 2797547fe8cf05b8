/**
 * In-process stores for tests and single-process tools. Nothing survives a restart and nothing is shared
 * between processes: use SQLite, Redis or PostgreSQL for that.
 */
import { silentLogger, type Logger } from '../logger.js';
import { assertKey, assertTtl, checkLockArguments, holdLease, lockTimeout } from './lease.js';
import type { EventStore, Lease, LockOptions, LockStore } from './types.js';

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

interface MemoryLease {
  readonly token: number;
  readonly grantedAt: number;
  expiryTimer: NodeJS.Timeout;
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
 * Waiters queue per key and are served first come, first served. A lease is renewed while its holder works; one
 * that is not (its holder passed its deadline) expires after its ttl and is handed to the next waiter, as a
 * crashed holder's would be in a shared store, and its late release is ignored. Tokens count up, so each is
 * also the lease's fence.
 */
export class MemoryLockStore implements LockStore {
  readonly #leases = new Map<string, MemoryLease>();
  readonly #waiters = new Map<string, Waiter[]>();
  readonly #logger: Logger;
  #nextToken = 1;
  #closed = false;

  constructor(options: MemoryLockStoreOptions = {}) {
    this.#logger = options.logger ?? silentLogger;
  }

  async withLock<T>(
    key: string,
    ttlMs: number,
    fn: (lease: Lease) => Promise<T>,
    options?: LockOptions,
  ): Promise<T> {
    if (this.#closed) throw new Error('MemoryLockStore is closed');
    const waitMs = checkLockArguments(key, ttlMs, options);
    const token = await this.#acquire(key, ttlMs, waitMs);
    return holdLease(
      {
        renew: async () => this.#renew(key, token, ttlMs),
        isCurrent: async () => this.#leases.get(key)?.token === token,
        release: async () => this.#release(key, token),
      },
      { key, ttlMs, fence: token, grantedAt: this.#leases.get(key)?.grantedAt ?? Date.now() },
      fn,
      options,
      { storeName: 'memory', logger: this.#logger },
    );
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
    this.#leases.set(key, {
      token,
      grantedAt: Date.now(),
      expiryTimer: this.#expireAfter(key, token, ttlMs),
    });
    return token;
  }

  #expireAfter(key: string, token: number, ttlMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (this.#leases.get(key)?.token !== token) return;
      this.#leases.delete(key);
      this.#handOff(key);
    }, ttlMs);
    // An abandoned lease must not keep the process alive; waiters have their own timers.
    timer.unref();
    return timer;
  }

  #renew(key: string, token: number, ttlMs: number): boolean {
    const lease = this.#leases.get(key);
    if (lease?.token !== token) return false;
    clearTimeout(lease.expiryTimer);
    lease.expiryTimer = this.#expireAfter(key, token, ttlMs);
    return true;
  }

  /** False when the lease had expired and was handed on; after close() there is nothing to report. */
  #release(key: string, token: number): boolean {
    const lease = this.#leases.get(key);
    if (lease?.token !== token) return this.#closed;
    clearTimeout(lease.expiryTimer);
    this.#leases.delete(key);
    this.#handOff(key);
    return true;
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
