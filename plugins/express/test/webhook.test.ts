import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '@tijara/core';
import { openLedger, type Ledger } from '@tijara/ledger';
import type { RunningSandbox } from '@tijara/sandbox';
import { generateUmmahTestKeys, ummahTestWebhookHeaders } from '@tijara/ummah';
import {
  capturedLogs,
  CARDS,
  eventually,
  payOnSandbox,
  postForm,
  startStore,
  startTestSandbox,
  type StoreHarness,
} from './support/harness.js';

let sandbox: RunningSandbox;
/** A store whose webhook the sandbox does not know: the test is the only sender. */
let store: StoreHarness;
const keys = generateUmmahTestKeys();

beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

/** An order the buyer has paid at the gateway, which the store has not heard about yet. */
async function paidAtGateway(card: string = CARDS.ok) {
  const order = store.createOrder();
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  const [payment] = await store.tijara.listPayments(order.id);
  await payOnSandbox(sandbox, payment!.paymentId, card);
  const purchase = await store.driver.client.purchases.retrieve(payment!.paymentId);
  return { order, paymentId: payment!.paymentId, purchase: purchase as unknown as Record<string, unknown> };
}

function envelope(
  purchase: Record<string, unknown>,
  type: string,
  createdOn = Math.floor(Date.now() / 1000),
) {
  return JSON.stringify({
    id: `evt_${Math.random().toString(36).slice(2)}`,
    type,
    created_on: createdOn,
    object: purchase,
  });
}

function deliver(body: string | Buffer, headers: Record<string, string>) {
  return fetch(`${store.url}/payments/webhook`, { method: 'POST', headers, body });
}

const eventsOf = (orderId: string) => store.events.filter((e) => e.orderId === orderId).map((e) => e.type);

describe.each([5, 4] as const)('webhooks on Express %i', (expressVersion) => {
  beforeAll(async () => {
    store = await startStore({ sandbox, expressVersion, registerWebhook: false });
    store.driver.webhookVerifier.addKey(keys.publicKey);
  });
  afterAll(async () => {
    await store.close();
  });

  test('the same delivery five times at once: every answer is 2xx and the store handles it once', async () => {
    const { order, purchase } = await paidAtGateway();
    const body = envelope(purchase, 'purchase.paid');
    const headers = ummahTestWebhookHeaders(body, keys.privateKey);
    const responses = await Promise.all(Array.from({ length: 5 }, () => deliver(body, headers)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const outcomes = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { outcome: string }).outcome),
    );
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'settled']);
    expect(eventsOf(order.id)).toEqual(['payment.paid']);
  });

  test('a tampered signature is refused with 403 and the order is unchanged', async () => {
    const { order, paymentId, purchase } = await paidAtGateway();
    const body = envelope(purchase, 'purchase.paid');
    const signed = ummahTestWebhookHeaders(body, keys.privateKey);
    const tamperedBody = body.replace('"paid"', '"paid" ');
    expect((await deliver(tamperedBody, signed)).status).toBe(403);
    const forged = ummahTestWebhookHeaders(body, generateUmmahTestKeys().privateKey);
    const refused = await deliver(body, forged);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'invalid_signature', message: expect.any(String) });
    expect((await deliver(body, { 'content-type': 'application/json' })).status).toBe(403);
    expect(eventsOf(order.id)).toEqual([]);
    expect((await store.tijara.listPayments(order.id)).map((p) => p.status)).toEqual(['pending']);
    // The genuine delivery still works afterwards.
    expect((await deliver(body, signed)).status).toBe(200);
    expect(eventsOf(order.id)).toEqual(['payment.paid']);
    expect((await store.tijara.ledger.payments.find('ummah', paymentId))?.status).toBe('paid');
  });

  test('malformed bodies are 400, other media types 415, oversized bodies 413', async () => {
    const notJson = 'not json at all';
    expect((await deliver(notJson, ummahTestWebhookHeaders(notJson, keys.privateKey))).status).toBe(400);
    const notAnEvent = JSON.stringify({ hello: 'world' });
    expect((await deliver(notAnEvent, ummahTestWebhookHeaders(notAnEvent, keys.privateKey))).status).toBe(
      400,
    );
    const form = await deliver('a=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const huge = JSON.stringify({ pad: 'x'.repeat(300 * 1024) });
    expect((await deliver(huge, ummahTestWebhookHeaders(huge, keys.privateKey))).status).toBe(413);
  });

  test('a valid delivery that arrives after the replay window is re-read from the gateway and settles correctly', async () => {
    const { order, purchase } = await paidAtGateway();
    const threeHoursAgo = Math.floor(Date.now() / 1000) - 3 * 3600;
    // What the gateway said three hours ago (still awaiting payment); the purchase is paid by now.
    const stale = { ...purchase, status: 'created', updated_on: threeHoursAgo };
    const body = envelope(stale, 'purchase.created', threeHoursAgo);
    const response = await deliver(body, ummahTestWebhookHeaders(body, keys.privateKey));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { outcome: string }).outcome).toBe('settled');
    expect(eventsOf(order.id)).toEqual(['payment.paid']);
    const processed = capturedLogs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === 'webhook processed' && entry.outcome === 'settled');
    expect(processed.at(-1)).toMatchObject({ refetched: true });
  });

  test("a store handler that throws answers 5xx, keeps the event, and the gateway's retry delivers it once", async () => {
    const { order, purchase } = await paidAtGateway();
    const body = envelope(purchase, 'purchase.paid');
    const headers = ummahTestWebhookHeaders(body, keys.privateKey);
    store.failNext('payment.paid');
    const failed = await deliver(body, headers);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ error: 'store_callback_failed', message: expect.any(String) });
    expect(eventsOf(order.id)).toEqual([]);
    const retried = await deliver(body, headers);
    expect(retried.status).toBe(200);
    expect(eventsOf(order.id)).toEqual(['payment.paid']);
    expect((await deliver(body, headers)).status).toBe(200);
    expect(eventsOf(order.id)).toEqual(['payment.paid']);
  });

  test('with the real sandbox: a failing handler makes the sandbox retry until the order is paid, once', async () => {
    const live = await startStore({ sandbox, expressVersion });
    try {
      live.failNext('payment.paid', 2);
      const order = live.createOrder();
      await postForm(`${live.url}/payments/checkout`, { orderId: order.id });
      const [payment] = await live.tijara.listPayments(order.id);
      await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
      await eventually(async () => {
        await sandbox.settle();
        expect(live.events.filter((e) => e.orderId === order.id).map((e) => e.type)).toEqual([
          'payment.paid',
        ]);
      }, 20_000);
      const deliveries = (await (
        await fetch(`${sandbox.url}/__sandbox/deliveries?source_id=${payment!.paymentId}&event=purchase.paid`)
      ).json()) as {
        results: Array<{ attempts: Array<{ response_code: number | null }> }>;
      };
      const codes = deliveries.results.flatMap((d) => d.attempts.map((a) => a.response_code));
      expect(codes.slice(0, 2)).toEqual([500, 500]);
      expect(codes.at(-1)).toBe(200);
    } finally {
      await live.close();
    }
  });
});

describe('the outbox', () => {
  let dir: string;
  let ledger: Ledger;
  let commits = 0;
  /** What the store's handler saw: which order, and how many commits had happened when it ran. */
  const handedOver: Array<{ orderId: string; commits: number }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tijara-express-outbox-'));
    const db = openSqliteDatabase(join(dir, 'ledger.sqlite'));
    // Count the COMMITs on the ledger's connection (Node's object, instrumented; the ledger is unchanged).
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      const statement = prepare(sql);
      if (sql === 'COMMIT') {
        const run = statement.run.bind(statement);
        statement.run = (...args: never[]) => {
          commits += 1;
          return run(...args);
        };
      }
      return statement;
    }) as typeof db.prepare;
    ledger = await openLedger({ database: db });
    store = await startStore({
      sandbox,
      registerWebhook: false,
      plugin: {
        database: ledger,
        on: { 'payment.paid': (event) => void handedOver.push({ orderId: event.orderId, commits }) },
      },
    });
    store.driver.webhookVerifier.addKey(keys.publicKey);
  });
  afterAll(async () => {
    await store.close();
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a settled webhook is one commit, its event handed over after it; a redelivery writes nothing', async () => {
    const { order, purchase } = await paidAtGateway();
    const body = envelope(purchase, 'purchase.paid');
    const headers = ummahTestWebhookHeaders(body, keys.privateKey);
    await ledger.flush();
    commits = 0;
    const first = await deliver(body, headers);
    expect(((await first.json()) as { outcome: string }).outcome).toBe('settled');
    // Event id, payment change and queued event were one commit, and the store heard of it after that commit.
    // Its delivered mark is the next write (under load it rides in another delivery's commit).
    expect(handedOver).toEqual([{ orderId: order.id, commits: 1 }]);

    await ledger.flush();
    commits = 0;
    const again = await deliver(body, headers);
    expect(((await again.json()) as { outcome: string }).outcome).toBe('duplicate');
    expect(commits).toBe(0);
    const [payment] = await store.tijara.listPayments(order.id);
    expect((await ledger.outbox.list(`express:${order.id}:1`)).map((m) => [m.id, m.status])).toEqual([
      [`${payment!.paymentId}:0:0`, 'delivered'],
    ]);
    expect(handedOver).toHaveLength(1);
  });
});
