/**
 * One configuration string picks the store backend, so an app can switch from the embedded SQLite default to
 * Redis or PostgreSQL with an environment variable. The client package of a backend (`ioredis`, `pg`) is loaded
 * only when a store of that backend is opened.
 */
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { MemoryEventStore, MemoryLockStore } from './memory.js';
import { createPostgresStores } from './postgres.js';
import { createRedisStores } from './redis.js';
import { createSqliteStores } from './sqlite.js';
import type { LockPollingOptions, Stores } from './types.js';

export interface CreateStoresOptions extends LockPollingOptions {
  /** Redis: prepended to every key (default `tijara:`). */
  readonly prefix?: string;
  /** SQLite and PostgreSQL: prepended to the table names `events` and `locks` (default `tijara_`). */
  readonly tablePrefix?: string;
  /** PostgreSQL: schema holding the tables (default: the search path). */
  readonly schema?: string;
  /** SQLite: how long a statement waits for another process's write, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /** Redis: extra ioredis options (`RedisOptions`). */
  readonly redisOptions?: Readonly<Record<string, unknown>>;
  /** PostgreSQL: extra `pg` pool settings (`PoolConfig` without `connectionString`). */
  readonly poolConfig?: Readonly<Record<string, unknown>>;
  readonly logger?: Logger;
}

export type StoreBackend = 'memory' | 'sqlite' | 'redis' | 'postgres';

export interface ParsedStoreUrl {
  readonly backend: StoreBackend;
  /** SQLite: the database file, or `:memory:`. */
  readonly path?: string;
  /** Redis and PostgreSQL: the URL to connect with. */
  readonly url?: string;
}

const ACCEPTED =
  'memory:, sqlite:<path> (or a file path ending in .db, .sqlite or .sqlite3), sqlite::memory:, ' +
  'redis://, rediss://, postgres:// or postgresql://';

const SQLITE_FILE = /\.(db|sqlite|sqlite3)$/i;
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/**
 * Which backend a store URL names. Errors quote at most the URL's scheme: the rest may hold a password.
 */
export function parseStoreUrl(input: string): ParsedStoreUrl {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ConfigurationError(`The store URL is empty; use one of ${ACCEPTED}`);
  }
  const url = input.trim();
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  // A single letter is a Windows drive (C:\data\tijara.db), not a scheme.
  if (scheme === undefined || scheme.length === 1) {
    if (SQLITE_FILE.test(url)) return { backend: 'sqlite', path: url };
    throw new ConfigurationError(`The store URL has no scheme; use one of ${ACCEPTED}`);
  }
  const rest = url.slice(scheme.length + 1);
  switch (scheme) {
    case 'memory':
      if (rest === '' || rest === '//') return { backend: 'memory' };
      throw new ConfigurationError('A memory store URL takes nothing after the scheme: use "memory:"');
    case 'sqlite': {
      // sqlite:data/app.db, sqlite:///abs/app.db (three slashes: an absolute path), sqlite::memory:
      const path = rest.startsWith('//') ? rest.slice(2) : rest;
      if (path === '')
        throw new ConfigurationError('The sqlite: store URL needs a path, e.g. sqlite:data/tijara.db');
      return { backend: 'sqlite', path };
    }
    case 'file':
      if (SQLITE_FILE.test(url)) return { backend: 'sqlite', path: fileURLToPath(url) };
      throw new ConfigurationError(
        `A file: store URL must name a SQLite file ending in .db, .sqlite or .sqlite3`,
      );
    case 'redis':
    case 'rediss':
      assertParsable(url, 'Redis');
      return { backend: 'redis', url };
    case 'postgres':
    case 'postgresql':
      assertParsable(url, 'PostgreSQL');
      return { backend: 'postgres', url };
    default:
      throw new ConfigurationError(`Unsupported store URL scheme "${scheme}:"; use one of ${ACCEPTED}`);
  }
}

function assertParsable(url: string, what: string): void {
  // Never `new URL(url)`'s own error: its `input` property carries the whole URL, password included.
  if (!URL.canParse(url)) throw new ConfigurationError(`The ${what} store URL is not a valid URL`);
}

/** The URL with any password replaced by `***`, for logs and start-up banners. */
export function safeStoreUrl(input: string): string {
  const scheme = SCHEME.exec(input.trim())?.[1];
  if (scheme === undefined || scheme.length === 1) return input;
  if (!URL.canParse(input.trim())) return `${scheme}:<unparsable>`;
  const url = new URL(input.trim());
  if (url.password) url.password = '***';
  return url.toString();
}

/**
 * Open an event store and a lock store on the backend `url` names:
 * `memory:` (tests), `sqlite:<path>` / `sqlite::memory:` / a path ending in `.db` or `.sqlite` (the embedded
 * default), `redis://` / `rediss://`, `postgres://` / `postgresql://`.
 */
export function createStores(url: string, options: CreateStoresOptions = {}): Stores {
  const parsed = parseStoreUrl(url);
  const secrets = passwordOf(parsed.url);
  try {
    switch (parsed.backend) {
      case 'memory': {
        const events = new MemoryEventStore();
        const locks = new MemoryLockStore({ logger: options.logger });
        return {
          events,
          locks,
          close: async () => {
            await events.close();
            await locks.close();
          },
        };
      }
      case 'sqlite':
        return createSqliteStores({ ...options, path: parsed.path });
      case 'redis':
        return createRedisStores({ ...options, url: parsed.url });
      case 'postgres':
        return createPostgresStores({ ...options, connectionString: parsed.url });
    }
  } catch (error) {
    // Drivers may echo connection details. The original error is dropped, not kept as `cause`, because a
    // logger serializing the cause would print the password after all.
    if (error instanceof ConfigurationError || secrets.length === 0) throw error;
    let message = errorMessage(error);
    for (const secret of secrets) message = message.split(secret).join('***');
    throw new ConfigurationError(`Could not open the ${parsed.backend} store: ${message}`);
  }
}

function passwordOf(url: string | undefined): string[] {
  if (url === undefined || !URL.canParse(url)) return [];
  const { password } = new URL(url);
  if (!password) return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed escape: the raw form is all there is to hide.
  }
  return [...new Set([password, decoded])].sort((a, b) => b.length - a.length);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
