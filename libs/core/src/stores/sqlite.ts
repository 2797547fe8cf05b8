/**
 * SQLite stores on the built-in `node:sqlite`: the embedded default. Durable, no server, and several processes
 * on one machine can share a database file (WAL mode, busy timeout, one atomic statement per operation).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { ConfigurationError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { assertKey, assertTtl, wholeMs, withLease, type LeaseBackend } from './lease.js';
import { tableNames, type TableNames } from './table-names.js';
import type { EventStore, Lease, LockOptions, LockPollingOptions, LockStore, Stores } from './types.js';

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_PURGE_INTERVAL_MS = 60_000;
const SYNCHRONOUS_MODES = ['full', 'normal'] as const;

export interface SqliteStoreOptions extends LockPollingOptions {
  /**
   * Database file, created if missing (owner-only: the file 0600, a directory it needs 0700), or `:memory:` (the
   * default; one process only).
   */
  readonly path?: string;
  /**
   * An open database to use instead of `path`. It is not closed by the store, and its pragmas are left alone:
   * set `journal_mode = WAL` and a `busy_timeout` yourself if several processes share the file.
   */
  readonly database?: DatabaseSync;
  /** Prepended to the table names `events` and `locks` (default `tijara_`). */
  readonly tablePrefix?: string;
  /**
   * How long one statement waits for another process's write to finish, in ms (default 5000). Writes are
   * single short statements, so in practice the wait is far shorter.
   */
  readonly busyTimeoutMs?: number;
  /** How often expired dedupe records are deleted, in ms (default 60 000). */
  readonly purgeIntervalMs?: number;
  /**
   * SQLite's `synchronous` for a database the store opens (default `'normal'` in WAL mode, `'full'` otherwise).
   * In WAL mode `'normal'` keeps every commit through a crash of the process (the commit is in the OS's hands),
   * and only an OS crash or power cut can lose the last commits, never corrupt the file; `'full'` also fsyncs
   * every commit, which on `node:sqlite` blocks the event loop for each one. Ignored with `database`.
   */
  readonly synchronous?: 'full' | 'normal';
  readonly logger?: Logger;
}

type SqliteModule = typeof import('node:sqlite');

/** Loaded on first use so that importing @tijara/core never requires (or warns about) node:sqlite. */
function loadSqlite(): SqliteModule {
  let mod: SqliteModule | undefined;
  try {
    mod = process.getBuiltinModule('node:sqlite') as SqliteModule | undefined;
  } catch {
    mod = undefined;
  }
  if (!mod) {
    throw new ConfigurationError(
      'The SQLite store needs the built-in node:sqlite module (Node.js 22.13 or later, or 22.12 with ' +
        '--experimental-sqlite)',
    );
  }
  return mod;
}

/**
 * Create a database file that does not exist yet readable by this user only (0600), and the directories it
 * needs (0700): payment records, dedupe keys and saved-card references are nobody else's business on a shared
 * machine. SQLite gives its -wal and -shm files the database file's mode. Existing files and directories are
 * left as they are.
 */
function createOwnerOnly(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Open a database file the way the stores want it: WAL, a busy timeout and `synchronous` (see
 * `SqliteStoreOptions.synchronous`), so several processes can share the file and a recorded event survives a
 * crash of the process. `createSqliteStores` uses it; call it yourself to share one connection between the
 * stores and your own tables.
 */
export function openSqliteDatabase(
  path = ':memory:',
  options: Pick<SqliteStoreOptions, 'busyTimeoutMs' | 'logger' | 'synchronous'> = {},
): DatabaseSync {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new ConfigurationError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
  }
  if (options.synchronous !== undefined && !SYNCHRONOUS_MODES.includes(options.synchronous)) {
    throw new ConfigurationError(
      `synchronous must be 'full' or 'normal', got ${String(options.synchronous)}`,
    );
  }
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) createOwnerOnly(path);
  const { DatabaseSync: Database } = loadSqlite();
  const db = new Database(path);
  try {
    // The busy timeout first: switching to WAL itself needs a lock another process may hold.
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    let wal = false;
    if (!inMemory) {
      const row = db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: string } | undefined;
      wal = row?.journal_mode?.toLowerCase() === 'wal';
      if (!wal) {
        (options.logger ?? silentLogger).warn(
          { store: 'sqlite', journalMode: row?.journal_mode },
          'SQLite database is not in WAL mode; concurrent processes will wait on each other more',
        );
      }
    }
    // 2xx goes back to the gateway once an event is recorded, so the record must outlive the process. In WAL
    // mode NORMAL does that: a commit is in the OS's page cache when it returns and only the WAL is synced, at
    // checkpoints. FULL would also fsync every commit on the event loop (node:sqlite is synchronous) for
    // protection against an OS crash or power cut, which the reconciler covers by re-settling from the
    // gateway. Without WAL, NORMAL risks a corrupt file on power loss, so FULL stays the default there.
    const synchronous = options.synchronous ?? (wal || inMemory ? 'normal' : 'full');
    db.exec(`PRAGMA synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** The database a store works on, and whether the store opened it (and so must close it). */
function adoptDatabase(options: SqliteStoreOptions): { db: DatabaseSync; owned: boolean; names: TableNames } {
  const names = tableNames({ tablePrefix: options.tablePrefix });
  const owned = options.database === undefined;
  const db = options.database ?? openSqliteDatabase(options.path, options);
  try {
    const { events, locks } = names;
    // `<locks>_fence` holds the last fence handed out, for every key: a lock row is deleted on release, the
    // counter never goes back.
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${events} (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS ${events}_expires_at_idx ON ${events} (expires_at);
      CREATE TABLE IF NOT EXISTS ${locks} (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS ${locks}_fence (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
      INSERT OR IGNORE INTO ${locks}_fence (id, value) VALUES (1, 0);
    `);
  } catch (error) {
    if (owned) db.close();
    throw error;
  }
  return { db, owned, names };
}

function closeIfOwned(db: DatabaseSync, owned: boolean): void {
  if (!owned) return;
  try {
    db.close();
  } catch {
    // Already closed (`isOpen` only exists on newer Node versions).
  }
}

export class SqliteEventStore implements EventStore {
  readonly #db: DatabaseSync;
  readonly #ownsDb: boolean;
  readonly #insert: StatementSync;
  readonly #has: StatementSync;
  readonly #forget: StatementSync;
  readonly #purge: StatementSync;
  readonly #purgeIntervalMs: number;
  readonly #logger: Logger;
  #lastPurge = Date.now();
  #closed = false;

  /** `options` may be just the file path. */
  constructor(options: SqliteStoreOptions | string = {}) {
    const opts = typeof options === 'string' ? { path: options } : options;
    const { db, owned, names } = adoptDatabase(opts);
    this.#db = db;
    this.#ownsDb = owned;
    this.#logger = opts.logger ?? silentLogger;
    this.#purgeIntervalMs = opts.purgeIntervalMs ?? DEFAULT_PURGE_INTERVAL_MS;
    const table = names.events;
    // Inserts a new key, or takes over an expired one; RETURNING yields a row only when this call recorded it.
    this.#insert = db.prepare(
      `INSERT INTO ${table} (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE ${table}.expires_at <= ?
       RETURNING key`,
    );
    this.#has = db.prepare(`SELECT 1 AS found FROM ${table} WHERE key = ? AND expires_at > ?`);
    this.#forget = db.prepare(`DELETE FROM ${table} WHERE key = ?`);
    this.#purge = db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`);
  }

  async rememberOnce(key: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    assertKey(key, 'rememberOnce');
    assertTtl(ttlMs, 'rememberOnce');
    const now = Date.now();
    // all(), not get(): SQLite runs its WAL auto-checkpoint only when a statement steps to the end, and a
    // write left at its RETURNING row by get() never would, so the WAL would grow without bound.
    const recorded = this.#insert.all(key, now + wholeMs(ttlMs), now).length > 0;
    if (now - this.#lastPurge >= this.#purgeIntervalMs) this.#purgeExpired(now);
    return recorded;
  }

  async has(key: string): Promise<boolean> {
    this.#assertOpen();
    return this.#has.get(key, Date.now()) !== undefined;
  }

  async forget(key: string): Promise<void> {
    this.#assertOpen();
    this.#forget.run(key);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    closeIfOwned(this.#db, this.#ownsDb);
  }

  #purgeExpired(now: number): void {
    this.#lastPurge = now;
    try {
      this.#purge.run(now);
    } catch (error) {
      // Purging is housekeeping; a busy database must not fail the caller's dedupe.
      this.#logger.warn({ store: 'sqlite', err: error }, 'could not purge expired events');
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('SqliteEventStore is closed');
  }
}

export class SqliteLockStore implements LockStore {
  readonly #db: DatabaseSync;
  readonly #ownsDb: boolean;
  readonly #backend: LeaseBackend;
  readonly #settings: SqliteStoreOptions;
  #closed = false;

  /** `options` may be just the file path. */
  constructor(options: SqliteStoreOptions | string = {}) {
    const opts = typeof options === 'string' ? { path: options } : options;
    const { db, owned, names } = adoptDatabase(opts);
    this.#db = db;
    this.#ownsDb = owned;
    this.#settings = opts;
    const table = names.locks;
    const acquire = db.prepare(
      `INSERT INTO ${table} (key, owner, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
       WHERE ${table}.expires_at <= ?
       RETURNING owner`,
    );
    const nextFence = db.prepare(`UPDATE ${table}_fence SET value = value + 1 WHERE id = 1 RETURNING value`);
    const renew = db.prepare(`UPDATE ${table} SET expires_at = ? WHERE key = ? AND owner = ?`);
    const current = db.prepare(
      `SELECT 1 AS held FROM ${table} WHERE key = ? AND owner = ? AND expires_at > ?`,
    );
    const release = db.prepare(`DELETE FROM ${table} WHERE key = ? AND owner = ?`);
    this.#backend = {
      tryAcquire: async (key, token, ttlMs) => {
        const now = Date.now();
        // Taking the lease and its fence in one transaction: no other process can take the key (or a fence)
        // between the two. A savepoint, so that a database passed in may already be in a transaction.
        db.exec('SAVEPOINT tijara_lock_acquire');
        try {
          // all(), not get(), for the WAL auto-checkpoint (see rememberOnce).
          const taken = acquire.all(key, token, now + wholeMs(ttlMs), now).length > 0;
          const fence = taken ? Number((nextFence.all()[0] as { value: number }).value) : undefined;
          db.exec('RELEASE tijara_lock_acquire');
          return fence;
        } catch (error) {
          try {
            db.exec('ROLLBACK TO tijara_lock_acquire; RELEASE tijara_lock_acquire');
          } catch {
            // SQLite already rolled the transaction back (and the savepoint with it).
          }
          throw error;
        }
      },
      renew: async (key, token, ttlMs) =>
        Number(renew.run(Date.now() + wholeMs(ttlMs), key, token).changes) > 0,
      isCurrent: async (key, token) => current.get(key, token, Date.now()) !== undefined,
      release: async (key, token) => Number(release.run(key, token).changes) > 0,
    };
  }

  async withLock<T>(
    key: string,
    ttlMs: number,
    fn: (lease: Lease) => Promise<T>,
    options?: LockOptions,
  ): Promise<T> {
    if (this.#closed) throw new Error('SqliteLockStore is closed');
    return withLease(this.#backend, key, ttlMs, fn, options, {
      storeName: 'sqlite',
      logger: this.#settings.logger,
      pollMinMs: this.#settings.pollMinMs,
      pollMaxMs: this.#settings.pollMaxMs,
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    closeIfOwned(this.#db, this.#ownsDb);
  }
}

/** Both stores on one connection; `close()` closes it unless it was passed in as `database`. */
export function createSqliteStores(options: SqliteStoreOptions | string = {}): Stores {
  const opts = typeof options === 'string' ? { path: options } : options;
  const owned = opts.database === undefined;
  const db = opts.database ?? openSqliteDatabase(opts.path, opts);
  let events: SqliteEventStore;
  let locks: SqliteLockStore;
  try {
    events = new SqliteEventStore({ ...opts, database: db });
    locks = new SqliteLockStore({ ...opts, database: db });
  } catch (error) {
    closeIfOwned(db, owned);
    throw error;
  }
  return {
    events,
    locks,
    close: async () => {
      await events.close();
      await locks.close();
      closeIfOwned(db, owned);
    },
  };
}
