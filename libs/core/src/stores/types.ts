/**
 * Store interfaces. Every implementation (memory, SQLite, Redis, PostgreSQL) passes the same battery in
 * `@tijara/testkit`.
 */

/** Dedupe store: remembers keys for a while. */
export interface EventStore {
  /**
   * Record `key` for `ttlMs` if it is not already recorded. Returns true for exactly one caller among any
   * number of concurrent callers (across processes for shared stores), false for the rest until it expires.
   */
  rememberOnce(key: string, ttlMs: number): Promise<boolean>;
  /** Whether `key` is currently remembered. */
  has(key: string): Promise<boolean>;
  /** Drop `key`, e.g. when processing failed and the gateway's retry must be processed again. */
  forget(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface LockOptions {
  /** How long to wait for the lock before giving up with LockTimeoutError (default: the ttl). */
  readonly waitMs?: number;
  /**
   * How long the holder may work, in ms from the moment it got the lock (default: no limit). At the deadline
   * `lease.signal` aborts and the lease is no longer renewed, so it expires one ttl later even if `fn` ignores
   * the signal; a holder still writing after that is the "late holder" its fence exists to refuse.
   */
  readonly deadlineMs?: number;
}

/**
 * What a lock holder gets: the lease is renewed (every third of its ttl) for as long as `fn` runs, so a slow
 * holder keeps it, while a crashed one stops renewing and its lease expires after the ttl.
 */
export interface Lease {
  readonly key: string;
  /**
   * Fencing number: strictly greater than that of every earlier holder of this key in this store (shared across
   * processes for the shared stores). A resource that records the highest fence it has seen for a key and
   * refuses writes carrying a lower one cannot be written by a holder that lost the lock.
   */
  readonly fence: number;
  /**
   * Aborted (with a LockLostError) when the holder must stop: its deadline passed, another holder took the lock,
   * or the lease could not be renewed and might expire before the next attempt. It always fires before the
   * lease can expire under a live holder; pass it to every gateway call made under the lock.
   */
  readonly signal: AbortSignal;
  /**
   * Resolves if this lease still holds the key (checked against the store, not just the local timers); rejects
   * with LockLostError once another holder may have it, or with the backend's error when it cannot be asked.
   */
  assertHeld(): Promise<void>;
}

/** Mutual exclusion by key, with a renewed lease so a crashed holder's lock expires and a slow one's does not. */
export interface LockStore {
  /**
   * Run `fn` while holding `key`; the lock is always released afterwards, even when `fn` throws. `ttlMs` is the
   * lease: how long the lock outlives a holder that died without releasing it.
   */
  withLock<T>(
    key: string,
    ttlMs: number,
    fn: (lease: Lease) => Promise<T>,
    options?: LockOptions,
  ): Promise<T>;
  close(): Promise<void>;
}

/** An event store and a lock store sharing one backend connection, as `createStores` returns them. */
export interface Stores {
  readonly events: EventStore;
  readonly locks: LockStore;
  /** Close both stores and the connection they share (never a client or pool the caller passed in). */
  close(): Promise<void>;
}

/** How a polling lock store (SQLite, Redis, PostgreSQL) retries while another holder has the lock. */
export interface LockPollingOptions {
  /** First wait between attempts, in ms (default 5). Doubles, with jitter, up to `pollMaxMs`. */
  readonly pollMinMs?: number;
  /** Longest wait between attempts, in ms (default 50). */
  readonly pollMaxMs?: number;
}
