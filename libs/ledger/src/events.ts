/**
 * Processed gateway events, in the ledger's own database. It is a full core `EventStore` (it passes the store
 * battery), and the settlement journal writes to it in the settlement's transaction: that is what makes a first
 * delivery one commit.
 */
import { ConfigurationError, type EventStore } from '@tijara/core';
import type { LedgerContext } from './context.js';
import { get, run } from './sql/program.js';

const PURGE_INTERVAL_MS = 60_000;

export class LedgerEvents implements EventStore {
  readonly #c: LedgerContext;
  #lastPurge: number;

  constructor(context: LedgerContext) {
    this.#c = context;
    this.#lastPurge = context.now();
  }

  async rememberOnce(key: string, ttlMs: number): Promise<boolean> {
    assertKey(key);
    assertTtl(ttlMs);
    const c = this.#c;
    const now = c.now();
    const row = await c.autocommit(() =>
      get(c.q.rememberEvent, { key, stream: null, expires_at: now + Math.ceil(ttlMs), now }),
    );
    this.purgeSoon();
    return row !== undefined;
  }

  async has(key: string): Promise<boolean> {
    const c = this.#c;
    return (await c.read(() => get(c.q.eventSeen, { key, now: c.now() }))) !== undefined;
  }

  async forget(key: string): Promise<void> {
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
