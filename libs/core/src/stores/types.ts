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
}

/** Mutual exclusion by key, with a ttl so a crashed holder's lock expires. */
export interface LockStore {
  /** Run `fn` while holding `key`; the lock is always released afterwards, even when `fn` throws. */
  withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>, options?: LockOptions): Promise<T>;
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
