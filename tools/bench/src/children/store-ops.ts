/**
 * Child process for the store benchmark: records `count` distinct dedupe keys with `rememberOnce` through
 * `createStores(url)` (`concurrency` calls in flight), then measures what 100k keys cost the backend.
 * Prints `RESULT {json}` and exits. Every key, table and schema it makes lives under a run-unique name and is
 * dropped before it exits.
 *
 * Stops early, after `maxSeconds`, when the backend is too slow to record `count` keys in time (SQLite with
 * `synchronous = FULL` fsyncs every insert); bytes are then scaled to 100k from what was recorded.
 * Backend `sqlite-full` is `sqlite` opened with `synchronous: 'full'` (the opt-in), for comparison.
 *
 *   node --expose-gc … store-ops.ts <backend> <url> <count> <concurrency> <maxSeconds>
 */
import { randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { createSqliteStores, createStores } from '@tijara/core';
import { Redis } from 'ioredis';
import pg from 'pg';

const [backend = 'memory', url = 'memory:', countArg = '20000', concurrencyArg = '32', maxSecondsArg = '15'] =
  process.argv.slice(2);
const planned = Number(countArg);
const maxMs = Number(maxSecondsArg) * 1000;
const concurrency = Number(concurrencyArg);
const run = `b${process.pid}_${Date.now().toString(36)}`;
const TTL = 7 * 24 * 3_600_000;

const gc = (globalThis as { gc?: () => void }).gc;
function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const options =
  backend === 'redis'
    ? { prefix: `tijara-bench:${run}:` }
    : backend === 'postgres'
      ? { schema: `tijara_bench_${run}` }
      : {};
const sqlite = backend === 'sqlite' || backend === 'sqlite-full';
const sqlitePath = url.replace(/^sqlite:(\/\/)?/, '');
const stores =
  backend === 'sqlite-full'
    ? createSqliteStores({ path: sqlitePath, synchronous: 'full' })
    : createStores(url, options);
const keys = Array.from({ length: planned }, () => `ummah:event:evt_${randomUUID()}`);

// Warm up the connection / statements / JIT on a few keys that are not counted.
for (let i = 0; i < 200; i++) await stores.events.rememberOnce(`ummah:event:warmup_${run}_${i}`, TTL);

const heapBefore = heapUsed();
let next = 0;
let recorded = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (;;) {
      if (performance.now() - started > maxMs) return;
      const i = next++;
      if (i >= planned) return;
      if (await stores.events.rememberOnce(keys[i] as string, TTL)) recorded++;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const count = Math.min(next, planned);
// A second pass: every key is a duplicate now (the path a retried delivery takes).
const dupCount = Math.min(count, 10_000);
let duplicates = 0;
const dupStarted = performance.now();
next = 0;
await Promise.all(
  Array.from({ length: Math.max(1, concurrency) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= dupCount) return;
      if (!(await stores.events.rememberOnce(keys[i] as string, TTL))) duplicates++;
    }
  }),
);
const dupSeconds = (performance.now() - dupStarted) / 1000;

let bytes = 0;
let measuredBy = '';
if (backend === 'memory') {
  bytes = heapUsed() - heapBefore;
  measuredBy = 'V8 heap growth (keys array excluded)';
} else if (sqlite) {
  await stores.close();
  const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
  const db = new DatabaseSync(sqlitePath);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  bytes = statSync(sqlitePath).size;
  measuredBy = 'database file size after checkpoint (table + primary key + expiry index)';
} else if (backend === 'redis') {
  const client = new Redis(url);
  let sampled = 0;
  let sampledBytes = 0;
  for (let i = 0; i < Math.min(1000, count); i++) {
    const usage = await client.memory('USAGE', `tijara-bench:${run}:event:${keys[i]}`);
    if (typeof usage === 'number') {
      sampled++;
      sampledBytes += usage;
    }
  }
  bytes = sampled ? (sampledBytes / sampled) * count : 0;
  measuredBy = 'MEMORY USAGE of 1,000 sampled keys × key count';
  // Drop everything this run wrote.
  let cursor = '0';
  do {
    const [nextCursor, found] = await client.scan(cursor, 'MATCH', `tijara-bench:${run}:*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (found.length) await client.unlink(...found);
  } while (cursor !== '0');
  await client.quit();
} else if (backend === 'postgres') {
  await stores.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('VACUUM ANALYZE ' + `tijara_bench_${run}.tijara_events`);
  const { rows } = await client.query(
    `SELECT pg_total_relation_size('tijara_bench_${run}.tijara_events') AS size`,
  );
  bytes = Number(rows[0].size);
  measuredBy = 'pg_total_relation_size of the events table (heap + primary key + expiry index)';
  await client.query(`DROP SCHEMA tijara_bench_${run} CASCADE`);
  await client.end();
}
if (!sqlite && backend !== 'postgres') await stores.close();
if (sqlite) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(sqlitePath + suffix, { force: true });
}

process.stdout.write(
  `RESULT ${JSON.stringify({
    backend,
    count,
    planned,
    seconds,
    concurrency,
    recorded,
    opsPerSec: count / seconds,
    duplicateOpsPerSec: dupCount / dupSeconds,
    duplicatesSeen: duplicates,
    duplicateCount: dupCount,
    bytesPer100k: (bytes / count) * 100_000,
    measuredBy,
  })}\n`,
);
process.exit(0);
