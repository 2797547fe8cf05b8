import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { client, createPurchase, pay, start, startReceiver } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-sandbox-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('state, keys and clock survive a restart on the same SQLite file', async () => {
  const dbFile = join(dir, 'sandbox.sqlite');
  const receiver = await startReceiver();
  const first = await start({ dbFile });
  let purchaseId: string;
  let webhook: { id: string; public_key: string };
  try {
    const api = client(first);
    webhook = (await api.post('/webhooks/', { callback: receiver.url, all_events: true })).body;
    purchaseId = (await createPurchase(api, first.brandId, { reference: 'KEEP-ME', force_recurring: true }))
      .id;
    await pay(first, purchaseId);
    await api.post('/purchases/', { bogus: true }, { 'Idempotency-Key': 'not-kept-400' });
    await api.post(`/purchases/${purchaseId}/refund/`, { amount: 100 }, { 'Idempotency-Key': 'kept-refund' });
    await first.advanceClock(3600);
    await first.settle();
  } finally {
    await first.close();
  }

  // No key given: the sandbox remembers the one it generated.
  const second = await start({ dbFile });
  try {
    expect(second.secretKey).toBe(first.secretKey);
    expect(second.brandId).toBe(first.brandId);
    expect(second.publicKey).toBe(first.publicKey);
    expect(second.now()).toBeGreaterThanOrEqual(first.now());
    const api = client(second);
    const purchase = await api.get(`/purchases/${purchaseId}/`);
    expect(purchase.status).toBe(200);
    expect(purchase.body).toMatchObject({
      reference: 'KEEP-ME',
      status: 'refunded',
      refundable_amount: 2899,
      is_recurring_token: true,
    });
    // The checkout/invoice links point at the new address (the ephemeral port changed).
    expect(second.url).not.toBe(first.url);
    expect(purchase.body.checkout_url).toBe(`${second.url}/checkout/${purchaseId}/`);
    expect(purchase.body.invoice_url).toBe(`${second.url}/invoice/${purchaseId}/`);
    expect((await api.get(`/webhooks/${webhook.id}/`)).body.public_key).toBe(webhook.public_key);
    // Idempotency records persist too.
    const replay = await api.post(
      `/purchases/${purchaseId}/refund/`,
      { amount: 100 },
      { 'Idempotency-Key': 'kept-refund' },
    );
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    // The saved card still charges.
    const next = await createPurchase(api, second.brandId);
    expect(
      (await api.post(`/purchases/${next.id}/charge/`, { recurring_token: purchaseId })).body.status,
    ).toBe('paid');
    expect((await api.get('/balance/')).body).toEqual({
      balance: [{ currency: 'USD', amount: 2999 - 100 + 2999 }],
    });
  } finally {
    await second.close();
    await receiver.close();
  }
});

test('without dbFile (or with :memory:) every start is a clean slate', async () => {
  const a = await start({ dbFile: ':memory:', secretKey: 'sk_test_fixed_key_for_this_test' });
  const id = (await createPurchase(client(a), a.brandId)).id;
  await a.close();
  const b = await start({ secretKey: 'sk_test_fixed_key_for_this_test' });
  try {
    expect(b.secretKey).toBe('sk_test_fixed_key_for_this_test');
    expect((await client(b).get(`/purchases/${id}/`)).status).toBe(404);
  } finally {
    await b.close();
  }
});

test('pending deliveries resume after a restart', async () => {
  const dbFile = join(dir, 'resume.sqlite');
  const receiver = await startReceiver();
  receiver.respondWith(500);
  const first = await start({ dbFile, webhookTimeScale: 1 });
  const api = client(first);
  await api.post('/webhooks/', { callback: receiver.url, events: ['purchase.paid'] });
  const purchase = await createPurchase(api, first.brandId);
  await pay(first, purchase.id);
  await receiver.waitFor(1);
  await first.settle();
  await first.close();

  receiver.respondWith(200);
  const second = await start({ dbFile, webhookTimeScale: 1 });
  try {
    await second.advanceClock(120);
    expect(receiver.requests).toHaveLength(2);
    const log = await client(second).get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`);
    expect(log.body.results[0]).toMatchObject({ status: 'delivered', attempt_count: 2 });
  } finally {
    await second.close();
    await receiver.close();
  }
});

test('creates the directory of a new database file', async () => {
  const dbFile = join(dir, 'not', 'yet', 'there', 'sandbox.sqlite');
  const sandbox = await start({ dbFile });
  try {
    const purchase = await createPurchase(client(sandbox), sandbox.brandId, { reference: 'NEW-DIR' });
    expect(purchase.status).toBe('created');
  } finally {
    await sandbox.close();
  }
  expect(existsSync(dbFile)).toBe(true);
});

test('a database written before the engine (one gateway, no namespaces) is adopted with its state', async () => {
  const dbFile = join(dir, 'legacy.sqlite');
  const first = await start({ dbFile });
  const api = client(first);
  await api.post('/webhooks/', { callback: 'http://127.0.0.1:9/unreachable', events: ['purchase.paid'] });
  const purchase = await createPurchase(api, first.brandId, { reference: 'LEGACY' });
  await pay(first, purchase.id);
  await api.post(
    `/purchases/${purchase.id}/refund/`,
    { amount: 100 },
    { 'Idempotency-Key': 'legacy-refund' },
  );
  await first.close();

  // Turn the file into the layout the sandbox wrote before it had an engine and gateway modules.
  const db = new DatabaseSync(dbFile);
  db.exec(`
    UPDATE objects SET kind = substr(kind, 7) WHERE kind LIKE 'ummah/%';
    UPDATE objects SET kind = 'delivery',
      data = json_remove(json_set(data, '$.signature', 'signed-at-enqueue'), '$.gateway', '$.signer')
      WHERE kind = 'engine/delivery';
    UPDATE meta SET key = substr(key, 7) WHERE key LIKE 'ummah:%';
    UPDATE meta SET key = 'clock_offset_ms' WHERE key = 'engine:clock_offset_ms';
    CREATE TABLE old_idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL,
      body TEXT, created_ms INTEGER NOT NULL);
    INSERT INTO old_idempotency SELECT key, fingerprint, status, body, created_ms FROM idempotency;
    DROP TABLE idempotency;
    ALTER TABLE old_idempotency RENAME TO idempotency;
    DROP TABLE schema_migrations;
  `);
  db.close();

  const second = await start({ dbFile });
  try {
    expect(second.secretKey).toBe(first.secretKey);
    expect(second.publicKey).toBe(first.publicKey);
    const again = client(second);
    expect((await again.get(`/purchases/${purchase.id}/`)).body).toMatchObject({
      reference: 'LEGACY',
      status: 'refunded',
      refundable_amount: 2899,
    });
    const replay = await again.post(
      `/purchases/${purchase.id}/refund/`,
      { amount: 100 },
      { 'Idempotency-Key': 'legacy-refund' },
    );
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const log = await again.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`);
    expect(log.body.results).toEqual([
      expect.objectContaining({ event: 'purchase.paid', status: 'pending' }),
    ]);
    expect(log.body.results[0]).not.toHaveProperty('signature');
  } finally {
    await second.close();
  }
});

test('the database file is readable by its owner only, in a directory of their own', async () => {
  const dbFile = join(dir, 'private', 'state.sqlite');
  const sandbox = await start({ dbFile });
  try {
    await createPurchase(client(sandbox), sandbox.brandId);
  } finally {
    await sandbox.close();
  }
  expect(statSync(join(dir, 'private')).mode & 0o777).toBe(0o700);
  for (const file of readdirSync(join(dir, 'private'))) {
    expect([file, statSync(join(dir, 'private', file)).mode & 0o777]).toEqual([file, 0o600]);
  }
});
