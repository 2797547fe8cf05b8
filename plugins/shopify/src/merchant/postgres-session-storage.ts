import { PostgreSQLSessionStorage } from '@shopify/shopify-app-session-storage-postgresql';
import type { Pool } from 'pg';
import { ConfigurationError, safeStoreUrl, silentLogger, type Logger } from '@tijara/core';

export interface PostgresSessionStorageOptions {
  /** Table name (default `shopify_sessions`). */
  readonly tableName?: string;
  readonly logger?: Logger;
}

/** The official storage once its start-up is known to have worked, with a `close()`. */
export type PostgresSessionStorage = PostgreSQLSessionStorage & { close(): Promise<void> };

interface Internals {
  internalInit?: Promise<void>;
  migrator?: { ready?: Promise<void> };
  client?: { pool?: Pool };
}

/**
 * Open `@shopify/shopify-app-session-storage-postgresql` safely. Its constructor starts promises nobody awaits:
 * when the database is unreachable, the migrator's start-up query rejects unhandled and Node ends the process,
 * even if the caller catches `ready`; and its pool has no `error` listener, so a database restart would end it too.
 * This attaches handlers to those promises and the pool, waits for `ready`, and turns a failure into a
 * ConfigurationError naming the database (without its password).
 */
export async function openPostgresSessionStorage(
  url: string,
  options: PostgresSessionStorageOptions = {},
): Promise<PostgresSessionStorage> {
  const logger = options.logger ?? silentLogger;
  const storage = new PostgreSQLSessionStorage(url, {
    ...(options.tableName ? { sessionTableName: options.tableName } : {}),
  });
  const internals = storage as unknown as Internals;
  const ignore = () => undefined;
  internals.internalInit?.catch(ignore);
  internals.migrator?.ready?.catch(ignore);
  internals.client?.pool?.on('error', (error) => {
    logger.warn({ err: error, store: 'shopify-sessions' }, 'PostgreSQL session storage lost a connection');
  });
  try {
    await storage.ready;
  } catch (error) {
    await internals.client?.pool?.end().catch(ignore);
    throw new ConfigurationError(
      `Cannot open the Shopify session storage at ${safeStoreUrl(url)}: ${(error as Error).message}`,
      { cause: error, code: 'session_storage_unavailable' },
    );
  }
  return Object.assign(storage, {
    close: async () => {
      await internals.client?.pool?.end().catch(ignore);
    },
  });
}
