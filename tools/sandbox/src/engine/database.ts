import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';

/** What a gateway module's migrations and own tables get: plain SQL on the sandbox's one database. */
export interface SqlDatabase {
  exec(sql: string): void;
  prepare(sql: string): StatementSync;
}

/** One schema step of the engine or of a gateway module, applied once per database, in version order. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: SqlDatabase): void;
}

/** The engine's own schema. Gateway modules keep their objects in `objects` (namespaced) or in their own tables. */
const ENGINE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'objects, meta and idempotency records, namespaced per gateway',
    up(db) {
      // A database written before the engine existed (one gateway, no namespaces) keeps its rows: its
      // idempotency table is set aside for the Ummah module's own migration to adopt, its clock offset kept.
      const legacy = db
        .prepare(`SELECT 1 AS found FROM pragma_table_info('idempotency') WHERE name = 'key'`)
        .get() as { found: number } | undefined;
      const scoped = db
        .prepare(`SELECT 1 AS found FROM pragma_table_info('idempotency') WHERE name = 'gateway'`)
        .get() as { found: number } | undefined;
      if (legacy && !scoped) db.exec('ALTER TABLE idempotency RENAME TO legacy_idempotency');
      db.exec(`
CREATE TABLE IF NOT EXISTS objects (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS objects_kind_seq ON objects (kind, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
  gateway TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (gateway, key)
);
UPDATE meta SET key = 'engine:clock_offset_ms' WHERE key = 'clock_offset_ms';
`);
    },
  },
];

/** Opening a file: its directory and the file itself are the user's alone (0700 / 0600); they hold keys. */
function prepareFile(file: string): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  // SQLite gives the -wal and -shm files the mode of the database file, so they follow.
  chmodSync(file, 0o600);
}

/**
 * The sandbox's state on `node:sqlite`. Synchronous on purpose: every API request runs its reads and writes
 * without yielding, so two requests can never interleave inside a state transition (Node runs one handler at a
 * time), which is what makes the status machines race-free without locks.
 */
export class SandboxDatabase {
  readonly file: string;
  readonly sql: SqlDatabase;
  private readonly db: DatabaseSync;
  private nextSeq = 1;

  constructor(file: string | undefined) {
    this.file = file && file !== ':memory:' ? file : ':memory:';
    if (this.file !== ':memory:') prepareFile(this.file);
    this.db = new DatabaseSync(this.file);
    if (this.file !== ':memory:') this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
  scope TEXT NOT NULL,
  version INTEGER NOT NULL,
  description TEXT NOT NULL,
  applied_ms INTEGER NOT NULL,
  PRIMARY KEY (scope, version)
)`);
    this.sql = { exec: (text) => this.db.exec(text), prepare: (text) => this.db.prepare(text) };
    this.migrate('engine', ENGINE_MIGRATIONS);
  }

  private maxSeq(): number {
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM objects').get() as { seq: number };
    return Number(row.seq);
  }

  /** Apply the migrations of `scope` not applied yet, each in its own transaction. */
  migrate(scope: string, migrations: readonly Migration[]): void {
    const applied = new Set(
      (
        this.db.prepare('SELECT version FROM schema_migrations WHERE scope = ?').all(scope) as Array<{
          version: number;
        }>
      ).map((row) => Number(row.version)),
    );
    const pending = [...migrations]
      .filter((m) => !applied.has(m.version))
      .sort((a, b) => a.version - b.version);
    for (const migration of pending) {
      this.transaction(() => {
        migration.up(this.sql);
        this.db
          .prepare(
            'INSERT INTO schema_migrations (scope, version, description, applied_ms) VALUES (?, ?, ?, ?)',
          )
          .run(scope, migration.version, migration.description, Date.now());
      });
    }
    // Positions continue after whatever the file (or a migration) already holds.
    this.nextSeq = Math.max(this.nextSeq, this.maxSeq() + 1);
  }

  /** Objects of one gateway (or of the engine), kept as JSON documents. */
  objects(scope: string): ObjectStore {
    return new ObjectStore(this, scope);
  }

  /** Key/value settings of one scope (identity, keys, counters); they survive `reset`. */
  meta(scope: string): MetaStore {
    const prefix = `${scope}:`;
    return {
      get: (key) => {
        const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(prefix + key) as
          { value: string } | undefined;
        return row?.value;
      },
      set: (key, value) => {
        this.db
          .prepare(
            'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          )
          .run(prefix + key, value);
      },
    };
  }

  /** @internal — the object stores' one write path, so positions stay global and increasing. */
  putRow(kind: string, id: string, data: string): void {
    this.db
      .prepare(
        `INSERT INTO objects (kind, id, seq, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`,
      )
      .run(kind, id, this.nextSeq++, data);
  }

  /** @internal */
  getRow(kind: string, id: string): string | undefined {
    const row = this.db.prepare('SELECT data FROM objects WHERE kind = ? AND id = ?').get(kind, id) as
      { data: string } | undefined;
    return row?.data;
  }

  /** @internal */
  deleteRow(kind: string, id: string): boolean {
    return Number(this.db.prepare('DELETE FROM objects WHERE kind = ? AND id = ?').run(kind, id).changes) > 0;
  }

  /** @internal */
  listRows(kind: string, where: Record<string, SQLInputValue>): string[] {
    const clauses = ['kind = ?'];
    const params: SQLInputValue[] = [kind];
    for (const [path, value] of Object.entries(where)) {
      clauses.push('json_extract(data, ?) = ?');
      params.push(path, typeof value === 'boolean' ? Number(value) : value);
    }
    const rows = this.db
      .prepare(`SELECT data FROM objects WHERE ${clauses.join(' AND ')} ORDER BY seq`)
      .all(...params) as Array<{ data: string }>;
    return rows.map((row) => row.data);
  }

  /** Run `fn` atomically: all of its writes land, or none do. Nested calls join the outer transaction. */
  transaction<T>(fn: () => T): T {
    if (this.db.isTransaction) return fn();
    this.db.exec('BEGIN');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Forget every object and idempotency record of every gateway; `meta` (keys, identities) survives. */
  clear(): void {
    this.db.exec('DELETE FROM objects; DELETE FROM idempotency;');
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}

export interface MetaStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/**
 * JSON documents of one scope (`ummah/purchase`, `engine/delivery`, …). Listing is in creation order; an updated
 * object keeps its place.
 */
export class ObjectStore {
  private readonly database: SandboxDatabase;
  private readonly prefix: string;

  constructor(database: SandboxDatabase, scope: string) {
    this.database = database;
    this.prefix = `${scope}/`;
  }

  get<T>(kind: string, id: string): T | undefined {
    const data = this.database.getRow(this.prefix + kind, id);
    return data === undefined ? undefined : (JSON.parse(data) as T);
  }

  /** Insert or replace. */
  put<T extends { id: string }>(kind: string, value: T): T {
    this.database.putRow(this.prefix + kind, value.id, JSON.stringify(value));
    return value;
  }

  delete(kind: string, id: string): boolean {
    return this.database.deleteRow(this.prefix + kind, id);
  }

  /** All objects of a kind in creation order, optionally narrowed by `json_extract(data, path) = value` pairs. */
  list<T>(kind: string, where: Record<string, SQLInputValue> = {}): T[] {
    return this.database.listRows(this.prefix + kind, where).map((data) => JSON.parse(data) as T);
  }

  transaction<T>(fn: () => T): T {
    return this.database.transaction(fn);
  }
}
