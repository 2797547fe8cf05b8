import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import { runTijara, startTijara, type RunningTijara } from './run-tijara.js';
import { sandboxApi } from './sandbox-api.js';
import { waitUntil } from './wait-until.js';

let dir: string;
let sandbox: RunningSandbox;
let api: ReturnType<typeof sandboxApi>;
let app: LoopbackServer;
let appStatus = 200;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-listen-'));
  sandbox = await startSandbox({ port: 0, dbFile: ':memory:', webhookTimeScale: 0.001 });
  api = sandboxApi(sandbox);
  app = await startLoopbackServer((_request, response) => {
    response.writeHead(appStatus, { 'content-type': 'text/plain' });
    response.end(appStatus < 300 ? 'ok' : 'nope');
  });
  env = { UMMAH_API_BASE: sandbox.apiBase, UMMAH_SECRET_KEY: sandbox.secretKey };
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

function verifies(request: RecordedRequest, publicKeyPem: string): boolean {
  const signature = Buffer.from(String(request.headers['x-signature']), 'base64');
  return verify('sha256', request.body, createPublicKey(publicKeyPem), signature);
}

function publicKeyFrom(stdout: string): string {
  const pem = /-----BEGIN PUBLIC KEY-----\n[\s\S]+?\n-----END PUBLIC KEY-----\n/.exec(stdout)?.[0];
  if (!pem) throw new Error(`no public key in: ${stdout}`);
  return pem;
}

describe('webhooks listen', () => {
  let listen: RunningTijara;
  let publicKey: string;
  let paidDelivery: { id: string; purchaseId: string; request: RecordedRequest };

  beforeAll(async () => {
    listen = startTijara(
      [
        'webhooks',
        'listen',
        '--forward-to',
        `${app.url}/webhooks/ummah`,
        '--events',
        'purchase.paid,purchase.payment_failure',
      ],
      { cwd: dir, env },
    );
    publicKey = publicKeyFrom(await listen.waitFor(/^Ready\. Press Ctrl\+C to stop\.$/m));
  });
  afterAll(async () => {
    await listen?.stop();
  });

  test('registers a webhook for the chosen events pointing at its own loopback receiver', async () => {
    const { results } = await api.webhooks();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ events: ['purchase.paid', 'purchase.payment_failure'] });
    expect(results[0]!.callback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(listen.stdout()).toContain(
      `Webhook ${results[0]!.id} registered on ${sandbox.apiBase} for purchase.paid, purchase.payment_failure\n`,
    );
  });

  test('forwards a real delivery byte for byte; its signature verifies against the printed public key', async () => {
    const purchase = await api.createPurchase();
    await api.pay(purchase.id, '4242 4242 4242 4242');
    const request = await waitUntil('the forwarded purchase.paid', () =>
      app.requests.find((r) => r.path === '/webhooks/ummah'),
    );
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(verifies(request, publicKey)).toBe(true);
    expect(request.json).toMatchObject({
      type: 'purchase.paid',
      object: { id: purchase.id, status: 'paid' },
    });
    // Only subscribed events arrive: purchase.created was not forwarded.
    expect(app.requests.filter((r) => r.path === '/webhooks/ummah')).toHaveLength(1);

    const line = await listen.waitFor(
      new RegExp(`purchase\\.paid  ${purchase.id}  -> 200  \\(delivery (\\S+)\\)`),
    );
    const deliveryId = new RegExp(`purchase\\.paid  ${purchase.id}  -> 200  \\(delivery (\\S+)\\)`).exec(
      line,
    )![1]!;
    const log = await api.deliveries(purchase.id);
    expect(log.results.find((d) => d.id === deliveryId)).toMatchObject({ event: 'purchase.paid' });
    paidDelivery = { id: deliveryId, purchaseId: purchase.id, request };
  });

  test("the app's answer goes back to the gateway: a 500 is logged there, and the retry is forwarded too", async () => {
    appStatus = 500;
    let purchaseId: string;
    try {
      const purchase = await api.createPurchase();
      purchaseId = purchase.id;
      await api.pay(purchase.id, '4000 0000 0000 0002');
      await listen.waitFor(new RegExp(`purchase\\.payment_failure  ${purchase.id}  -> 500`));
    } finally {
      appStatus = 200;
    }
    // The sandbox retries 2 minutes later on its clock (scaled 1000x down here); this time the app says 200.
    await listen.waitFor(new RegExp(`purchase\\.payment_failure  ${purchaseId}  -> 200`));
    const logged = await waitUntil('the delivered retry in the log', async () =>
      (await api.deliveries(purchaseId)).results.find(
        (d) => d.event === 'purchase.payment_failure' && d.response_code === 200,
      ),
    );
    expect(logged).toMatchObject({ status: 'delivered', attempt_count: 2 });
  });

  test('replay re-sends the exact bytes with the same X-Signature', async () => {
    const result = await runTijara(['webhooks', 'replay', paidDelivery.id, '--to', `${app.url}/replayed`], {
      cwd: dir,
      env,
    });
    expect(result).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `purchase.paid  ${paidDelivery.id}  -> 200\n`,
    });
    const replayed = app.requests.find((r) => r.path === '/replayed')!;
    expect(replayed.body.equals(paidDelivery.request.body)).toBe(true);
    expect(replayed.headers['x-signature']).toBe(paidDelivery.request.headers['x-signature']);
    expect(verifies(replayed, publicKey)).toBe(true);

    // --object names the log to read, as against a gateway without a control API.
    const explicit = await runTijara(
      [
        'webhooks',
        'replay',
        paidDelivery.id,
        '--to',
        `${app.url}/replayed`,
        '--object',
        paidDelivery.purchaseId,
      ],
      { cwd: dir, env },
    );
    expect(explicit.code).toBe(0);
    const second = app.requests.filter((r) => r.path === '/replayed')[1]!;
    expect(second.body.equals(paidDelivery.request.body)).toBe(true);
  });

  test('replay of an unknown delivery, or one listen never received, fails with one line', async () => {
    const unknown = await runTijara(['webhooks', 'replay', 'no-such-delivery', '--to', app.url], {
      cwd: dir,
      env,
    });
    expect(unknown).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'tijara: error: the sandbox has no delivery no-such-delivery\n',
    });

    const elsewhere = mkdtempSync(join(tmpdir(), 'tijara-replay-'));
    try {
      const notCaptured = await runTijara(['webhooks', 'replay', paidDelivery.id, '--to', app.url], {
        cwd: elsewhere,
        env,
      });
      expect(notCaptured.code).toBe(1);
      expect(notCaptured.stderr).toMatch(
        /^tijara: error: the delivery log does not show the X-Signature of \S+, and `tijara webhooks listen` did not receive it in this directory/,
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('Ctrl+C deletes the webhook and exits 0', async () => {
    const result = await listen.stop('SIGINT');
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).toMatch(/^Stopping \(SIGINT\): deleting webhook \S+…\n$/);
    expect((await api.webhooks()).results).toEqual([]);
  });
});

test('listen --public-key-out writes the key file, and all events are forwarded by default', async () => {
  const listen = startTijara(
    ['webhooks', 'listen', '--forward-to', `${app.url}/all`, '--public-key-out', 'webhook.pem'],
    { cwd: dir, env },
  );
  try {
    const out = await listen.waitFor(/^Ready\./m);
    expect(out).toContain('for all events');
    const purchase = await api.createPurchase();
    const created = await waitUntil('purchase.created', () => app.requests.find((r) => r.path === '/all'));
    expect(created.json).toMatchObject({ type: 'purchase.created', object: { id: purchase.id } });
    expect(verifies(created, readFileSync(join(dir, 'webhook.pem'), 'utf8'))).toBe(true);
  } finally {
    expect((await listen.stop()).code).toBe(0);
  }
});

test('when the app is down, listen prints the failure and the gateway sees a 502 (and will retry)', async () => {
  const down = await startLoopbackServer(() => undefined);
  const deadUrl = `${down.url}/webhooks/ummah`;
  await down.close();
  const listen = startTijara(
    ['webhooks', 'listen', '--forward-to', deadUrl, '--events', 'purchase.cancelled'],
    {
      cwd: dir,
      env,
    },
  );
  try {
    await listen.waitFor(/^Ready\./m);
    const purchase = await api.createPurchase();
    await api.call('POST', `purchases/${purchase.id}/cancel/`);
    await listen.waitFor(new RegExp(`purchase\\.cancelled {2}${purchase.id} {2}-> failed: .*ECONNREFUSED`));
    const logged = await waitUntil('the 502 in the delivery log', async () =>
      (await api.deliveries(purchase.id)).results.find(
        (d) => d.event === 'purchase.cancelled' && d.response_code === 502,
      ),
    );
    expect(logged.status).toBe('pending');
  } finally {
    expect((await listen.stop()).code).toBe(0);
  }
});
