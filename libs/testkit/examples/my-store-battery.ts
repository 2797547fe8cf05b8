import { createSqliteStores } from '@tijara/core';
import { runStoreBattery } from '@tijara/testkit';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// In a Jest test file: a store you configure (here SQLite in a file shared by two processes) must pass the
// same battery as Tijara's own stores, including the checks with a second real process.
export function defineStoreTests(): void {
  const file = join(mkdtempSync(join(tmpdir(), 'my-store-')), 'tijara.db');
  const stores = createSqliteStores(file);
  runStoreBattery('my SQLite store', {
    createEventStore: () => stores.events,
    createLockStore: () => stores.locks,
    processes: { url: `sqlite:${file}` },
  });
}
