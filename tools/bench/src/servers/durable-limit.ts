/**
 * Baseline (d), the durable limit: the least any correct first-delivery handler must do. A bare `node:http`
 * server that reads the body, `crypto.verify`s it with a KeyObject parsed once at start, reads the event id
 * (`JSON.parse`), and durably inserts it into SQLite (WAL, `synchronous = NORMAL`, one prepared statement) before
 * answering 200. Every request inserts a new row: the pool of signed deliveries is replayed, so each pass gets its
 * own suffix, as a stream of distinct events would. No framework, no validation, no settlement, no lock.
 *
 * Environment: UMMAH_WEBHOOK_PUBLIC_KEY (PEM), BENCH_DURABLE_DB (the database file).
 */
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import { exitWithParent, signalReady } from '../lib/proc.js';

exitWithParent();
const key = createPublicKey(process.env.UMMAH_WEBHOOK_PUBLIC_KEY ?? '');
const db = new DatabaseSync(process.env.BENCH_DURABLE_DB ?? ':memory:');
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = NORMAL');
db.exec('PRAGMA busy_timeout = 5000');
db.exec('CREATE TABLE IF NOT EXISTS events (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO events (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING');
const seen = new Map<string, number>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const signature = Buffer.from(String(req.headers['x-signature'] ?? '').trim(), 'base64');
    if (!verify('sha256', body, key, signature)) {
      res.writeHead(403, { 'content-length': '0' });
      res.end();
      return;
    }
    const id = String((JSON.parse(body.toString('utf8')) as { id?: unknown }).id);
    const pass = (seen.get(id) ?? 0) + 1;
    seen.set(id, pass);
    insert.run(`${id}#${pass}`, Date.now() + 7 * 86_400_000);
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  signalReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
