import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
