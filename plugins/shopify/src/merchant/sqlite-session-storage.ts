import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { Session } from '@shopify/shopify-api';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import { ConfigurationError, openSqliteDatabase } from '@tijara/core';

export interface SqliteSessionStorageOptions {
  /** Table name (default `shopify_sessions`). */
  readonly tableName?: string;
}

/**
 * Shopify sessions (shop, offline access token, scopes) in SQLite through Node's built-in `node:sqlite`.
 * `@shopify/shopify-app-session-storage-sqlite` needs the native `sqlite3` addon, compiled at install for
 * whichever Node ran npm; this needs nothing. It passes the same storage battery as the PostgreSQL storage.
 */
export class SqliteSessionStorage implements SessionStorage {
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #upsert: StatementSync;
  readonly #load: StatementSync;
  readonly #delete: StatementSync;
  readonly #byShop: StatementSync;

  /** `file` is a path (`:memory:` for tests) or an open `DatabaseSync` the caller keeps ownership of. */
  constructor(file: string | DatabaseSync, options: SqliteSessionStorageOptions = {}) {
    const table = options.tableName ?? 'shopify_sessions';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
      throw new ConfigurationError(`Invalid session table name ${JSON.stringify(table)}`);
    }
    this.#owned = typeof file === 'string';
    this.#db = typeof file === 'string' ? openSqliteDatabase(file) : file;
    this.#db.exec(`CREATE TABLE IF NOT EXISTS ${table} (
      id TEXT PRIMARY KEY,
      shop TEXT NOT NULL,
      properties TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ${table}_shop ON ${table} (shop);`);
    this.#upsert = this.#db.prepare(
      `INSERT INTO ${table} (id, shop, properties) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET shop = excluded.shop, properties = excluded.properties`,
    );
    this.#load = this.#db.prepare(`SELECT properties FROM ${table} WHERE id = ?`);
    this.#delete = this.#db.prepare(`DELETE FROM ${table} WHERE id = ?`);
    this.#byShop = this.#db.prepare(`SELECT properties FROM ${table} WHERE shop = ? ORDER BY id`);
  }

  async storeSession(session: Session): Promise<boolean> {
    this.#upsert.run(session.id, session.shop, JSON.stringify(session.toPropertyArray(true)));
    return true;
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const row = this.#load.get(id) as { properties: string } | undefined;
    return row ? toSession(row.properties) : undefined;
  }

  async deleteSession(id: string): Promise<boolean> {
    this.#delete.run(id);
    return true;
  }

  async deleteSessions(ids: string[]): Promise<boolean> {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const id of ids) this.#delete.run(id);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    return true;
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (this.#byShop.all(shop) as { properties: string }[]).map((row) => toSession(row.properties));
  }

  async close(): Promise<void> {
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }
}

function toSession(properties: string): Session {
  return Session.fromPropertyArray(JSON.parse(properties) as [string, string | number | boolean][], true);
}
