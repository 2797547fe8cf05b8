// The store battery against every store Tijara ships, on real backends: a temporary SQLite file, the local
// Redis and a PostgreSQL database this run creates and drops. Each run uses its own key prefix and database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  MemoryEventStore,
  MemoryLockStore,
  PostgresEventStore,
  PostgresLockStore,
  RedisEventStore,
  RedisLockStore,
  SqliteEventStore,
  SqliteLockStore,
} from '@tijara/core';
import { runStoreBattery } from '../src/store-battery.js';
import { createTestDatabase, type TestDatabase } from '../src/test-database.js';

const run = randomUUID().replaceAll('-', '').slice(0, 10);
const REDIS_URL = process.env.TIJARA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
runStoreBattery('memory', {
  createEventStore: () => new MemoryEventStore(),
  createLockStore: () => new MemoryLockStore(),
});

const sqliteDir = mkdtempSync(join(tmpdir(), 'tijara-stores-'));
const sqlitePath = join(sqliteDir, 'stores.db');
afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }));

runStoreBattery('sqlite file', {
  createEventStore: () => new SqliteEventStore({ path: sqlitePath }),
  createLockStore: () => new SqliteLockStore({ path: sqlitePath }),
  processes: { url: `sqlite:${sqlitePath}` },
});

const redisPrefix = `tijara-test:${run}:`;
afterAll(async () => {
  // Leave nothing behind in the shared Redis.
  const redis = new Redis(REDIS_URL);
  try {
    const keys = await redis.keys(`${redisPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
});

runStoreBattery('redis', {
  createEventStore: () => new RedisEventStore({ url: REDIS_URL, prefix: redisPrefix }),
  createLockStore: () => new RedisLockStore({ url: REDIS_URL, prefix: redisPrefix }),
  processes: { url: REDIS_URL, options: { prefix: redisPrefix } },
});

// A database of this run's own, created when the battery opens its first PostgreSQL store, dropped at the end.
let database: Promise<TestDatabase> | undefined;
let postgresUrl = '';
const openDatabase = async (): Promise<string> => {
  postgresUrl = (await (database ??= createTestDatabase('stores'))).url;
  return postgresUrl;
};
afterAll(async () => {
  await (await database)?.drop();
});

runStoreBattery('postgres', {
  createEventStore: async () => new PostgresEventStore({ connectionString: await openDatabase() }),
  createLockStore: async () => new PostgresLockStore({ connectionString: await openDatabase() }),
  // Asked for once the stores above are open, so the database exists by then.
  processes: () => ({ url: postgresUrl }),
});
