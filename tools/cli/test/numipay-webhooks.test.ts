import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNumipayDriver } from '@tijara/numipay';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { runTijara, startTijara, type RunningTijara } from './run-tijara.js';
import { startVerifyingReceiver, type VerifyingReceiver } from './verifying-receiver.js';
import { waitUntil } from './wait-until.js';

/**
 * `tijara webhooks … --gateway numipay` against a real sandbox. Numipay has no webhook API: deliveries go to each
 * request's `settings.callback_url`, else the account's URL (the back office's setting, which the sandbox takes as
 * `PUT /__sandbox/numipay/webhook-url`). Every delivery is checked by an endpoint verifying it with the driver.
 */
let dir: string;
let sandbox: RunningSandbox;
let app: VerifyingReceiver;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-numipay-'));
  sandbox = await startSandbox({ port: 0, dbFile: ':memory:', webhookTimeScale: 0.001 });
  const { apiKey, signaturePassword } = sandbox.gateways.numipay;
  const baseUrl = sandbox.gateways.numipay.baseUrl(sandbox.url);
  const driver = createNumipayDriver({
    apiKey,
    baseUrl,
    mode: 'test',
    webhooks: { signaturePasswords: [signaturePassword] },
  });
  app = await startVerifyingReceiver((body, headers) => driver.verifyWebhook(body, headers));
  env = { NUMIPAY_BASE_URL: baseUrl, NUMIPAY_API_KEY: apiKey };
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function accountWebhookUrl(): Promise<unknown> {
  const info = (await (await fetch(`${sandbox.url}/__sandbox/info`)).json()) as {
    gateways: { numipay: { webhookUrl: unknown } };
  };
  return info.gateways.numipay.webhookUrl;
}

/** What the app verified about one transaction at one path. */
function verifiedFor(path: string, transactionId: string) {
  return app.verified.filter(
    (d) =>
      d.request.path === path &&
      (d.event.raw as { transaction_id?: string }).transaction_id === transactionId,
  );
}

describe('webhooks listen --gateway numipay', () => {
  let listen: RunningTijara;
  let first: { transactionId: string; deliveryId: string; body: Buffer; signature: string };

  beforeAll(async () => {
    listen = startTijara(
      ['webhooks', 'listen', '--gateway', 'numipay', '--forward-to', `${app.url}/webhooks/numipay`],
      { cwd: dir, env },
    );
    await listen.waitFor(/^Ready\. Press Ctrl\+C to stop\.$/m);
  });
  afterAll(async () => {
    await listen?.stop();
  });

  test("points the account's webhook URL at its receiver and prints the signature password", async () => {
    const url = await accountWebhookUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(listen.stdout()).toContain(`set to ${String(url)} `);
    expect(listen.stdout()).toContain(
      `Signature password (verify x-signature with it, e.g. as NUMIPAY_SIGNATURE_PASSWORD):\n${sandbox.gateways.numipay.signaturePassword}\n`,
    );
  });

  test('trigger deposit.successful pays at the cashier; the signed delivery verifies with the driver', async () => {
    const result = await runTijara(['webhooks', 'trigger', 'deposit.successful', '--gateway', 'numipay'], {
      cwd: dir,
      env,
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const transactionId =
      /^deposit\.successful {2}(\S+) {2}\(open a deposit cashier, pay it as the buyer; delivered to the gateway's registered webhooks\)\n$/.exec(
        result.stdout,
      )?.[1];
    expect(transactionId).toMatch(/^[a-z0-9]{15}$/);
    const delivered = await waitUntil('deposit.successful at the app', () =>
      verifiedFor('/webhooks/numipay', transactionId!).at(0),
    );
    expect(delivered.event).toMatchObject({ rawType: 'deposit.successful', type: 'payment.paid' });
    expect(app.refused).toEqual([]);

    const pattern = new RegExp(`deposit\\.successful {2}${transactionId} {2}-> 200 {2}\\(delivery (\\S+)\\)`);
    first = {
      transactionId: transactionId!,
      deliveryId: pattern.exec(await listen.waitFor(pattern))![1]!,
      body: delivered.request.body,
      signature: String(delivered.request.headers['x-signature']),
    };
  });

  test('replay re-sends the same bytes with the same x-signature', async () => {
    const args = [
      'webhooks',
      'replay',
      first.deliveryId,
      '--gateway',
      'numipay',
      '--to',
      `${app.url}/replayed`,
    ];
    const result = await runTijara(args, { cwd: dir, env });
    expect(result).toMatchObject({
      code: 0,
      stderr: '',
      stdout: `deposit.successful  ${first.deliveryId}  -> 200\n`,
    });
    const replayed = verifiedFor('/replayed', first.transactionId).at(-1)!;
    expect(replayed.request.body.equals(first.body)).toBe(true);
    expect(replayed.request.headers['x-signature']).toBe(first.signature);

    // Where listen kept nothing, the sandbox's log has the bytes and its signature password signs them the same.
    const elsewhere = mkdtempSync(join(tmpdir(), 'tijara-numipay-replay-'));
    try {
      expect((await runTijara(args, { cwd: elsewhere, env })).code).toBe(0);
      const again = verifiedFor('/replayed', first.transactionId).at(-1)!;
      expect(again).not.toBe(replayed);
      expect(again.request.body.equals(first.body)).toBe(true);
      expect(again.request.headers['x-signature']).toBe(first.signature);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test("every status change reaches the listener: a payout waits pending, then the merchant's rejection", async () => {
    const result = await runTijara(['webhooks', 'trigger', 'withdrawal.rejected', '--gateway', 'numipay'], {
      cwd: dir,
      env,
    });
    expect(result.code).toBe(0);
    const transactionId = /^withdrawal\.rejected {2}(\S+)/.exec(result.stdout)![1]!;
    await listen.waitFor(new RegExp(`withdrawal\\.pending {2}${transactionId} {2}-> 200`));
    await listen.waitFor(new RegExp(`withdrawal\\.rejected {2}${transactionId} {2}-> 200`));
    expect(verifiedFor('/webhooks/numipay', transactionId).map((d) => d.event.rawType)).toEqual([
      'withdrawal.pending',
      'withdrawal.rejected',
    ]);
  });

  test('Ctrl+C clears the webhook URL again and exits 0', async () => {
    const result = await listen.stop('SIGINT');
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stderr).toBe('Stopping (SIGINT): clearing the webhook URL…\n');
    expect(await accountWebhookUrl()).toBeNull();
  });
});

describe('trigger --gateway numipay --to: the request names the URL as its settings.callback_url', () => {
  test.each([
    ['deposit.successful', 'successful'],
    ['deposit.rejected', 'rejected'],
    ['withdrawal.pending', 'pending'],
    ['withdrawal.rejected', 'rejected'],
  ])('%s', async (event, status) => {
    const path = `/to/${event}`;
    const result = await runTijara(
      ['webhooks', 'trigger', event, '--gateway', 'numipay', '--to', `${app.url}${path}`],
      { cwd: dir, env },
    );
    expect(result.code).toBe(0);
    const transactionId = new RegExp(`^${event.replace('.', '\\.')} {2}(\\S+) {2}-> 200\\n$`).exec(
      result.stdout,
    )?.[1];
    expect(result.stderr).toBe(
      "Signed with the account's signature password (NUMIPAY_SIGNATURE_PASSWORD, as `tijara sandbox` prints it)\n",
    );
    const delivered = verifiedFor(path, transactionId!);
    expect(delivered.map((d) => d.event.rawType)).toContain(event);
    expect(delivered.at(-1)!.event.raw).toMatchObject({ transaction_id: transactionId, status });
    // The account's URL was never touched.
    expect(await accountWebhookUrl()).toBeNull();
  });

  test('withdrawal.successful waits for the payout, which the sandbox makes 30 s after approval on its clock', async () => {
    const trigger = startTijara(
      ['webhooks', 'trigger', 'withdrawal.successful', '--gateway', 'numipay', '--to', `${app.url}/payout`],
      { cwd: dir, env },
    );
    // Move the sandbox clock on while the command waits, as `POST /__sandbox/clock/advance` would.
    let done = false;
    const exited = trigger.exited().finally(() => (done = true));
    while (!done) {
      await sandbox.advanceClock(31);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const result = await exited;
    expect(result.code).toBe(0);
    const transactionId = /^withdrawal\.successful {2}(\S+) {2}-> 200\n$/.exec(result.stdout)![1]!;
    expect(verifiedFor('/payout', transactionId).map((d) => d.event.rawType)).toContain(
      'withdrawal.successful',
    );
  });

  test('--secret does not apply: Numipay signs with the account password', async () => {
    const result = await runTijara(
      ['webhooks', 'trigger', 'deposit.successful', '--gateway', 'numipay', '--to', app.url, '--secret', 'x'],
      { cwd: dir, env },
    );
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(
      "tijara: error: Numipay signs with the account's signature password: --secret only signs a body you send with --file\n",
    );
  });
});
