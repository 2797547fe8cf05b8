import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostpayDriver, type PostpayDriver } from '@tijara/postpay';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { startLoopbackServer } from '@tijara/testkit';
import { writeSandboxStateIn } from '../src/index.js';
import { runTijara, startTijara, type RunningTijara } from './run-tijara.js';
import { startVerifyingReceiver, type VerifyingReceiver } from './verifying-receiver.js';
import { waitUntil } from './wait-until.js';

/**
 * `tijara webhooks … --gateway postpay` against a real sandbox: hooks created and deleted through Postpay's own
 * hooks API, events caused for real (a checkout approved through the control API, then captured or refunded
 * through the API), and every delivery checked by an endpoint that verifies it with the Postpay driver.
 */
const HOOK_SECRET = 'whsec_cli_postpay_test_secret';

let dir: string;
let sandbox: RunningSandbox;
let app: VerifyingReceiver;
let env: Record<string, string>;
let baseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-postpay-'));
  sandbox = await startSandbox({ port: 0, dbFile: ':memory:', webhookTimeScale: 0.001 });
  const { merchantId, secretKey } = sandbox.gateways.postpay;
  baseUrl = sandbox.gateways.postpay.baseUrl(sandbox.url);
  const driver = createPostpayDriver({
    merchantId,
    secretKey,
    baseUrl,
    webhooks: { secrets: [HOOK_SECRET] },
  });
  app = await startVerifyingReceiver((body, headers) => driver.verifyWebhook(body, headers));
  env = { POSTPAY_BASE_URL: baseUrl, POSTPAY_MERCHANT_ID: merchantId, POSTPAY_SECRET_KEY: secretKey };
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Postpay's API as a shop backend calls it (no CLI code involved). */
async function postpay<T>(path: string): Promise<T> {
  const { merchantId, secretKey } = sandbox.gateways.postpay;
  const response = await fetch(`${baseUrl}/${path}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${merchantId}:${secretKey}`).toString('base64')}`,
      accept: 'application/vnd.postpay+json; version=v1',
    },
  });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

const hooks = () => postpay<{ results: Array<{ id: string; url: string; events: string[] }> }>('hooks');

/** What the app verified for one order (at one path), by the driver's raw event name. */
function verifiedFor(path: string, orderId: string) {
  return app.verified.filter((d) => d.request.path === path && d.event.paymentId === orderId);
}

describe('webhooks listen --gateway postpay', () => {
  let listen: RunningTijara;
  let captured: { orderId: string; deliveryId: string; body: Buffer; signature: string };

  beforeAll(async () => {
    listen = startTijara(
      [
        'webhooks',
        'listen',
        '--gateway',
        'postpay',
        '--forward-to',
        `${app.url}/webhooks/postpay`,
        '--secret',
        HOOK_SECRET,
      ],
      { cwd: dir, env },
    );
    await listen.waitFor(/^Ready\. Press Ctrl\+C to stop\.$/m);
  });
  afterAll(async () => {
    await listen?.stop();
  });

  test('creates a hook through POST /hooks for order and transaction events, pointing at its receiver', async () => {
    const { results } = await hooks();
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ events: ['order', 'transaction'] });
    expect(results[0]!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(listen.stdout()).toContain(
      `Hook ${results[0]!.id} registered on ${baseUrl} for order, transaction\n`,
    );
    expect(listen.stdout()).toContain('Hook secret: the one you gave');
    expect(listen.stdout()).not.toContain(HOOK_SECRET);
  });

  test("trigger order.captured makes it happen; the sandbox's own signed deliveries verify with the driver", async () => {
    const result = await runTijara(['webhooks', 'trigger', 'order.captured', '--gateway', 'postpay'], {
      cwd: dir,
      env,
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const orderId =
      /^order\.captured {2}(\S+) {2}\(create a checkout, approve it .*; delivered to the gateway's registered webhooks\)\n$/.exec(
        result.stdout,
      )?.[1];
    expect(orderId).toMatch(/^tijara-trigger-/);
    expect(await postpay<{ status: string }>(`orders/${orderId}`)).toMatchObject({ status: 'captured' });

    const events = await waitUntil('approved, captured and the settlement line at the app', () => {
      const seen = verifiedFor('/webhooks/postpay', orderId!).map((d) => d.event.rawType);
      return ['order.approved', 'order.captured', 'transaction.order'].every((e) => seen.includes(e)) && seen;
    });
    expect(events).toHaveLength(3);
    expect(app.refused).toEqual([]);

    const pattern = new RegExp(`order\\.captured {2}${orderId} {2}-> 200 {2}\\(delivery (\\S+)\\)`);
    const deliveryId = pattern.exec(await listen.waitFor(pattern))![1]!;
    const request = verifiedFor('/webhooks/postpay', orderId!).find(
      (d) => d.event.rawType === 'order.captured',
    )!.request;
    captured = {
      orderId: orderId!,
      deliveryId,
      body: request.body,
      signature: String(request.headers['x-postpay-signature']),
    };
    // The id is the sandbox's own, from its delivery log.
    const log = (await (
      await fetch(`${sandbox.url}/__sandbox/deliveries?gateway=postpay&event=order.captured`)
    ).json()) as { results: Array<{ id: string; source_id: string }> };
    expect(log.results.find((d) => d.id === deliveryId)).toMatchObject({ source_id: orderId });
  });

  test('replay signs the same bytes afresh with the hook secret, as Postpay signs every retry', async () => {
    const result = await runTijara(
      [
        'webhooks',
        'replay',
        captured.deliveryId,
        '--gateway',
        'postpay',
        '--to',
        `${app.url}/replayed`,
        '--secret',
        HOOK_SECRET,
      ],
      { cwd: dir, env },
    );
    expect(result).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `order.captured  ${captured.deliveryId}  -> 200\n`,
    });
    const replayed = verifiedFor('/replayed', captured.orderId).at(-1)!;
    expect(replayed.request.body.equals(captured.body)).toBe(true);
    expect(replayed.event.rawType).toBe('order.captured');
  });

  test('without the secret, replay sends the X-Postpay-Signature listen received', async () => {
    const before = verifiedFor('/replayed', captured.orderId).length;
    const result = await runTijara(
      ['webhooks', 'replay', captured.deliveryId, '--gateway', 'postpay', '--to', `${app.url}/replayed`],
      { cwd: dir, env },
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const replayed = verifiedFor('/replayed', captured.orderId)[before]!;
    expect(replayed.request.body.equals(captured.body)).toBe(true);
    expect(replayed.request.headers['x-postpay-signature']).toBe(captured.signature);
  });

  test('replay elsewhere: the sandbox log has the bytes, but the signature needs the secret', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'tijara-postpay-replay-'));
    try {
      const args = ['webhooks', 'replay', captured.deliveryId, '--gateway', 'postpay', '--to', app.url];
      const unsigned = await runTijara(args, { cwd: elsewhere, env });
      expect(unsigned).toMatchObject({ code: 1, stdout: '' });
      expect(unsigned.stderr).toMatch(
        /^tijara: error: the X-Postpay-Signature of \S+ is not known here .*: pass --secret with the hook's secret/,
      );
      const signed = await runTijara(args, {
        cwd: elsewhere,
        env: { ...env, POSTPAY_HOOK_SECRET: HOOK_SECRET },
      });
      expect(signed).toMatchObject({ code: 0, stdout: `order.captured  ${captured.deliveryId}  -> 200\n` });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('Ctrl+C deletes the hook and exits 0', async () => {
    const [hook] = (await hooks()).results;
    const result = await listen.stop('SIGINT');
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).toBe(`Stopping (SIGINT): deleting hook ${hook!.id}…\n`);
    expect((await hooks()).results).toEqual([]);
  });
});

test('listen without a secret makes one and prints it; an app configured with it verifies the deliveries', async () => {
  let driver: PostpayDriver | undefined;
  const fresh = await startVerifyingReceiver((body, headers) => {
    if (!driver) throw new Error('no hook secret configured yet');
    return driver.verifyWebhook(body, headers);
  });
  const listen = startTijara(
    ['webhooks', 'listen', '--gateway', 'postpay', '--forward-to', fresh.url, '--events', 'order'],
    { cwd: dir, env },
  );
  try {
    const out = await listen.waitFor(/^Ready\./m);
    const secret =
      /^Hook secret \(verify X-Postpay-Signature with it, e\.g\. as POSTPAY_HOOK_SECRET\):\n(\S+)$/m.exec(
        out,
      )?.[1];
    expect(secret).toMatch(/^tijara_hook_[A-Za-z0-9_-]{32}$/);
    expect((await hooks()).results[0]).toMatchObject({ events: ['order'] });
    const { merchantId, secretKey } = sandbox.gateways.postpay;
    driver = createPostpayDriver({ merchantId, secretKey, baseUrl, webhooks: { secrets: [secret!] } });

    const result = await runTijara(['webhooks', 'trigger', 'order.denied', '--gateway', 'postpay'], {
      cwd: dir,
      env,
    });
    const orderId = /^order\.denied {2}(\S+)/.exec(result.stdout)![1]!;
    const delivered = await waitUntil('order.denied, verified with the printed secret', () =>
      fresh.verified.find((d) => d.event.paymentId === orderId),
    );
    expect(delivered.event).toMatchObject({ rawType: 'order.denied', type: 'payment.failed' });
    expect(fresh.refused).toEqual([]);
  } finally {
    expect((await listen.stop()).code).toBe(0);
    await fresh.close();
  }
});

describe('trigger --gateway postpay --to: a temporary hook delivers the real event to that URL alone', () => {
  test.each([
    ['order.approved', 'approved'],
    ['order.denied', 'denied'],
    ['order.cancelled', 'cancelled'],
    ['order.captured', 'captured'],
    ['transaction.order', 'captured'],
    ['transaction.refund', 'captured'],
  ])('%s', async (event, status) => {
    const path = `/to/${event}`;
    const result = await runTijara(
      [
        'webhooks',
        'trigger',
        event,
        '--gateway',
        'postpay',
        '--to',
        `${app.url}${path}`,
        '--secret',
        HOOK_SECRET,
      ],
      { cwd: dir, env },
    );
    expect(result.code).toBe(0);
    const orderId = new RegExp(`^${event.replace('.', '\\.')} {2}(\\S+) {2}-> 200\\n$`).exec(
      result.stdout,
    )?.[1];
    expect(orderId).toMatch(/^tijara-trigger-/);
    expect(result.stderr).toMatch(/^Signed with the secret you gave, as temporary hook \S+\n$/);
    expect(await postpay<{ status: string }>(`orders/${orderId}`)).toMatchObject({ status });
    const delivered = verifiedFor(path, orderId!).map((d) => d.event.rawType);
    expect(delivered).toContain(event);
    // Only the event's kind was subscribed: an order event never arrives for a transaction trigger, nor back.
    expect(delivered.every((name) => name.split('.')[0] === event.split('.')[0])).toBe(true);
    expect((await hooks()).results).toEqual([]);
  });

  test('with a secret the app does not know, its 400 is the outcome (exit 1), and the new secret is printed', async () => {
    const result = await runTijara(
      ['webhooks', 'trigger', 'order.approved', '--gateway', 'postpay', '--to', `${app.url}/unknown-secret`],
      { cwd: dir, env },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^order\.approved {2}\S+ {2}-> 400\n$/);
    expect(result.stderr).toMatch(
      /^Signed with the secret of temporary hook \S+:\ntijara_hook_\S+\ntijara: error: \S+ answered 400; the gateway would retry this delivery\n$/,
    );
    expect(app.refused.at(-1)!.reason).toMatch(/signature/i);
    app.refused.length = 0;
  });
});

test('a state file without gateways (an older CLI, npm start): the credentials come from the sandbox itself', async () => {
  const legacy = mkdtempSync(join(tmpdir(), 'tijara-postpay-legacy-'));
  try {
    writeSandboxStateIn(join(legacy, '.tijara'), {
      url: sandbox.url,
      apiBase: sandbox.apiBase,
      secretKey: sandbox.secretKey,
      brandId: sandbox.brandId,
      pid: process.pid,
    });
    const result = await runTijara(
      [
        'webhooks',
        'trigger',
        'order.approved',
        '--gateway',
        'postpay',
        '--to',
        `${app.url}/legacy`,
        '--secret',
        HOOK_SECRET,
      ],
      { cwd: legacy },
    );
    expect(result.code).toBe(0);
    const orderId = /^order\.approved {2}(\S+) {2}-> 200\n$/.exec(result.stdout)![1]!;
    expect(verifiedFor('/legacy', orderId).map((d) => d.event.rawType)).toEqual(['order.approved']);
  } finally {
    rmSync(legacy, { recursive: true, force: true });
  }
});

test('a Postpay that is not a sandbox cannot approve a checkout: one line saying so', async () => {
  const notSandbox = await startLoopbackServer((_request, response) => {
    response.writeHead(404);
    response.end();
  });
  try {
    const result = await runTijara(['webhooks', 'trigger', 'order.captured', '--gateway', 'postpay'], {
      cwd: dir,
      env: { ...env, POSTPAY_BASE_URL: notSandbox.url },
    });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      `tijara: error: order.captured needs a buyer's action, which only a Tijara sandbox's control API can take, and ${notSandbox.url} is not one; send a signed sample to --to instead\n`,
    );
  } finally {
    await notSandbox.close();
  }
});

test('a wrong secret key is reported as Postpay answered it, in one line, without echoing the key', async () => {
  const result = await runTijara(
    [
      'webhooks',
      'trigger',
      'order.approved',
      '--gateway',
      'postpay',
      '--secret-key',
      'sk_test_wrong_key_98765',
    ],
    { cwd: dir, env: { ...env, POSTPAY_SECRET_KEY: '' } },
  );
  expect(result).toMatchObject({ code: 1, stdout: '' });
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^tijara: error: .*401/);
  expect(result.stderr).not.toContain('sk_test_wrong_key_98765');
});
