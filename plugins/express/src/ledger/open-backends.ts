/**
 * One URL opens everything the plugin keeps: the payment ledger and, unless told otherwise, the dedupe and
 * lock stores on the same connection. Redis can hold dedupe and locks but not the ledger (it needs
 * transactions over several rows and durable history), so `stores: 'redis://…'` pairs with a SQLite or
 * PostgreSQL `database`.
 */
import pg from 'pg';
import {
  ConfigurationError,
  createPostgresStores,
  createSqliteStores,
  createStores,
  openSqliteDatabase,
  parseStoreUrl,
  silentLogger,
  type CreateStoresOptions,
  type Logger,
  type Stores,
} from '@tijara/core';
import { PostgresLedger } from './postgres-ledger.js';
import { SqliteLedger } from './sqlite-ledger.js';
import type { PaymentLedger } from './types.js';

export interface BackendOptions {
  /** `sqlite:<path>`, `sqlite::memory:`, `memory:` or `postgres://…`. */
  readonly database: string;
  /** Dedupe and lock stores: a URL (`redis://…`, `postgres://…`, `sqlite:<path>`) or open stores. */
  readonly stores?: string | Stores;
  /** Options for the stores opened from a URL (Redis key prefix, table prefix…). */
  readonly storeOptions?: CreateStoresOptions;
  readonly logger?: Logger;
}

export interface Backends {
  readonly ledger: PaymentLedger;
  readonly stores: Stores;
  close(): Promise<void>;
}

/** Open the ledger (and stores) a `database` URL names; see the module comment. */
export async function openBackends(options: BackendOptions): Promise<Backends> {
  const logger = options.logger ?? silentLogger;
  const parsed = parseStoreUrl(options.database);
  const closers: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn();
  };
  try {
    let ledger: PaymentLedger;
    let shared: Stores | undefined;
    if (parsed.backend === 'sqlite' || parsed.backend === 'memory') {
      const database = openSqliteDatabase(parsed.path ?? ':memory:', { logger });
      closers.push(() => database.close());
      ledger = new SqliteLedger({ database, logger });
      if (options.stores === undefined) {
        shared = createSqliteStores({ ...options.storeOptions, database, logger });
      }
    } else if (parsed.backend === 'postgres') {
      const pool = new pg.Pool({ connectionString: parsed.url });
      pool.on('error', (error) =>
        logger.warn({ ledger: 'postgres', err: error }, 'idle PostgreSQL client error'),
      );
      closers.push(() => pool.end());
      const postgres = new PostgresLedger({ pool, logger });
      await postgres.ready();
      ledger = postgres;
      if (options.stores === undefined) {
        shared = createPostgresStores({ ...options.storeOptions, pool, logger });
      }
    } else {
      throw new ConfigurationError(
        `The payment ledger cannot live in ${parsed.backend}: set database to sqlite:<path> or postgres://… ` +
          `and put dedupe and locks in Redis with stores: 'redis://…'`,
      );
    }
    let stores: Stores;
    if (shared) {
      stores = shared;
      closers.push(() => shared.close());
    } else if (typeof options.stores === 'string') {
      const opened = createStores(options.stores, { logger, ...options.storeOptions });
      stores = opened;
      closers.push(() => opened.close());
    } else {
      // Stores the caller opened are the caller's to close.
      stores = options.stores as Stores;
    }
    // Stores close before the connection they share.
    closers.push(() => ledger.close());
    return { ledger, stores, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
