/**
 * Processed gateway events, in the ledger's own database. It is a full core `EventStore` (it passes the store
 * battery), and the settlement journal writes to it in the settlement's transaction: that is what makes a first
 * delivery one commit.
 */
import { ConfigurationError, type EventStore } from '@tijara/core';
import type { LedgerContext } from './context.js';
import { get, run } from './sql/program.js';

const PURGE_INTERVAL_MS = 60_000;
/** Event ids this process recorded, kept in memory (newest last); older ones are read from the database. */
const RECENT_LIMIT = 20_000;

export class LedgerEvents implements EventStore {
  readonly #c: LedgerContext;
  #lastPurge: number;
  /**
   * Key → expiry of the event ids this process itself recorded, so that a redelivery to the process that settled
   * an event (the gateway's retries, duplicate storms) is answered without a database read. Only its own records:
   * a key is forgotten only by the process that recorded it (after its delivery failed), which drops it here too,
   * so memory never claims an event another process has let go.
   */
  readonly #recent = new Map<string, number>();

  constructor(context: LedgerContext) {
    this.#c = context;
    this.#lastPurge = context.now();
  }

  /** This process recorded `key` until `expiresAt`. */
  recorded(key: string, expiresAt: number): void {
    this.#recent.delete(key);
    this.#recent.set(key, expiresAt);
    if (this.#recent.size > RECENT_LIMIT) {
      this.#recent.delete(this.#recent.keys().next().value as string);
    }
  }

  async rememberOnce(key: string, ttlMs: number): Promise<boolean> {
    assertKey(key);
    assertTtl(ttlMs);
    const c = this.#c;
    const now = c.now();
    const expiresAt = now + Math.ceil(ttlMs);
    const changed = await c.autocommit(() =>
      run(c.q.rememberEvent, { key, stream: null, expires_at: expiresAt, now }),
    );
    this.purgeSoon();
    if (changed > 0) this.recorded(key, expiresAt);
    return changed > 0;
  }

  async has(key: string): Promise<boolean> {
    const c = this.#c;
    if (this.recentlyRecorded(key)) return true;
    return (await c.read(() => get(c.q.eventSeen, { key, now: c.now() }))) !== undefined;
  }

  /** Whether this process recorded `key` itself and it has not expired (answered from memory). */
  recentlyRecorded(key: string): boolean {
    const recent = this.#recent.get(key);
    if (recent === undefined) return false;
    if (recent > this.#c.now()) return true;
    this.#recent.delete(key);
    return false;
  }

  async forget(key: string): Promise<void> {
    this.#recent.delete(key);
    const c = this.#c;
    await c.autocommit(() => run(c.q.forgetEvent, { key }));
  }

  /** The ledger owns the connection: closing the ledger closes it. */
  async close(): Promise<void> {}

  /** Expired records are deleted now and then, in the background; it never fails the caller. */
  purgeSoon(): void {
    const c = this.#c;
    const now = c.now();
    if (now - this.#lastPurge < PURGE_INTERVAL_MS) return;
    this.#lastPurge = now;
    c.autocommit(() => run(c.q.purgeEvents, { now })).catch((error: unknown) =>
      c.logger.warn({ err: error }, 'ledger: could not purge expired events'),
    );
  }
}

function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ConfigurationError('rememberOnce: key must be a non-empty string');
  }
}

function assertTtl(ttlMs: number): void {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new ConfigurationError(
      `rememberOnce: ttlMs must be a positive number of milliseconds, got ${ttlMs}`,
    );
  }
}
