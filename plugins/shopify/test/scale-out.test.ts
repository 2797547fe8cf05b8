/**
 * Two app processes behind one load balancer, sharing PostgreSQL: Shopify's retries land on either, the gateway's
 * webhook on one while the buyer returns through the other, Shopify fails once so both workers race the retry —
 * and every outcome is still one mutation.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { RunningSandbox } from '@tijara/sandbox';
import { childOutput, spawnTs, stopChild, waitForLine } from '@tijara/testkit';
import {
  startFakeShopify,
  type FakeShopify,
  type SessionRequestResult,
} from '../src/testing/fake-shopify.js';
import { API_KEY, API_SECRET, connectUmmahShop, startTestSandbox, uniqueShop } from './support/harness.js';
import { createTestDatabase } from './support/postgres.js';
import { payOnSandbox, sandboxPurchase } from './support/sandbox-pay.js';

let sandbox: RunningSandbox;
let fake: FakeShopify;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
interface Instance {
  readonly child: ChildProcess;
  readonly url: string;
}
const instances: Instance[] = [];
const shop = uniqueShop('scale');

async function startInstance(label: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnTs(new URL('./fixtures/app-process.ts', import.meta.url), [], {
    label,
    env: {
      DATABASE: db.url,
      FAKE_SHOPIFY_URL: fake.url,
      SANDBOX_API: sandbox.apiBase,
      ENCRYPTION_KEY: encryptionKey,
      API_KEY,
      API_SECRET,
    },
  });
  const line = await waitForLine(child, /^listening /, 30_000);
  return { child, url: line.slice('listening '.length) };
}
const encryptionKey = randomBytes(32).toString('hex');

beforeAll(async () => {
  db = await createTestDatabase('scale');
  sandbox = await startTestSandbox();
  fake = await startFakeShopify({ apiKey: API_KEY, apiSecretKey: API_SECRET });
  // One at a time: the second finds the first one's migrations done.
  instances.push(await startInstance('app-a'));
  instances.push(await startInstance('app-b'));
  const a = instances[0] as Instance;
  await connectUmmahShop({ url: a.url, fake }, sandbox, shop);
}, 90_000);
afterAll(async () => {
  await Promise.all(instances.map((i) => stopChild(i.child)));
  await fake?.close();
  await sandbox?.close();
  await db?.drop();
});

it('shares one database: a shop connected through one instance takes payments on the other', async () => {
  const b = instances[1] as Instance;
  const started = await fake.startPaymentSession({
    shop,
    url: `${b.url}/payments/sessions/payment`,
    amount: '9.00',
    currency: 'MYR',
  });
  expect(started.status).toBe(201);
});

it('every outcome is one mutation, whichever instance hears of it first', async () => {
  const [a, b] = instances as [Instance, Instance];
  const sessions: SessionRequestResult[] = [];
  for (let i = 0; i < 6; i++) {
    const id = `scale-${i}-${randomBytes(3).toString('hex')}`;
    const first = await fake.startPaymentSession({
      shop,
      url: `${a.url}/payments/sessions/payment`,
      amount: `${10 + i}.00`,
      currency: 'MYR',
      id,
    });
    // Shopify's retry of the same request lands on the other instance.
    const retry = await fake.startPaymentSession({
      shop,
      url: `${b.url}/payments/sessions/payment`,
      amount: `${10 + i}.00`,
      currency: 'MYR',
      id,
    });
    expect(retry.redirectUrl).toBe(first.redirectUrl);
    sessions.push(first);
  }
  fake.failNext(2, 'server_error');
  await Promise.all(
    sessions.map(async (session) => {
      const purchaseId = await payOnSandbox(sandbox, session.redirectUrl as string);
      // The buyer comes back through instance B while the signed callback reaches instance A.
      const returnUrl = new URL(String((await sandboxPurchase(sandbox, purchaseId)).success_redirect));
      const viaB = new URL(`${returnUrl.pathname}${returnUrl.search}`, b.url);
      await fetch(viaB, { redirect: 'manual' });
    }),
  );
  await sandbox.settle();
  await fake.waitForMutations(
    () => sessions.every((s) => fake.session('payment', s.session.id)?.state === 'resolved'),
    30_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const session of sessions) {
    const seen = fake.mutationsFor(session.session.gid);
    expect(seen.filter((m) => m.accepted).map((m) => m.name)).toEqual(['paymentSessionResolve']);
    // Only the two injected failures were ever repeated.
    expect(seen.filter((m) => !m.accepted).every((m) => m.userErrors[0] === 'injected server_error')).toBe(
      true,
    );
  }
  const attempts = sessions.reduce((n, s) => n + fake.mutationsFor(s.session.gid).length, 0);
  expect(attempts).toBe(sessions.length + 2);
  for (const instance of instances) expect(childOutput(instance.child).stdout).not.toMatch(/^alert /m);
});

it('an uninstall heard by one instance stops payments on the other at once', async () => {
  const [a, b] = instances as [Instance, Instance];
  expect(
    (await fake.sendWebhook({ url: `${a.url}/webhooks`, topic: 'app/uninstalled', shop, payload: {} }))
      .status,
  ).toBe(200);
  const started = await fake.startPaymentSession({
    shop,
    url: `${b.url}/payments/sessions/payment`,
    amount: '9.00',
    currency: 'MYR',
  });
  expect(started.status).toBe(503);
});
