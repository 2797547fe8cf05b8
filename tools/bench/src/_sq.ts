import { openSqliteDatabase, createSqliteStores } from '@tijara/core';
import { rmSync } from 'node:fs';
for (const mode of ['FULL', 'NORMAL']) {
  const path = `/tmp/bench-smoke/sq-${mode}.db`;
  for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true });
  const db = openSqliteDatabase(path);
  db.exec(`PRAGMA synchronous = ${mode}`);
  const stores = createSqliteStores({ database: db });
  const N = 5000;
  let t = performance.now();
  for (let i = 0; i < N; i++) await stores.events.rememberOnce(`k${i}`, 1e9);
  const remember = N / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let i = 0; i < N; i++) await stores.locks.withLock(`l${i % 10}`, 30000, async () => undefined);
  const lock = N / ((performance.now() - t) / 1000);
  console.log(mode, 'rememberOnce/s', Math.round(remember), 'withLock/s', Math.round(lock));
  await stores.close(); db.close();
}
