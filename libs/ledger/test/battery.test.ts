// The ledger battery on both backends: a SQLite file (the default) and a PostgreSQL database of its own, created
// for this run and dropped after it (testkit's createTestDatabase). Each backend also runs the cross-process checks with a second process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger } from '@tijara/ledger';
import { createTestDatabase, runLedgerBattery, type TestDatabase } from '@tijara/testkit';

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

// A PostgreSQL database of this run's own, created here and dropped at the end.
let database: TestDatabase | undefined;
const postgresUrl = async (): Promise<string> => (database ??= await createTestDatabase('ledger')).url;
afterAll(() => database?.drop());

runLedgerBattery('PostgreSQL', {
  open: async (settings) => openLedger({ url: await postgresUrl(), ...settings }),
  childModule,
  childEnv: async () => ({ TIJARA_LEDGER_TEST_URL: await postgresUrl() }),
});
