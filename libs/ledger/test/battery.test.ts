// The ledger battery on both backends: a SQLite file (the default) and a PostgreSQL database of its own, created
// for this run and dropped after it. Each backend also runs the cross-process checks with a second process.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openLedger } from '@tijara/ledger';
import { runLedgerBattery } from '@tijara/testkit';

const childModule = new URL('./fixtures/open-ledger.ts', import.meta.url).href;

const dir = mkdtempSync(join(tmpdir(), 'tijara-ledger-battery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sqliteUrl = `sqlite:${join(dir, 'ledger.sqlite')}`;

runLedgerBattery('SQLite file', {
  open: (settings) => openLedger({ url: sqliteUrl, ...settings }),
  childModule,
  childEnv: { TIJARA_LEDGER_TEST_URL: sqliteUrl },
});

runLedgerBattery('SQLite in memory', {
  open: (settings) => openLedger({ url: 'sqlite::memory:', ...settings }),
});

const adminUrl = process.env.TIJARA_TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432/postgres';
const database = `tijara_ledger_${process.pid}_${randomUUID().slice(0, 8)}`;
const postgresUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(() => admin(`CREATE DATABASE ${database}`));
afterAll(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

runLedgerBattery('PostgreSQL', {
  open: (settings) => openLedger({ url: postgresUrl, ...settings }),
  childModule,
  childEnv: { TIJARA_LEDGER_TEST_URL: postgresUrl },
});
