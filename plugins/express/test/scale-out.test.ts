import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSandbox } from '@tijara/sandbox';
import {
  childOutput,
  createTestDatabase,
  sendLine,
  spawnTs,
  stopChild,
  waitForLine,
  type TestDatabase,
} from '@tijara/testkit';
import { generateUmmahTestKeys, ummahTestWebhookHeaders } from '@tijara/ummah';
import { CARDS, eventually, payOnSandbox, startTestSandbox, ummahDriver } from './support/harness.js';

const REDIS_URL = process.env.TIJARA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let sandbox: RunningSandbox;
let dir: string;
// This run's own database: created here, dropped at the end, never one another run may be using.
let database: TestDatabase;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  dir = mkdtempSync(join(tmpdir(), 'tijara-express-scale-'));
  database = await createTestDatabase('express_scale_out');
});
afterAll(async () => {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
});

interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startInstance(env: Record<string, string>, label: string): Promise<Instance> {
  const child = spawnTs(new URL('./fixtures/store-process.ts', import.meta.url), [], {
    label,
    env: { SANDBOX_API: sandbox.apiBase, SANDBOX_KEY: sandbox.secretKey, BRAND_ID: sandbox.brandId, ...env },
  });
  const line = await waitForLine(child, /^listening /, 30_000);
  return { child, url: line.slice('listening '.length) };
}

const fulfilments = (instances: Instance[], orderId: string) =>
  instances.flatMap((i) =>
    childOutput(i.child)
      .stdout.split('\n')
      .filter((l) => l.startsWith(`fulfil ${orderId} `)),
  );

describe.each([
  [
    'Redis (dedupe and locks) with a shared SQLite ledger',
    () => ({
      DATABASE: `sqlite:${join(dir, 'shared-ledger.sqlite')}`,
      STORES: REDIS_URL,
      STORE_PREFIX: `tijara-express-test:${process.pid}:${Date.now()}:`,
    }),
  ],
  [
    'PostgreSQL (ledger, dedupe and locks)',
    () => ({
      DATABASE: database.url,
    }),
  ],
])('two store processes sharing %s', (_name, envFor) => {
  const instances: Instance[] = [];
  const webhookIds: string[] = [];
  const driver = () => ummahDriver(sandbox);

  beforeAll(async () => {
    const env = envFor();
    instances.push(await startInstance(env, 'store-a'), await startInstance(env, 'store-b'));
    // One webhook per instance: the gateway delivers every event to both, as a load balancer sending retries and
    // duplicates to whichever instance would.
    for (const instance of instances) {
      const webhook = await driver().client.webhooks.create({
        title: `scale-out ${instance.url}`,
        callback: `${instance.url}/payments/webhook`,
        all_events: true,
      });
      webhookIds.push(webhook.id);
      for (const other of instances) {
        sendLine(other.child, `key ${Buffer.from(webhook.public_key ?? '').toString('base64')}`);
        await waitForLine(other.child, /^key added$/);
      }
    }
  });
  afterAll(async () => {
    for (const id of webhookIds)
      await driver()
        .client.webhooks.delete(id)
        .catch(() => undefined);
    await Promise.all(instances.map((i) => stopChild(i.child)));
  });

  test('duplicate deliveries to both instances fulfil the order once', async () => {
    const orderId = `order-7300-${Date.now().toString(36)}`;
    const checkout = await fetch(`${instances[0]!.url}/payments/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ orderId }),
    });
    const { payment } = (await checkout.json()) as { payment: { paymentId: string } };
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'webhooks', type: 'duplicate', event: 'purchase.paid', count: 4 }),
    });
    await payOnSandbox(sandbox, payment.paymentId, CARDS.ok);

    // And a burst of the same signed delivery to both instances at once, on top of the gateway's own.
    const keys = generateUmmahTestKeys();
    for (const instance of instances) {
      sendLine(instance.child, `key ${Buffer.from(keys.publicKey).toString('base64')}`);
      await waitForLine(instance.child, /^key added$/);
    }
    const purchase = await driver().client.purchases.retrieve(payment.paymentId);
    const body = JSON.stringify({
      id: `evt_burst_${orderId}`,
      type: 'purchase.paid',
      created_on: Math.floor(Date.now() / 1000),
      object: purchase,
    });
    const headers = ummahTestWebhookHeaders(body, keys.privateKey);
    const burst = await Promise.all(
      instances.flatMap((i) =>
        Array.from({ length: 5 }, () =>
          fetch(`${i.url}/payments/webhook`, { method: 'POST', headers, body }),
        ),
      ),
    );
    expect(burst.every((r) => r.status === 200)).toBe(true);
    // Both instances also settle from the buyer's return at the same moment.
    await Promise.all(
      instances.map((i) => fetch(`${i.url}/payments/return/${orderId}/1/success`, { redirect: 'manual' })),
    );

    await eventually(async () => {
      await sandbox.settle();
      const deliveries = (await (
        await fetch(`${sandbox.url}/__sandbox/deliveries?source_id=${payment.paymentId}&event=purchase.paid`)
      ).json()) as {
        results: Array<{ status: string; attempts: unknown[] }>;
      };
      expect(deliveries.results).toHaveLength(2);
      expect(deliveries.results.every((d) => d.status === 'delivered')).toBe(true);
    }, 20_000);
    expect(fulfilments(instances, orderId)).toHaveLength(1);
  });
});
