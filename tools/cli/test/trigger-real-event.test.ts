import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { runTijara } from './run-tijara.js';
import { sandboxApi } from './sandbox-api.js';

let dir: string;
let sandbox: RunningSandbox;
let api: ReturnType<typeof sandboxApi>;
let app: LoopbackServer;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-trigger-real-'));
  sandbox = await startSandbox({ port: 0, dbFile: ':memory:', webhookTimeScale: 0.001 });
  api = sandboxApi(sandbox);
  app = await startLoopbackServer((_request, response) => {
    response.writeHead(202);
    response.end();
  });
  env = { UMMAH_API_BASE: sandbox.apiBase, UMMAH_SECRET_KEY: sandbox.secretKey };
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

test.each([
  ['purchase.created', 'created'],
  ['purchase.paid', 'paid'],
  ['purchase.payment_failure', 'error'],
  ['purchase.hold', 'hold'],
  ['purchase.captured', 'paid'],
  ['purchase.released', 'released'],
  ['purchase.refunded', 'refunded'],
  ['purchase.cancelled', 'cancelled'],
  ['purchase.preauthorized', 'preauthorized'],
  ['purchase.recurring_token_deleted', 'paid'],
])(
  'trigger %s --to: the sandbox really does it and its signed delivery reaches the URL',
  async (event, status) => {
    const path = `/${event}`;
    const result = await runTijara(['webhooks', 'trigger', event, '--to', `${app.url}${path}`], {
      cwd: dir,
      env,
    });
    expect(result.code).toBe(0);
    const purchaseId = new RegExp(`^${event.replace('.', '\\.')}  (\\S+)  -> 202\\n$`).exec(
      result.stdout,
    )?.[1];
    expect(purchaseId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const purchase = await api.call<{ status: string }>('GET', `purchases/${purchaseId}/`);
    expect(purchase.status).toBe(status);

    const request = app.requests.find(
      (r) => r.path === path && (r.json as { object: { id: string } }).object.id === purchaseId,
    );
    expect(request?.json).toMatchObject({ type: event, object: { id: purchaseId } });
    const publicKey = /-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\n/.exec(result.stderr)![0];
    const signature = Buffer.from(String(request!.headers['x-signature']), 'base64');
    expect(verify('sha256', request!.body, createPublicKey(publicKey), signature)).toBe(true);
    // The temporary webhook is gone again.
    expect((await api.webhooks()).results).toEqual([]);
  },
);

test('payment.refunded --to delivers the refund Payment of a real refund', async () => {
  const result = await runTijara(['webhooks', 'trigger', 'payment.refunded', '--to', `${app.url}/refund`], {
    cwd: dir,
    env,
  });
  expect(result.code).toBe(0);
  const purchaseId = /^payment\.refunded {2}(\S+) {2}-> 202\n$/.exec(result.stdout)![1];
  const request = app.requests.find((r) => r.path === '/refund')!;
  expect(request.json).toMatchObject({ type: 'payment.refunded', object: { amount: 2999 } });
  expect(JSON.stringify(request.json)).toContain(purchaseId);
});

test('without --to the event happens on the gateway for its registered webhooks', async () => {
  const result = await runTijara(['webhooks', 'trigger', 'purchase.paid'], { cwd: dir, env });
  expect(result.code).toBe(0);
  const purchaseId =
    /^purchase\.paid {2}(\S+) {2}\(create a purchase, pay it with 4242…; delivered to the gateway's registered webhooks\)\n$/.exec(
      result.stdout,
    )?.[1];
  expect((await api.call<{ status: string }>('GET', `purchases/${purchaseId}/`)).status).toBe('paid');
});

test('an event the gateway cannot be made to emit from here asks for --key', async () => {
  const result = await runTijara(['webhooks', 'trigger', 'purchase.settled', '--to', app.url], {
    cwd: dir,
    env,
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(
    /^tijara: error: purchase\.settled cannot be caused on Ummah from here \(possible: purchase\.created, .*\); pass --key private\.pem --to URL to send a signed sample instead\n$/,
  );
});

test('a wrong secret key is reported as the gateway put it, without echoing the key', async () => {
  const result = await runTijara(
    ['webhooks', 'trigger', 'purchase.created', '--secret-key', 'sk_test_wrong_key_123456'],
    {
      cwd: dir,
      env: { UMMAH_API_BASE: sandbox.apiBase },
    },
  );
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^tijara: error: .*401/);
  expect(result.stderr).not.toContain('sk_test_wrong_key_123456');
});
