import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';

/** Every kind of object the sandbox keeps. One table holds them all as JSON documents. */
export type Kind =
  | 'purchase'
  | 'refund'
  | 'client'
  | 'recurring_token'
  | 'billing_template'
  | 'subscriber'
  | 'webhook'
  | 'event'
  | 'delivery'
  | 'statement'
  | 'ledger'
  | 'challenge';

export interface StoredIdempotency {
  fingerprint: string;
  status: number;
  body: string | null;
  createdMs: number;
}

const SCHEMA = `
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
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT,
  created_ms INTEGER NOT NULL
);
`;

/**
 * Persistence on `node:sqlite`. Synchronous on purpose: every API request runs its reads and writes
 * without yielding, so two requests can never interleave inside a state transition (Node runs one
 * handler at a time), which is what makes the status machine race-free without locks.
 */
export class Store {
  private readonly db: DatabaseSync;
  private nextSeq: number;
  readonly file: string;

  constructor(file: string | undefined) {
    this.file = file && file !== ':memory:' ? file : ':memory:';
    // A fresh checkout has no data directory yet; create it rather than fail to open the file.
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    this.db = new DatabaseSync(this.file);
    if (this.file !== ':memory:') {
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    }
    this.db.exec(SCHEMA);
    const row = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM objects').get() as { seq: number };
    this.nextSeq = Number(row.seq) + 1;
  }

  get<T>(kind: Kind, id: string): T | undefined {
    const row = this.db.prepare('SELECT data FROM objects WHERE kind = ? AND id = ?').get(kind, id) as
      { data: string } | undefined;
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  /** Insert or replace; an object keeps its original position in listings when updated. */
  put<T extends { id: string }>(kind: Kind, value: T): T {
    this.db
      .prepare(
        `INSERT INTO objects (kind, id, seq, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`,
      )
      .run(kind, value.id, this.nextSeq++, JSON.stringify(value));
    return value;
  }

  delete(kind: Kind, id: string): boolean {
    const result = this.db.prepare('DELETE FROM objects WHERE kind = ? AND id = ?').run(kind, id);
    return Number(result.changes) > 0;
  }

  /** All objects of a kind in creation order, optionally narrowed by `json_extract(data, path) = value` pairs. */
  list<T>(kind: Kind, where: Record<string, SQLInputValue> = {}): T[] {
    const clauses = ['kind = ?'];
    const params: SQLInputValue[] = [kind];
    for (const [path, value] of Object.entries(where)) {
      clauses.push(`json_extract(data, ?) = ?`);
      params.push(path, typeof value === 'boolean' ? Number(value) : value);
    }
    const rows = this.db
      .prepare(`SELECT data FROM objects WHERE ${clauses.join(' AND ')} ORDER BY seq`)
      .all(...params) as Array<{ data: string }>;
    return rows.map((row) => JSON.parse(row.data) as T);
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  getIdempotency(key: string): StoredIdempotency | undefined {
    const row = this.db
      .prepare('SELECT fingerprint, status, body, created_ms FROM idempotency WHERE key = ?')
      .get(key) as
      { fingerprint: string; status: number; body: string | null; created_ms: number } | undefined;
    if (!row) return undefined;
    return { fingerprint: row.fingerprint, status: row.status, body: row.body, createdMs: row.created_ms };
  }

  putIdempotency(key: string, record: StoredIdempotency): void {
    this.db
      .prepare(
        `INSERT INTO idempotency (key, fingerprint, status, body, created_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
           body = excluded.body, created_ms = excluded.created_ms`,
      )
      .run(key, record.fingerprint, record.status, record.body, record.createdMs);
  }

  purgeIdempotency(olderThanMs: number): void {
    this.db.prepare('DELETE FROM idempotency WHERE created_ms < ?').run(olderThanMs);
  }

  /** Run `fn` atomically: all of its writes land, or none do. */
  transaction<T>(fn: () => T): T {
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

  /** Forget every object and idempotency record; keys and identity in `meta` survive. */
  clear(): void {
    this.db.exec('DELETE FROM objects; DELETE FROM idempotency;');
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
