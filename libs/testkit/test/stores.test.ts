// The store battery against every store Tijara ships, on real backends: a temporary SQLite file, the local
// Redis and the local PostgreSQL (database tijara_test_stores). Each run uses its own key prefix and tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import { MemoryEventStore, MemoryLockStore, SqliteEventStore, SqliteLockStore } from '@tijara/core';
import { PostgresEventStore, PostgresLockStore } from '@tijara/core/stores/postgres';
import { RedisEventStore, RedisLockStore } from '@tijara/core/stores/redis';
import { runStoreBattery } from '../src/store-battery.js';

const run = randomUUID().replaceAll('-', '').slice(0, 10);
const REDIS_URL = process.env.TIJARA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_ADMIN_URL =
  process.env.TIJARA_TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432/postgres';
const POSTGRES_DATABASE = 'tijara_test_stores';
const postgresUrl = (): string => {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${POSTGRES_DATABASE}`;
  return url.toString();
};

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

// Tables of their own per run, so parallel runs never see each other's rows; dropped afterwards.
const tablePrefix = `t${run}_`;

async function ensureDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [POSTGRES_DATABASE]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${POSTGRES_DATABASE}`).catch((error: { code?: string }) => {
        // Another run created it meanwhile.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await admin.end();
  }
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS ${tablePrefix}events, ${tablePrefix}locks`);
  } finally {
    await client.end();
  }
});

runStoreBattery('postgres', {
  createEventStore: async () => {
    await ensureDatabase();
    return new PostgresEventStore({ connectionString: postgresUrl(), tablePrefix });
  },
  createLockStore: () => new PostgresLockStore({ connectionString: postgresUrl(), tablePrefix }),
  processes: { url: postgresUrl(), options: { tablePrefix } },
});
