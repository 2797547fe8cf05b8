/**
 * Runs programs on PostgreSQL through a `pg` pool: reads on the pool, writes on one client between `BEGIN` and
 * `COMMIT` (read committed; the statements take the row locks they need). Statements are named, so each
 * connection parses and plans them once. `pg` itself is loaded only here, and only when the ledger opens a
 * PostgreSQL URL: it is an optional peer dependency.
 */
import { ConfigurationError } from '@tijara/core';
import type { Executor, Op, Program, Row } from './program.js';
import type { SqlValue } from './statement.js';

/** The part of `pg`'s client the ledger uses. */
export interface PgQueryable {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{
    rows: Row[];
    rowCount: number | null;
  }>;
}

/** The part of `pg`'s Pool the ledger uses (a `pg.Pool` fits). */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgQueryable & { release(error?: Error | boolean): void }>;
  end(): Promise<void>;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  readonly ended?: boolean;
}

/** Errors after which the whole transaction may simply be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

export class PostgresExecutor implements Executor {
  readonly dialect = 'postgres' as const;
  readonly #pool: PgPoolLike;
  readonly #owned: boolean;

  constructor(pool: PgPoolLike, owned: boolean) {
    this.#pool = pool;
    this.#owned = owned;
  }

  async read<T>(program: () => Program<T>): Promise<T> {
    return this.#drive(program(), this.#pool);
  }

  async write<T>(program: () => Program<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#pool.connect();
      // A client whose transaction did not end cleanly is destroyed rather than given back to the pool.
      let clean = false;
      try {
        await client.query({ text: 'BEGIN' });
        let value: T;
        try {
          value = await this.#drive(program(), client);
        } catch (error) {
          await client.query({ text: 'ROLLBACK' });
          clean = true;
          throw error;
        }
        await client.query({ text: 'COMMIT' });
        clean = true;
        return value;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (clean && code !== undefined && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        throw error;
      } finally {
        client.release(clean ? undefined : true);
      }
    }
  }

  async #drive<T>(program: Program<T>, on: PgQueryable): Promise<T> {
    let step = program.next();
    while (!step.done) step = program.next(await this.#exec(step.value, on));
    return step.value;
  }

  async #exec(op: Op, on: PgQueryable): Promise<number | Row[]> {
    const result = await on.query({
      ...(op.statement.name === '' ? {} : { name: op.statement.name }),
      text: op.statement.postgres,
      values: op.values as SqlValue[],
    });
    return op.mode === 'run' ? (result.rowCount ?? 0) : result.rows;
  }

  async close(): Promise<void> {
    if (this.#owned && !this.#pool.ended) await this.#pool.end();
  }
}

/** Open a pool on `url` with the `pg` package, which the application installs (optional peer). */
export async function openPostgresPool(
  url: string,
  onError: (error: Error) => void,
  config: Record<string, unknown> = {},
): Promise<PgPoolLike> {
  let pg: { Pool: new (config: Record<string, unknown>) => PgPoolLike };
  try {
    const mod = (await import('pg')) as unknown as { default?: typeof pg } & typeof pg;
    pg = mod.default ?? mod;
  } catch {
    throw new ConfigurationError(
      'The PostgreSQL ledger needs the `pg` package: npm install pg (it is an optional peer dependency)',
    );
  }
  const pool = new pg.Pool({ ...config, connectionString: url });
  // An idle client's error is emitted on the pool, and an unhandled 'error' event would crash the process.
  pool.on?.('error', onError);
  return pool;
}
