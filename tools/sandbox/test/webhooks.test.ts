import { createVerify } from 'node:crypto';
import { webhookDeliveryListSchema, webhookEnvelopeSchema, webhookSchema } from '@tijara/ummah';
import type { RunningSandbox } from '../src/index.js';
import { RETRY_DELAYS_MINUTES } from '../src/index.js';
import {
  client,
  createPurchase,
  pay,
  start,
  startReceiver,
  type Client,
  type Json,
  type Receiver,
  type ReceivedRequest,
} from './helpers.js';

/** The verification guide, step 3: RSA PKCS#1 v1.5 + SHA-256 over the raw body, signature base64. */
function verifies(request: ReceivedRequest, publicKeyPem: string): boolean {
  const verifier = createVerify('RSA-SHA256');
  verifier.update(request.body);
  verifier.end();
  return verifier.verify(publicKeyPem, Buffer.from(String(request.headers['x-signature'] ?? ''), 'base64'));
}

let sandbox: RunningSandbox;
let api: Client;
let receiver: Receiver;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await sandbox.reset();
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

async function createWebhook(body: Record<string, unknown>) {
  const response = await api.post('/webhooks/', body);
  if (response.status !== 201) throw new Error(`webhook create failed: ${response.text}`);
  return response.body;
}

describe('webhook endpoints', () => {
  test('CRUD, each webhook with its own public key and no private key in sight', async () => {
    const created = await api.post('/webhooks/', {
      callback: `${receiver.url}/hook`,
      title: 'Orders',
      events: ['purchase.paid', 'purchase.payment_failure'],
    });
    expect(created.status).toBe(201);
    const webhook = webhookSchema.parse(created.body);
    expect(webhook).toMatchObject({
      title: 'Orders',
      all_events: false,
      events: ['purchase.paid', 'purchase.payment_failure'],
    });
    expect(webhook.public_key).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/);
    expect(created.text).not.toMatch(/PRIVATE KEY/);

    const other = await createWebhook({ callback: `${receiver.url}/other`, all_events: true });
    expect(other.public_key).not.toBe(webhook.public_key);

    const list = await api.get('/webhooks/');
    expect(list.body.results.map((w: Json) => w.id)).toEqual([other.id, webhook.id]);
    expect(list.body).toMatchObject({ next: null, previous: null });
    expect((await api.get(`/webhooks/${webhook.id}/`)).body).toEqual(created.body);

    const put = await api.put(`/webhooks/${webhook.id}/`, {
      callback: `${receiver.url}/new`,
      all_events: true,
    });
    expect(put.body).toMatchObject({
      callback: `${receiver.url}/new`,
      title: '',
      events: [],
      all_events: true,
    });
    expect(put.body.public_key).toBe(webhook.public_key);
    const patched = await api.patch(`/webhooks/${webhook.id}/`, { title: 'Renamed' });
    expect(patched.body).toMatchObject({ title: 'Renamed', all_events: true });

    expect((await api.del(`/webhooks/${webhook.id}/`)).status).toBe(204);
    expect((await api.get(`/webhooks/${webhook.id}/`)).status).toBe(404);
    expect((await api.del(`/webhooks/${webhook.id}/`)).body).toEqual({
      error: 'Not Found',
      detail: 'Object with this ID does not exist.',
    });
  });

  test.each([
    [{}, { callback: ['This field is required.'] }],
    [{ callback: 'http://shop.example/hook' }, { callback: ['Callback URLs must use HTTPS.'] }],
    [
      { callback: 'https://shop.example/hook', events: ['purchase.exploded'] },
      { 'events.0': ['"purchase.exploded" is not a valid choice.'] },
    ],
  ])('invalid webhook %j → 400 %j', async (body, details) => {
    const response = await api.post('/webhooks/', body);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'Bad Request', details });
  });

  test('a callback that is not a URL is a 400 naming the field (create, replace and patch)', async () => {
    const webhook = await createWebhook({ callback: 'https://shop.example/hook', all_events: true });
    for (const [method, path] of [
      ['POST', '/webhooks/'],
      ['PUT', `/webhooks/${webhook.id}/`],
      ['PATCH', `/webhooks/${webhook.id}/`],
    ] as const) {
      const response = await api.call(method, path, { callback: 'not a url' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'Bad Request', details: { callback: ['Enter a valid URL.'] } });
    }
  });

  test('HTTPS anywhere, plain HTTP only on loopback hosts (localhost, 127.0.0.0/8, ::1)', async () => {
    for (const callback of [
      'https://shop.example/hook',
      'http://localhost:3000/hook',
      'http://127.0.0.1:3000/hook',
      'http://127.42.0.7:3000/hook',
      'http://[::1]:3000/hook',
    ]) {
      expect((await api.post('/webhooks/', { callback, all_events: true })).status).toBe(201);
    }
    for (const callback of [
      'http://10.0.0.5/hook',
      'http://128.0.0.1/hook',
      'http://127.0.0.1.nip.io/hook',
    ]) {
      expect((await api.post('/webhooks/', { callback, all_events: true })).body).toEqual({
        error: 'Bad Request',
        details: { callback: ['Callback URLs must use HTTPS.'] },
      });
    }
  });
});

describe('deliveries', () => {
  test('signed envelope, verifiable with the webhook public key over the exact bytes; events filtered', async () => {
    const paidOnly = await createWebhook({ callback: `${receiver.url}/paid`, events: ['purchase.paid'] });
    const everything = await createWebhook({ callback: `${receiver.url}/all`, all_events: true });
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    await sandbox.settle();

    const paid = receiver.requests.filter((r) => r.path === '/paid');
    expect(paid).toHaveLength(1);
    const [delivery] = paid;
    const envelope = webhookEnvelopeSchema.parse(JSON.parse(delivery!.body.toString('utf8')));
    expect(envelope).toMatchObject({ type: 'purchase.paid', object: { id: purchase.id, status: 'paid' } });
    expect(Object.keys(envelope)).toEqual(['id', 'type', 'created_on', 'object']);
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(verifies(delivery!, paidOnly.public_key)).toBe(true);
    expect(verifies(delivery!, everything.public_key)).toBe(false);
    // A single changed byte breaks the signature.
    const tampered = {
      ...delivery!,
      body: Buffer.from(delivery!.body.toString('utf8').replace('"paid"', '"paix"')),
    };
    expect(verifies(tampered, paidOnly.public_key)).toBe(false);

    const all = receiver.requests.filter((r) => r.path === '/all');
    expect(all.map((r) => r.json.type)).toEqual(['purchase.created', 'purchase.paid']);
    expect(all.every((r) => verifies(r, everything.public_key))).toBe(true);
  });

  test('a 500 is retried on the backoff schedule (scaled) and the log records every attempt', async () => {
    receiver.respondWith(500, 200);
    await createWebhook({ callback: `${receiver.url}/hook`, events: ['purchase.paid'] });
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    const [first, second] = await receiver.waitFor(2);
    // Attempt 2 waits 3^1 − 1 = 2 minutes × 0.001 = 120 ms of real time (a lower bound, never flaky).
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(100);
    expect(second!.body.equals(first!.body)).toBe(true);
    expect(second!.headers['x-signature']).toBe(first!.headers['x-signature']);
    await sandbox.settle();

    const log = await api.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`);
    expect(log.status).toBe(200);
    const parsed = webhookDeliveryListSchema.parse(log.body);
    expect(parsed.results).toHaveLength(1);
    const entry = log.body.results[0];
    expect(entry).toMatchObject({
      event: 'purchase.paid',
      status: 'delivered',
      response_code: 200,
      attempt_count: 2,
      callback: `${receiver.url}/hook`,
      payload: { type: 'purchase.paid', object: { id: purchase.id } },
    });
    expect(entry.attempts.map((a: Json) => a.response_code)).toEqual([500, 200]);
    expect(entry.attempts[0].error).toBe('HTTP 500');
    expect(entry.sent_at).toEqual(expect.any(Number));
    // The log shows what was sent and its signature, never the key that signed it.
    const controlLog = await fetch(`${sandbox.url}/__sandbox/deliveries`);
    expect(controlLog.status).toBe(200);
    for (const text of [log.text, await controlLog.text()]) {
      expect(text).toContain(entry.id);
      expect(text).not.toMatch(/PRIVATE KEY|private_key|privateKey/);
    }
  });

  test('the delivery log needs id and source_type', async () => {
    const response = await api.get('/webhooks/deliveries/');
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual({
      id: ['This field is required.'],
      source_type: ['This field is required.'],
    });
    const bad = await api.get('/webhooks/deliveries/?id=x&source_type=order');
    expect(bad.body.details).toEqual({ source_type: ['"order" is not a valid choice.'] });
  });

  test('refunds are logged under the refund payment too', async () => {
    await createWebhook({ callback: `${receiver.url}/hook`, all_events: true });
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    const refund = (await api.post(`/purchases/${purchase.id}/refund/`, { amount: 100 })).body;
    await sandbox.settle();
    const byPayment = await api.get(`/webhooks/deliveries/?id=${refund.id}&source_type=payment`);
    expect(byPayment.body.results.map((d: Json) => d.event)).toEqual(['payment.refunded']);
    const byPurchase = await api.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`);
    expect(byPurchase.body.results.map((d: Json) => d.event)).toEqual([
      'purchase.refunded',
      'purchase.paid',
      'purchase.created',
    ]);
  });
});

describe('retries driven by the sandbox clock', () => {
  test('real backoff (scale 1): each advance releases the next attempt; 8 attempts, then failed', async () => {
    const slow = await start({ webhookTimeScale: 1 });
    const slowApi = client(slow);
    try {
      receiver.respondWith(503);
      const hook = (
        await slowApi.post('/webhooks/', { callback: `${receiver.url}/hook`, events: ['purchase.paid'] })
      ).body;
      const purchase = await createPurchase(slowApi, slow.brandId);
      await pay(slow, purchase.id);
      await receiver.waitFor(1);
      await slow.settle();
      const logOf = async () =>
        (await slowApi.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`)).body.results[0];

      let entry = await logOf();
      expect(entry).toMatchObject({ status: 'pending', attempt_count: 1, response_code: 503 });
      expect(entry.next_attempt_on - entry.attempts[0].sent_at).toBe(120);

      await slow.advanceClock(119);
      expect(receiver.requests).toHaveLength(1);
      await slow.advanceClock(1);
      expect(receiver.requests).toHaveLength(2);

      await slow.advanceClock(3 * 86_400);
      entry = await logOf();
      expect(entry).toMatchObject({ status: 'failed', attempt_count: 8, next_attempt_on: null });
      expect(receiver.requests).toHaveLength(8);
      const gaps = entry.attempts.slice(1).map((a: Json, i: number) => a.sent_at - entry.attempts[i].sent_at);
      expect(gaps).toEqual(RETRY_DELAYS_MINUTES.slice(1).map((m) => m * 60));
      expect(receiver.requests.every((r) => verifies(r, hook.public_key))).toBe(true);
    } finally {
      await slow.close();
    }
  });
});

describe('success_callback', () => {
  test('POSTs the purchase with event_type, signed with the company key of GET /public_key/', async () => {
    const hook = await createWebhook({ callback: `${receiver.url}/hook`, all_events: true });
    const purchase = await createPurchase(api, sandbox.brandId, {
      success_callback: `${receiver.url}/callback`,
    });
    await pay(sandbox, purchase.id);
    await sandbox.settle();
    const callbacks = receiver.requests.filter((r) => r.path === '/callback');
    expect(callbacks).toHaveLength(1);
    const body = callbacks[0]!.json;
    expect(body).toMatchObject({
      id: purchase.id,
      status: 'paid',
      event_type: 'purchase.paid',
      type: 'purchase',
    });

    const keyResponse = await api.get('/public_key/');
    expect(keyResponse.status).toBe(200);
    expect(typeof keyResponse.body).toBe('string');
    expect(keyResponse.text.startsWith('"-----BEGIN PUBLIC KEY-----\\n')).toBe(true);
    expect(keyResponse.body).toBe(sandbox.publicKey);
    expect(verifies(callbacks[0]!, keyResponse.body)).toBe(true);
    expect(verifies(callbacks[0]!, hook.public_key)).toBe(false);

    const log = await api.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`);
    expect(log.body.results.find((d: Json) => d.kind === 'success_callback')).toMatchObject({
      status: 'delivered',
      callback: `${receiver.url}/callback`,
      webhook_id: null,
    });
  });

  test('publicKeyShape "object" answers the seed-000 shape', async () => {
    const other = await start({ publicKeyShape: 'object' });
    try {
      const response = await client(other).get('/public_key/');
      expect(response.body).toEqual({ public_key: other.publicKey });
    } finally {
      await other.close();
    }
  });

  test('a failed payment sends no success callback', async () => {
    const purchase = await createPurchase(api, sandbox.brandId, {
      success_callback: `${receiver.url}/callback`,
    });
    await pay(sandbox, purchase.id, '4000 0000 0000 0002');
    await sandbox.settle();
    expect(receiver.requests).toHaveLength(0);
  });
});

test("a deleted webhook's pending deliveries stop: its key is gone with it", async () => {
  receiver.respondWith(500);
  const webhook = (await api.post('/webhooks/', { callback: receiver.url, events: ['purchase.paid'] })).body;
  const purchase = await createPurchase(api, sandbox.brandId);
  await pay(sandbox, purchase.id);
  await receiver.waitFor(1);
  await sandbox.settle();
  expect((await api.del(`/webhooks/${webhook.id}/`)).status).toBe(204);
  await sandbox.advanceClock(3 * 60);
  await sandbox.settle();
  expect(receiver.requests).toHaveLength(1);
  const log = await api.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`);
  expect(log.body.results[0]).toMatchObject({ status: 'failed', attempt_count: 2 });
  expect(log.body.results[0].attempts[1].error).toBe('the signing key is gone (the webhook it was for was deleted)');
});
