// Store selection, configuration errors and the parts of each store the shared battery in @tijara/testkit does
// not reach (ownership of passed-in connections, schema creation, logging). Real SQLite, Redis and PostgreSQL.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ConfigurationError, LockTimeoutError } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import {
  createSqliteStores,
  createStores,
  MemoryLockStore,
  openSqliteDatabase,
  parseStoreUrl,
  SqliteEventStore,
  SqliteLockStore,
  safeStoreUrl,
} from '../src/stores/index.js';
import {
  PostgresEventStore,
  PostgresLockStore,
  POSTGRES_STORE_SCHEMA_SQL,
  postgresStoreSchemaSql,
} from '../src/stores/postgres.js';
import { RedisEventStore, RedisLockStore } from '../src/stores/redis.js';

const run = randomUUID().replaceAll('-', '').slice(0, 10);
const REDIS_URL = process.env.TIJARA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL =
  process.env.TIJARA_TEST_POSTGRES_STORES_URL ?? 'postgres://postgres@localhost:5432/tijara_test_stores';

const tmp = mkdtempSync(join(tmpdir(), 'tijara-core-stores-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (_obj, msg) => void warnings.push(msg ?? ''), error() {} };
}

describe('parseStoreUrl', () => {
  it.each([
    ['memory:', { backend: 'memory' }],
    ['MEMORY://', { backend: 'memory' }],
    ['sqlite::memory:', { backend: 'sqlite', path: ':memory:' }],
    ['sqlite:data/tijara.db', { backend: 'sqlite', path: 'data/tijara.db' }],
    ['sqlite:///var/lib/tijara/store.db', { backend: 'sqlite', path: '/var/lib/tijara/store.db' }],
    ['sqlite://relative/store', { backend: 'sqlite', path: 'relative/store' }],
    ['./data/tijara.db', { backend: 'sqlite', path: './data/tijara.db' }],
    ['/srv/tijara.sqlite', { backend: 'sqlite', path: '/srv/tijara.sqlite' }],
    ['store.sqlite3', { backend: 'sqlite', path: 'store.sqlite3' }],
    ['C:\\data\\tijara.db', { backend: 'sqlite', path: 'C:\\data\\tijara.db' }],
    ['file:///srv/tijara.db', { backend: 'sqlite', path: '/srv/tijara.db' }],
    ['  redis://127.0.0.1:6379/2  ', { backend: 'redis', url: 'redis://127.0.0.1:6379/2' }],
    ['rediss://:pw@cache.example:6380', { backend: 'redis', url: 'rediss://:pw@cache.example:6380' }],
    ['postgres://u:p@db/app', { backend: 'postgres', url: 'postgres://u:p@db/app' }],
    [
      'postgresql://db.example/app?sslmode=require',
      { backend: 'postgres', url: 'postgresql://db.example/app?sslmode=require' },
    ],
  ])('%s', (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each([
    ['mysql://root:hunter2secret@db/app', /Unsupported store URL scheme "mysql:"/],
    ['', /empty/],
    ['data/tijara', /no scheme/],
    ['memory:extra', /memory:/],
    ['sqlite:', /needs a path/],
    ['file:///srv/tijara.txt', /SQLite file/],
  ])('rejects %j with a ConfigurationError', (url, message) => {
    const error = thrown(() => parseStoreUrl(url));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
  });

  it('names every accepted scheme when the scheme is unknown', () => {
    const { message } = thrown(() => createStores('mongodb://x')) as Error;
    for (const scheme of [
      'memory:',
      'sqlite:',
      'sqlite::memory:',
      '.db',
      'redis://',
      'rediss://',
      'postgres://',
      'postgresql://',
    ]) {
      expect(message).toContain(scheme);
    }
  });

  it('never puts a password from the URL in an error', () => {
    const password = 'Sup3rS3cretPa55';
    for (const url of [
      `mysql://admin:${password}@db.example/app`,
      `redis://:${password}@[not-an-address`,
      `postgres://admin:${password}@db.example:notaport/app`,
      `admin:${password}@db.example`,
      `memory:${password}`,
    ]) {
      const error = thrown(() => createStores(url)) as ConfigurationError;
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).not.toContain(password);
      expect(JSON.stringify(error.toJSON())).not.toContain(password);
      expect(String(error.cause ?? '')).not.toContain(password);
    }
  });
});

describe('safeStoreUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(safeStoreUrl('postgres://app:s3cret@db.example:5432/shop')).toBe(
      'postgres://app:***@db.example:5432/shop',
    );
    expect(safeStoreUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(safeStoreUrl('sqlite:data/tijara.db')).toBe('sqlite:data/tijara.db');
    expect(safeStoreUrl('redis://:s3cret@[bad')).toBe('redis:<unparsable>');
  });
});

describe('createStores', () => {
  it('memory: gives working, independent stores', async () => {
    const stores = createStores('memory:');
    expect(await stores.events.rememberOnce('k', 1000)).toBe(true);
    expect(await stores.events.rememberOnce('k', 1000)).toBe(false);
    expect(await stores.locks.withLock('k', 1000, async () => 'locked')).toBe('locked');
    await stores.close();
  });

  it('a .db path opens SQLite, creating the directory, and a second opener sees the same records', async () => {
    const path = join(tmp, 'nested', 'dir', 'stores.db');
    const first = createStores(path);
    const second = createStores(`sqlite:${path}`);
    try {
      expect(existsSync(path)).toBe(true);
      expect(await first.events.rememberOnce('shared', 60_000)).toBe(true);
      expect(await second.events.rememberOnce('shared', 60_000)).toBe(false);
      expect(await second.events.has('shared')).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
    // Durable: a fresh connection after both closed still remembers.
    const again = createStores(path);
    expect(await again.events.has('shared')).toBe(true);
    await again.close();
  });

  it('sqlite::memory: works and close() is idempotent', async () => {
    const stores = createStores('sqlite::memory:');
    expect(await stores.events.rememberOnce('k', 1000)).toBe(true);
    await stores.close();
    await stores.close();
    await expect(stores.events.rememberOnce('k', 1000)).rejects.toThrow(/closed/);
  });

  it('redis:// and postgres:// open working stores', async () => {
    const prefix = `tijara-core-test:${run}:`;
    const redis = createStores(REDIS_URL, { prefix });
    const postgres = createStores(POSTGRES_URL, { tablePrefix: `c${run}_` });
    try {
      expect(await redis.events.rememberOnce('k', 5000)).toBe(true);
      expect(await redis.events.rememberOnce('k', 5000)).toBe(false);
      expect(await postgres.events.rememberOnce('k', 5000)).toBe(true);
      expect(await postgres.locks.withLock('k', 5000, async () => 'pg')).toBe('pg');
    } finally {
      await redis.close();
      await postgres.close();
      await dropTables(`c${run}_`);
    }
  });
});

describe('SQLite durability setting', () => {
  // PRAGMA synchronous reads 1 for NORMAL and 2 for FULL; it is per connection.
  const synchronousOf = (db: ReturnType<typeof openSqliteDatabase>) =>
    (db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;

  it('a file opens in WAL mode with synchronous = NORMAL by default, FULL when asked', () => {
    const normal = openSqliteDatabase(join(tmp, 'sync-default.db'));
    const full = openSqliteDatabase(join(tmp, 'sync-full.db'), { synchronous: 'full' });
    try {
      expect((normal.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe(
        'wal',
      );
      expect(synchronousOf(normal)).toBe(1);
      expect(synchronousOf(full)).toBe(2);
    } finally {
      normal.close();
      full.close();
    }
  });

  it('the stores pass the setting to the connection they open; a bad value is a ConfigurationError', async () => {
    const path = join(tmp, 'sync-stores.db');
    const stores = createSqliteStores({ path, synchronous: 'full' });
    expect(await stores.events.rememberOnce('k', 60_000)).toBe(true);
    await stores.close();
    expect(thrown(() => openSqliteDatabase(path, { synchronous: 'off' as never }))).toBeInstanceOf(
      ConfigurationError,
    );
    expect(thrown(() => new SqliteEventStore({ path, synchronous: 'extra' as never }))).toBeInstanceOf(
      ConfigurationError,
    );
  });

  it('keeps the WAL checkpointed: thousands of recorded events leave it small', async () => {
    const path = join(tmp, 'sync-wal.db');
    const stores = createSqliteStores({ path });
    try {
      for (let i = 0; i < 3_000; i++) await stores.events.rememberOnce(`evt_${i}`, 60_000);
      // Without checkpoints every commit stays in the WAL (≈ 4 frames each): some 12,000 frames here.
      const other = openSqliteDatabase(path);
      const { log } = other.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { log: number };
      other.close();
      expect(log).toBeLessThan(2_000);
    } finally {
      await stores.close();
    }
  });

  it('with NORMAL, a recorded event survives the process that recorded it being killed', async () => {
    const path = join(tmp, 'sync-crash.db');
    // A child records the key and is SIGKILLed before it can close anything: no checkpoint, no clean shutdown.
    const script = `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(${JSON.stringify(path)});
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
      db.exec("CREATE TABLE IF NOT EXISTS tijara_events (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)");
      db.prepare("INSERT INTO tijara_events VALUES (?, ?)").run('evt_killed', Date.now() + 60000);
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const stores = createSqliteStores({ path });
    try {
      expect(await stores.events.has('evt_killed')).toBe(true);
    } finally {
      await stores.close();
    }
  });
});

describe('argument checks', () => {
  it('withLock rejects a non-positive ttl and a negative waitMs with ConfigurationError', async () => {
    const locks = new MemoryLockStore();
    await expect(locks.withLock('k', 0, async () => 1)).rejects.toBeInstanceOf(ConfigurationError);
    await expect(locks.withLock('k', 100, async () => 1, { waitMs: -1 })).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    await expect(locks.withLock('', 100, async () => 1)).rejects.toBeInstanceOf(ConfigurationError);
    await locks.close();
  });

  it('table prefixes and schemas must be plain identifiers', () => {
    expect(() => new SqliteEventStore({ tablePrefix: 'x; DROP TABLE users; --' })).toThrow(
      ConfigurationError,
    );
    expect(() => postgresStoreSchemaSql({ schema: 'Billing"' })).toThrow(ConfigurationError);
  });
});

describe('lease overrun', () => {
  it.each([
    ['memory', (logger: Logger) => new MemoryLockStore({ logger })],
    ['sqlite', (logger: Logger) => new SqliteLockStore({ logger })],
  ])(
    '%s: warns when a critical section outlives its ttl and another holder took over',
    async (_name, open) => {
      const logger = recordingLogger();
      const locks = open(logger);
      let takenOver: () => void = () => undefined;
      const taken = new Promise<void>((resolve) => (takenOver = resolve));
      const first = locks.withLock('k', 100, () => taken);
      await locks.withLock('k', 10_000, async () => takenOver(), { waitMs: 10_000 });
      await first;
      expect(
        logger.warnings.some((warning) => warning.includes('expired before the critical section finished')),
      ).toBe(true);
      await locks.close();
    },
  );
});

describe('Redis stores with a client passed in', () => {
  it('use the client and leave it open on close()', async () => {
    const client = new Redis(REDIS_URL);
    const prefix = `tijara-core-test:${run}:own:`;
    try {
      const events = new RedisEventStore({ client, prefix });
      const locks = new RedisLockStore({ client, prefix });
      expect(await events.rememberOnce('evt', 5000)).toBe(true);
      expect(await client.exists(`${prefix}event:evt`)).toBe(1);
      await locks.withLock('pay', 5000, async () => {
        expect(await client.get(`${prefix}lock:pay`)).toMatch(/^[0-9a-f-]{36}$/);
      });
      expect(await client.exists(`${prefix}lock:pay`)).toBe(0);
      await events.close();
      await locks.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      const keys = await client.keys(`tijara-core-test:${run}:*`);
      if (keys.length > 0) await client.del(...keys);
      await client.quit();
    }
  });
});

async function dropTables(prefix: string, schema?: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    if (schema) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    else await client.query(`DROP TABLE IF EXISTS ${prefix}events, ${prefix}locks`);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL schema', () => {
  it('the exported SQL creates the documented tables', () => {
    expect(POSTGRES_STORE_SCHEMA_SQL).toContain('CREATE TABLE IF NOT EXISTS tijara_events (');
    expect(POSTGRES_STORE_SCHEMA_SQL).toContain('key text PRIMARY KEY');
    expect(POSTGRES_STORE_SCHEMA_SQL).toContain('CREATE TABLE IF NOT EXISTS tijara_locks (');
    expect(POSTGRES_STORE_SCHEMA_SQL).toContain('owner text NOT NULL');
    expect(postgresStoreSchemaSql({ schema: 'billing', tablePrefix: 'shop_' })).toContain(
      'CREATE TABLE IF NOT EXISTS billing.shop_events (',
    );
  });

  it('ten stores racing to create the schema all succeed, and exactly one records the event', async () => {
    const schema = `tijara_race_${run}`;
    const stores = Array.from(
      { length: 10 },
      () => new PostgresEventStore({ connectionString: POSTGRES_URL, schema, poolConfig: { max: 2 } }),
    );
    try {
      const results = await Promise.all(stores.map((store) => store.rememberOnce('evt', 60_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await dropTables('tijara_', schema);
    }
  });

  it('with createSchema: false, works on tables made from the exported SQL', async () => {
    const tablePrefix = `m${run}_`;
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
    try {
      const events = new PostgresEventStore({ pool, tablePrefix, createSchema: false });
      await expect(events.rememberOnce('evt', 1000)).rejects.toThrow(/does not exist/);
      await pool.query(postgresStoreSchemaSql({ tablePrefix }));
      expect(await events.rememberOnce('evt', 1000)).toBe(true);
      const locks = new PostgresLockStore({ pool, tablePrefix, createSchema: false });
      await locks.withLock('pay', 5000, async () => {
        await expect(locks.withLock('pay', 5000, async () => 0, { waitMs: 0 })).rejects.toBeInstanceOf(
          LockTimeoutError,
        );
      });
      await events.close();
      await locks.close();
      // A pool passed in stays open.
      expect(pool.ended).toBe(false);
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
      await dropTables(tablePrefix);
    }
  });
});
