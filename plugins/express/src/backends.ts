/**
 * One URL opens everything the plugin keeps: the payment ledger (`@tijara/ledger`) and, unless told otherwise,
 * the dedupe and lock stores in the same database — dedupe in the ledger itself, so a webhook's event id and its
 * settlement are one commit; locks (for checkout and admin actions) in core's stores on the same connection.
 * Redis can hold dedupe and locks but not the ledger (it needs transactions over several rows and durable
 * history), so `stores: 'redis://…'` pairs with a SQLite or PostgreSQL `database`.
 */
import {
  createSqliteStores,
  createStores,
  type CreateStoresOptions,
  type Logger,
  type Stores,
} from '@tijara/core';
import type { PostgresStoreOptions } from '@tijara/core/stores/postgres';
import { openLedger, type Ledger, type OutboxPolicy } from '@tijara/ledger';

export interface BackendOptions {
  /** `sqlite:<path>`, `sqlite::memory:`, `memory:`, `postgres://…`, or an open Ledger. */
  readonly database: string | Ledger;
  /** Dedupe and lock stores: a URL (`redis://…`, `postgres://…`, `sqlite:<path>`) or open stores. */
  readonly stores?: string | Stores;
  /** Options for the stores opened from a URL (Redis key prefix, table prefix…). */
  readonly storeOptions?: CreateStoresOptions;
  /** The outbox policy of a ledger opened here. */
  readonly outbox?: OutboxPolicy;
  readonly logger: Logger;
}

export interface Backends {
  readonly ledger: Ledger;
  /** Dedupe and locks. With no `stores` option, `events` is the ledger's own (the one-commit path). */
  readonly stores: Stores;
  /** Whether dedupe lives in the ledger's database (`stores` was not given). */
  readonly shared: boolean;
  close(): Promise<void>;
}

export async function openBackends(options: BackendOptions): Promise<Backends> {
  const { logger } = options;
  const closers: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn();
  };
  try {
    const ledger =
      typeof options.database === 'string'
        ? await openLedger({
            url: options.database === 'memory:' ? 'sqlite::memory:' : options.database,
            logger,
            ...(options.outbox ? { outbox: options.outbox } : {}),
          })
        : options.database;
    // A ledger the caller opened is the caller's to close.
    if (typeof options.database === 'string') closers.push(() => ledger.close());
    if (options.stores !== undefined) {
      if (typeof options.stores === 'string') {
        const opened = createStores(options.stores, { logger, ...options.storeOptions });
        closers.push(() => opened.close());
        return { ledger, stores: opened, shared: false, close };
      }
      return { ledger, stores: options.stores, shared: false, close };
    }
    const locks = await sharedLocks(ledger, options.storeOptions ?? {}, logger);
    closers.push(() => locks.close());
    const stores: Stores = { events: ledger.events, locks: locks.locks, close: () => locks.close() };
    return { ledger, stores, shared: true, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/** Core's lock store on the ledger's own connection. */
async function sharedLocks(ledger: Ledger, options: CreateStoresOptions, logger: Logger): Promise<Stores> {
  const { sqlite, postgres } = ledger.connection;
  if (sqlite) return createSqliteStores({ ...options, database: sqlite, logger });
  // Loaded only for a PostgreSQL ledger: the entry point that needs `pg`.
  const { createPostgresStores } = await import('@tijara/core/stores/postgres');
  return createPostgresStores({ ...options, pool: postgres as PostgresStoreOptions['pool'], logger });
}
