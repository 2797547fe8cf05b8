import type { DatabaseSync } from 'node:sqlite';
import type { Ledger } from '@tijara/ledger';

/**
 * The little SQL the app's own table needs, on the ledger's connection (one database, one connection): statements
 * use `$1, $2…` placeholders, which SQLite reads as `?1, ?2…`.
 */
export interface SqlClient {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Number of rows changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  exec(sql: string): Promise<void>;
}

export type SqlValue = string | number | null;

interface Queryable {
  query(config: { text: string; values?: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

export function sqlClientFor(ledger: Ledger): SqlClient {
  const { sqlite, postgres } = ledger.connection;
  if (sqlite) return sqliteClient(sqlite);
  if (postgres) return postgresClient(postgres);
  throw new Error('The ledger has no connection to share');
}

function sqliteClient(db: DatabaseSync): SqlClient {
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
  };
}

function postgresClient(pool: Queryable): SqlClient {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly SqlValue[] = []) =>
      (await pool.query({ text: sql, values: [...params] })).rows as T[],
    run: async (sql, params = []) => (await pool.query({ text: sql, values: [...params] })).rowCount ?? 0,
    exec: async (sql) => {
      await pool.query({ text: sql });
    },
  };
}
