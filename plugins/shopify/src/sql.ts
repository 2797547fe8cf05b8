import type { DatabaseSync } from 'node:sqlite';
import type { Pool } from 'pg';
import {
  ConfigurationError,
  openSqliteDatabase,
  safeStoreUrl,
  silentLogger,
  type Logger,
} from '@tijara/core';

/**
 * The little SQL the app's own tables need, written once: statements use `$1, $2…` placeholders, which SQLite
 * reads as `?1, ?2…`. SQLite through `node:sqlite` (the embedded default), PostgreSQL through `pg`.
 */
export interface SqlClient {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export type SqlValue = string | number | bigint | null;

export function sqliteClient(db: DatabaseSync, owned: boolean): SqlClient {
  const cache = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = db.prepare(sql.replace(/\$(\d+)/g, '?$1'));
      cache.set(sql, statement);
    }
    return statement;
  };
  return {
    dialect: 'sqlite',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => prepare(sql).all(...params) as T[],
    run: async (sql, params = []) => Number(prepare(sql).run(...params).changes),
    exec: async (sql) => {
      db.exec(sql);
    },
    close: async () => {
      if (owned && db.isOpen) db.close();
    },
  };
}

export function postgresClient(pool: Pool, owned: boolean): SqlClient {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await pool.query(sql, params as unknown[])).rows as T[],
    run: async (sql, params = []) => (await pool.query(sql, params as unknown[])).rowCount ?? 0,
    exec: async (sql) => {
      await pool.query(sql);
    },
    close: async () => {
      if (owned) await pool.end();
    },
  };
}

/** `sqlite:<path>` / a path ending in .sqlite or .db / `postgres://…`. */
export async function openSqlClient(url: string, logger: Logger = silentLogger): Promise<SqlClient> {
  const text = url.trim();
  if (/^postgres(ql)?:\/\//.test(text)) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: text, max: 5 });
    pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost'));
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new ConfigurationError(
        `Cannot reach the database at ${safeStoreUrl(text)}: ${(error as Error).message}`,
        {
          cause: error,
          code: 'database_unavailable',
        },
      );
    }
    return postgresClient(pool, true);
  }
  const path = text.startsWith('sqlite:') ? text.slice('sqlite:'.length) : text;
  if (!text.startsWith('sqlite:') && !/\.(sqlite3?|db)$/.test(path)) {
    throw new ConfigurationError(`database must be sqlite:<path> or postgres://…, got ${safeStoreUrl(text)}`);
  }
  return sqliteClient(openSqliteDatabase(path, { logger }), true);
}
