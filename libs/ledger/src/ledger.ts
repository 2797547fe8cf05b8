import type { DatabaseSync } from 'node:sqlite';
import {
  ConfigurationError,
  openSqliteDatabase,
  parseStoreUrl,
  silentLogger,
  type Logger,
} from '@tijara/core';
import { LedgerContext, resolvePolicy, type OutboxPolicy } from './context.js';
import { LedgerEvents } from './events.js';
import { LedgerJournal, type JournalOptions } from './journal.js';
import { Operations } from './operations.js';
import { Outbox } from './outbox.js';
import { OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';
import { Payments } from './payments.js';
import { ledgerQueries } from './queries.js';
import { SavedMethods } from './saved-methods.js';
import { DEFAULT_LEDGER_TABLE_PREFIX, ledgerTables, MIGRATIONS, type LedgerTables } from './schema.js';
import { openPostgresPool, PostgresExecutor, type PgPoolLike } from './sql/postgres-executor.js';
import { all, run, type Executor, type Program } from './sql/program.js';
import { SqliteExecutor } from './sql/sqlite-executor.js';
import type { DialectName, Statement } from './sql/statement.js';

export const DEFAULT_LEDGER_URL = 'sqlite:.tijara/ledger.sqlite';

export interface LedgerOptions {
  /**
   * Where the ledger lives: `sqlite:<path>` (the default, `sqlite:.tijara/ledger.sqlite`), `sqlite::memory:`, a
   * file path ending in `.db`/`.sqlite`, or `postgres://…`. Ignored with `database` or `pool`.
   */
  readonly url?: string;
  /** An open `node:sqlite` database to use (e.g. shared with core's SQLite stores). Not closed by the ledger. */
  readonly database?: DatabaseSync;
  /** A `pg` pool to use (e.g. shared with core's PostgreSQL stores). Not ended by the ledger. */
  readonly pool?: PgPoolLike;
  /** Prepended to the table names (default `tijara_ledger_`): lower-case letters, digits and `_`. */
  readonly tablePrefix?: string;
  /** PostgreSQL: the schema holding the tables (created if missing; default: the search path). */
  readonly schema?: string;
  /** SQLite file the ledger opens: `synchronous` (default `normal` in WAL mode; see core's SQLite stores). */
  readonly synchronous?: 'full' | 'normal';
  /** SQLite file the ledger opens: how long a write waits for another process's (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL pool the ledger opens: extra `pg` pool settings. */
  readonly poolConfig?: Record<string, unknown>;
  /** Retries, backoff, leases and the alert hook of the outbox. */
  readonly outbox?: OutboxPolicy;
  readonly logger?: Logger;
  /** The clock (epoch ms). Leases, backoff and expiry use it on both backends. */
  readonly now?: () => number;
}

/**
 * Payment records for plugins: payments (with their gateway) and their attempts, refunds/captures/voids with
 * their cap, processed gateway events, saved methods, and an outbox of callbacks or mutations. Framework-free.
 * Open it with `openLedger`.
 */
export class Ledger {
  readonly backend: DialectName;
  readonly tables: LedgerTables;
  readonly payments: Payments;
  readonly operations: Operations;
  readonly outbox: Outbox;
  /** Processed gateway events: a core EventStore in the ledger's database. */
  readonly events: LedgerEvents;
  readonly savedMethods: SavedMethods;
  /** The open connection, to share with core's stores of the same backend. */
  readonly connection: { readonly sqlite?: DatabaseSync; readonly postgres?: PgPoolLike };
  readonly #c: LedgerContext;
  #closed: Promise<void> | undefined;

  /** @internal Use `openLedger`. */
  constructor(context: LedgerContext, connection: Ledger['connection']) {
    this.#c = context;
    this.backend = context.executor.dialect;
    this.tables = context.tables;
    this.connection = connection;
    this.outbox = new Outbox(context);
    this.payments = new Payments(context, this.outbox);
    this.operations = new Operations(context, this.outbox);
    this.events = new LedgerEvents(context);
    this.savedMethods = new SavedMethods(context);
  }

  /** The ledger as core's SettlementJournal for one gateway: the pipeline's one-commit path. */
  journal(options: JournalOptions): LedgerJournal {
    return new LedgerJournal(
      this.#c,
      { outbox: this.outbox, savedMethods: this.savedMethods, events: this.events },
      options,
    );
  }

  /** A background deliverer of due outbox messages (start it, or call `drain()`). */
  outboxWorker(options: OutboxWorkerOptions): OutboxWorker {
    return new OutboxWorker(this.outbox, { logger: this.#c.logger, ...options });
  }

  /** The migrations recorded as applied to this database, oldest first. */
  async migrations(): Promise<Array<{ version: number; name: string; appliedAt: Date }>> {
    const rows = await this.#c.read(() => all(this.#c.q.migrationRows));
    return rows.map((row) => ({
      version: Number(row.version),
      name: String(row.name),
      appliedAt: new Date(Number(row.applied_at)),
    }));
  }

  /** Write deferred delivery marks now (they are otherwise written within a moment). */
  flush(): Promise<void> {
    return this.#c.flush();
  }

  /** Write what is deferred and close the connection if the ledger opened it. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#c
        .flush()
        .catch((error: unknown) =>
          this.#c.logger.warn({ err: error }, 'ledger: could not write deferred marks at close'),
        );
      await this.#c.executor.close();
    })();
    return this.#closed;
  }
}

/** Open (and migrate) a ledger: see LedgerOptions. */
export async function openLedger(options: LedgerOptions = {}): Promise<Ledger> {
  const logger = options.logger ?? silentLogger;
  const tables = ledgerTables(options.tablePrefix ?? DEFAULT_LEDGER_TABLE_PREFIX, options.schema);
  const { executor, connection } = await openExecutor(options, logger);
  try {
    const context = new LedgerContext({
      executor,
      q: ledgerQueries(tables),
      tables,
      now: options.now ?? Date.now,
      logger,
      policy: resolvePolicy(options.outbox),
    });
    const applied = await executor.write(() => migrate(context, executor.dialect));
    if (applied.length > 0) logger.info({ ledger: tables.prefix, migrations: applied }, 'ledger migrated');
    return new Ledger(context, connection);
  } catch (error) {
    await executor.close().catch(() => undefined);
    throw error;
  }
}

async function openExecutor(
  options: LedgerOptions,
  logger: Logger,
): Promise<{ executor: Executor; connection: Ledger['connection'] }> {
  if (options.database) {
    return {
      executor: new SqliteExecutor(options.database, false),
      connection: { sqlite: options.database },
    };
  }
  if (options.pool) {
    return { executor: new PostgresExecutor(options.pool, false), connection: { postgres: options.pool } };
  }
  const parsed = parseStoreUrl(options.url ?? DEFAULT_LEDGER_URL);
  if (parsed.backend === 'sqlite' || parsed.backend === 'memory') {
    const database = openSqliteDatabase(parsed.path ?? ':memory:', {
      logger,
      ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
    return { executor: new SqliteExecutor(database, true), connection: { sqlite: database } };
  }
  if (parsed.backend === 'postgres') {
    const pool = await openPostgresPool(
      parsed.url as string,
      (error) => logger.warn({ ledger: 'postgres', err: error }, 'idle PostgreSQL client error'),
      options.poolConfig,
    );
    return { executor: new PostgresExecutor(pool, true), connection: { postgres: pool } };
  }
  throw new ConfigurationError(
    `The ledger cannot live in ${parsed.backend}: use sqlite:<path> or postgres://… (Redis can hold dedupe ` +
      `and locks beside it, not the ledger: it needs transactions over several rows and durable history)`,
  );
}

/** A statement with its own text per dialect (DDL); not prepared by name. */
function ddl(sqlite: string, postgres = sqlite): Statement {
  return { name: '', sqlite, postgres, params: [] };
}

function* migrate(context: LedgerContext, dialect: DialectName): Program<number[]> {
  const t = context.tables;
  if (dialect === 'postgres') {
    // Serialises every creator of ledger tables in this database; the others find the work done.
    yield* run(
      { ...ddl('', 'SELECT pg_advisory_xact_lock(hashtext($1))'), params: ['key'] },
      {
        key: 'tijara:ledger:migrate',
      },
    );
    if (t.schema !== undefined) yield* run(ddl('', `CREATE SCHEMA IF NOT EXISTS ${t.schema}`));
  }
  yield* run(
    ddl(
      `CREATE TABLE IF NOT EXISTS ${t.migrations} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    ),
  );
  const applied = new Set((yield* all(context.q.appliedMigrations)).map((row) => Number(row.version)));
  const ran: number[] = [];
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    for (const text of migration.up(dialect, t)) yield* run(ddl(text));
    yield* run(context.q.recordMigration, {
      version: migration.version,
      name: migration.name,
      now: context.now(),
    });
    ran.push(migration.version);
  }
  return ran;
}
