// Throwaway PostgreSQL databases on the local server: made for this run, usable, dropped without a trace; and the
// CI clean-up drops only what a dead process left behind.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  createTestDatabase,
  dropStaleTestDatabases,
  dropTestDatabase,
  postgresAdminUrl,
  TEST_DATABASE_PREFIX,
  testDatabaseName,
} from '../src/test-database.js';

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresAdminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function exists(name: string): Promise<boolean> {
  const { rowCount } = await admin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
  return rowCount === 1;
}

test('a test database is new, named for this run, usable, and gone after drop()', async () => {
  const [first, second] = await Promise.all([
    createTestDatabase('Testkit DB-check'),
    createTestDatabase('Testkit DB-check'),
  ]);
  try {
    expect(first.name).toMatch(
      new RegExp(`^${TEST_DATABASE_PREFIX}testkit_db_check_${process.pid}_[0-9a-f]{8}$`),
    );
    expect(second.name).not.toBe(first.name);
    const client = new pg.Client({ connectionString: first.url });
    // The server ends this connection when the database is dropped under it.
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query('CREATE TABLE t (n int)');
      await client.query('INSERT INTO t VALUES (1)');
      expect((await client.query('SELECT n FROM t')).rows).toEqual([{ n: 1 }]);
      // drop() closes connections still open to it, as a test that forgot to close a pool would leave.
      await first.drop();
    } finally {
      await client.end().catch(() => undefined);
    }
    expect(await exists(first.name)).toBe(false);
    await expect(first.drop()).resolves.toBeUndefined();
    expect(await exists(second.name)).toBe(true);
  } finally {
    await first.drop();
    await second.drop();
  }
  expect(await exists(second.name)).toBe(false);
});

test('the clean-up drops a database whose process is gone and keeps one whose process is alive', async () => {
  const label = `stale_${randomBytes(3).toString('hex')}`;
  const gone = spawnSync(process.execPath, ['-e', '0']).pid;
  const orphan = `${TEST_DATABASE_PREFIX}${label}_${gone}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${orphan}`));
  const live = await createTestDatabase(label);
  try {
    const dropped = await dropStaleTestDatabases({ label });
    expect(dropped).toEqual([orphan]);
    expect(await exists(orphan)).toBe(false);
    expect(await exists(live.name)).toBe(true);
  } finally {
    await live.drop();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${orphan}`));
  }
});

test('a name for a database another tool creates follows the convention, and dropTestDatabase drops only those', async () => {
  const name = testDatabaseName('medusa module');
  expect(name).toMatch(new RegExp(`^${TEST_DATABASE_PREFIX}medusa_module_${process.pid}_[0-9a-f]{8}$`));
  expect(testDatabaseName('medusa module')).not.toBe(name);
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  expect(await exists(name)).toBe(true);
  await dropTestDatabase(name);
  expect(await exists(name)).toBe(false);
  await dropTestDatabase(name);
  await expect(dropTestDatabase('postgres')).rejects.toThrow(/not a test database/);
});
