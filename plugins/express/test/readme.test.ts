import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningSandbox } from '@tijara/sandbox';
import { readmeExamples, spawnTs, stopChild, waitForLine } from '@tijara/testkit';
import { CARDS, payOnSandbox, startTestSandbox, ummahDriver } from './support/harness.js';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

test('every README example is a verbatim copy of a file the tests run', () => {
  const examples = readmeExamples(PACKAGE_DIR);
  expect(examples.map((e) => e.file)).toEqual(['examples/quick-start.ts']);
  for (const example of examples) expect(example.block).toBe(example.source);
});

describe('examples/quick-start.ts', () => {
  let sandbox: RunningSandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    dir = mkdtempSync(join(tmpdir(), 'tijara-express-readme-'));
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('runs as written: checkout, pay, and the webhook fulfils the order', async () => {
    const port = await freePort();
    const driver = ummahDriver(sandbox);
    const webhook = await driver.client.webhooks.create({
      callback: `http://127.0.0.1:${port}/payments/webhook`,
      events: ['purchase.paid', 'purchase.payment_failure'],
    });
    const child = spawnTs(new URL('../examples/quick-start.ts', import.meta.url), [], {
      cwd: dir,
      env: {
        UMMAH_SECRET_KEY: sandbox.secretKey,
        UMMAH_BRAND_ID: sandbox.brandId,
        UMMAH_BASE_URL: sandbox.apiBase,
        UMMAH_WEBHOOK_PUBLIC_KEY: webhook.public_key ?? '',
        PORT: String(port),
      },
    });
    try {
      await waitForLine(
        child,
        new RegExp(`listening on ${port}; webhook at http://127.0.0.1:${port}/payments/webhook`),
        30_000,
      );
      const checkout = await fetch(`http://127.0.0.1:${port}/payments/checkout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'orderId=order-1001',
      });
      expect(checkout.status).toBe(303);
      const purchaseId = /\/checkout\/([^/]+)\//.exec(checkout.headers.get('location') ?? '')![1]!;
      await payOnSandbox(sandbox, purchaseId, CARDS.ok);
      await sandbox.settle();
      await waitForLine(child, /^fulfil order-1001: 4990 MYR$/, 15_000);
      const order = await fetch(`http://127.0.0.1:${port}/orders/order-1001`);
      expect(await order.json()).toEqual({ id: 'order-1001', status: 'paid' });
    } finally {
      await stopChild(child);
      await driver.client.webhooks.delete(webhook.id);
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
