/**
 * PostgreSQL stores (pg), for several app instances sharing one database. Import them from
 * `@tijara/core/stores/postgres` (or open them with `createStores('postgres://…')`); `pg` is an optional peer
 * dependency, loaded when the first store opens a pool. Every operation is one atomic
 * statement timed by the database clock, so app servers with skewed clocks still agree on expiry.
 */
import type * as PgModule from 'pg';
import type { Pool, PoolConfig, QueryResult, QueryResultRow } from 'pg';
import { ConfigurationError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { assertKey, assertTtl, withLease, type LeaseBackend } from './lease.js';
import { requirePeer } from './optional-peer.js';
import { tableNames, type TableNameOptions, type TableNames } from './table-names.js';
import type { EventStore, LockOptions, LockPollingOptions, LockStore, Stores } from './types.js';

const DEFAULT_PURGE_INTERVAL_MS = 5 * 60_000;
/** Expired rows deleted per purge statement, so housekeeping never holds many row locks at once. */
const PURGE_BATCH = 1000;

export interface PostgresStoreOptions extends TableNameOptions, LockPollingOptions {
  /** `postgres://` or `postgresql://` URL; the store opens its own pool and ends it on `close()`. */
  readonly connectionString?: string;
  /** An existing pool to use instead. The store never ends it. */
  readonly pool?: Pool;
  /** Extra pool settings when the store creates the pool from `connectionString`. */
  readonly poolConfig?: Omit<PoolConfig, 'connectionString'>;
  /**
   * Create the schema and tables on first use (default true). Set false when you run
   * `postgresStoreSchemaSql()` in your own migrations.
   */
  readonly createSchema?: boolean;
  /** How often expired dedupe records are deleted, in ms (default 5 minutes). */
  readonly purgeIntervalMs?: number;
  readonly logger?: Logger;
}

/** The DDL the stores need, for the given schema and table prefix. Every statement is idempotent. */
export function postgresStoreSchemaSql(options: TableNameOptions = {}): string {
  return schemaSql(tableNames(options));
}

function schemaSql(names: TableNames): string {
  const createSchema = names.schema === undefined ? '' : `CREATE SCHEMA IF NOT EXISTS ${names.schema};\n`;
  return (
    createSchema +
    `CREATE TABLE IF NOT EXISTS ${names.qualifiedEvents} (
  key text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ${names.events}_expires_at_idx ON ${names.qualifiedEvents} (expires_at);
CREATE TABLE IF NOT EXISTS ${names.qualifiedLocks} (
  key text PRIMARY KEY,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL
);
`
  );
}

/** The default schema (`tijara_events`, `tijara_locks` on the search path), for your own migrations. */
export const POSTGRES_STORE_SCHEMA_SQL: string = postgresStoreSchemaSql();

function openPool(options: PostgresStoreOptions): { pool: Pool; owned: boolean } {
  if (options.pool) return { pool: options.pool, owned: false };
  if (!options.connectionString) {
    throw new ConfigurationError('PostgreSQL store: pass either `connectionString` or `pool`');
  }
  const pg = requirePeer<typeof PgModule>('pg');
  const pool = new pg.Pool({ ...options.poolConfig, connectionString: options.connectionString });
  const logger = options.logger ?? silentLogger;
  // An idle client's error is emitted on the pool, and an unhandled 'error' event would crash the process.
  pool.on('error', (error) => logger.warn({ store: 'postgres', err: error }, 'idle PostgreSQL client error'));
  return { pool, owned: true };
}

/** Pool, table names and the once-per-store schema creation shared by both PostgreSQL stores. */
class PostgresTables {
  readonly pool: Pool;
  readonly names: TableNames;
  readonly #owned: boolean;
  readonly #createSchema: boolean;
  #ready: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.names = tableNames(options);
    this.#createSchema = options.createSchema ?? true;
    const { pool, owned } = openPool(options);
    this.pool = pool;
    this.#owned = owned;
  }

  /** Run one statement once the tables exist. */
  async query<R extends QueryResultRow>(text: string, values: unknown[]): Promise<QueryResult<R>> {
    await this.ready();
    return this.pool.query<R>(text, values);
  }

  ready(): Promise<void> {
    if (!this.#createSchema) return Promise.resolve();
    this.#ready ??= this.#create().catch((error: unknown) => {
      // Let the next call try again (the database may simply not have been up yet).
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #create(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Concurrent CREATE ... IF NOT EXISTS can still fail on a catalog unique index; serialize all creators
      // (one key for every prefix and schema, since two prefixes may share a schema being created).
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['tijara:stores:create-schema']);
      await client.query(schemaSql(this.names));
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async end(): Promise<void> {
    if (this.#owned && !this.pool.ended) await this.pool.end();
  }
}

function normalize(options: PostgresStoreOptions | string): PostgresStoreOptions {
  return typeof options === 'string' ? { connectionString: options } : options;
}

/** `$n` milliseconds from the database's `now()`. */
const msFromNow = (n: number): string => `now() + $${n}::double precision * interval '1 millisecond'`;

export class PostgresEventStore implements EventStore {
  readonly #tables: PostgresTables;
  readonly #logger: Logger;
  readonly #purgeIntervalMs: number;
  readonly #sql: { remember: string; has: string; forget: string; purge: string };
  #lastPurge = Date.now();
  #purging: Promise<void> | undefined;
  #closed = false;

  /** `options` may be just the connection string. */
  constructor(options: PostgresStoreOptions | string) {
    const opts = normalize(options);
    this.#tables = new PostgresTables(opts);
    this.#logger = opts.logger ?? silentLogger;
    this.#purgeIntervalMs = opts.purgeIntervalMs ?? DEFAULT_PURGE_INTERVAL_MS;
    const table = this.#tables.names.qualifiedEvents;
    this.#sql = {
      // Inserts a new key or takes over an expired one; RETURNING yields a row only when this call recorded it.
      remember: `INSERT INTO ${table} AS e (key, expires_at) VALUES ($1, ${msFromNow(2)})
        ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE e.expires_at <= now()
        RETURNING key`,
      has: `SELECT 1 FROM ${table} WHERE key = $1 AND expires_at > now()`,
      forget: `DELETE FROM ${table} WHERE key = $1`,
      purge: `DELETE FROM ${table} WHERE key IN
        (SELECT key FROM ${table} WHERE expires_at <= now() LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`,
    };
  }

  /** Create the tables now rather than on first use (e.g. to fail fast at start-up). */
  async ready(): Promise<void> {
    await this.#tables.ready();
  }

  async rememberOnce(key: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    assertKey(key, 'rememberOnce');
    assertTtl(ttlMs, 'rememberOnce');
    const result = await this.#tables.query(this.#sql.remember, [key, ttlMs]);
    this.#maybePurge();
    return result.rowCount === 1;
  }

  async has(key: string): Promise<boolean> {
    this.#assertOpen();
    return ((await this.#tables.query(this.#sql.has, [key])).rowCount ?? 0) > 0;
  }

  async forget(key: string): Promise<void> {
    this.#assertOpen();
    await this.#tables.query(this.#sql.forget, [key]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#purging;
    await this.#tables.end();
  }

  #maybePurge(): void {
    const now = Date.now();
    if (this.#purging || now - this.#lastPurge < this.#purgeIntervalMs) return;
    this.#lastPurge = now;
    // Housekeeping runs beside the caller's work and never fails it.
    this.#purging = this.#tables
      .query(this.#sql.purge, [])
      .then(
        () => undefined,
        (error: unknown) =>
          this.#logger.warn({ store: 'postgres', err: error }, 'could not purge expired events'),
      )
      .finally(() => {
        this.#purging = undefined;
      });
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('PostgresEventStore is closed');
  }
}

export class PostgresLockStore implements LockStore {
  readonly #tables: PostgresTables;
  readonly #backend: LeaseBackend;
  readonly #settings: PostgresStoreOptions;
  #closed = false;

  /** `options` may be just the connection string. */
  constructor(options: PostgresStoreOptions | string) {
    const opts = normalize(options);
    this.#settings = opts;
    this.#tables = new PostgresTables(opts);
    const table = this.#tables.names.qualifiedLocks;
    const acquire = `INSERT INTO ${table} AS l (key, owner, expires_at) VALUES ($1, $2, ${msFromNow(3)})
      ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
      WHERE l.expires_at <= now()
      RETURNING owner`;
    const release = `DELETE FROM ${table} WHERE key = $1 AND owner = $2`;
    this.#backend = {
      tryAcquire: async (key, token, ttlMs) =>
        (await this.#tables.query(acquire, [key, token, ttlMs])).rowCount === 1,
      release: async (key, token) => (await this.#tables.query(release, [key, token])).rowCount === 1,
    };
  }

  /** Create the tables now rather than on first use. */
  async ready(): Promise<void> {
    await this.#tables.ready();
  }

  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    if (this.#closed) throw new Error('PostgresLockStore is closed');
    return withLease(this.#backend, key, ttlMs, fn, options, {
      storeName: 'postgres',
      logger: this.#settings.logger,
      pollMinMs: this.#settings.pollMinMs,
      pollMaxMs: this.#settings.pollMaxMs,
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#tables.end();
  }
}

/** Both stores on one pool; `close()` ends it unless it was passed in as `pool`. */
export function createPostgresStores(options: PostgresStoreOptions | string): Stores {
  const opts = normalize(options);
  const { pool, owned } = openPool(opts);
  const events = new PostgresEventStore({ ...opts, pool });
  const locks = new PostgresLockStore({ ...opts, pool });
  return {
    events,
    locks,
    close: async () => {
      await events.close();
      await locks.close();
      if (owned && !pool.ended) await pool.end();
    },
  };
}
