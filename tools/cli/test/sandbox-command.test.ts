import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNumipayDriver } from '@tijara/numipay';
import { createPostpayDriver } from '@tijara/postpay';
import { runTijara, startTijara } from './run-tijara.js';
import { startVerifyingReceiver } from './verifying-receiver.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-sandbox-cmd-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('sandbox starts, prints its address and key, answers /__sandbox/info and the API, stops on SIGTERM', async () => {
  const sandbox = startTijara(['sandbox', '--port', '0', '--secret-key', 'sk_test_cli_sandbox_1234'], {
    cwd: dir,
  });
  const out = await sandbox.waitFor(/Press Ctrl\+C to stop\./);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
  expect(out).toContain(`export UMMAH_API_BASE=${url}/api/v1/\n`);
  expect(out).toContain('export UMMAH_SECRET_KEY=sk_test_cli_sandbox_1234\n');
  const brandId = /export UMMAH_BRAND_ID=(\S+)/.exec(out)?.[1];

  const info = (await (await fetch(`${url}/__sandbox/info`)).json()) as Record<string, unknown>;
  expect(info).toMatchObject({ brand_id: brandId, api_base: `${url}/api/v1/`, is_test: true });
  const webhooks = await fetch(`${url}/api/v1/webhooks/`, {
    headers: { authorization: 'Bearer sk_test_cli_sandbox_1234' },
  });
  expect(webhooks.status).toBe(200);

  // Other commands started in this directory find it through .tijara/sandbox.json.
  const state = JSON.parse(readFileSync(join(dir, '.tijara', 'sandbox.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  expect(state).toMatchObject({ apiBase: `${url}/api/v1/`, secretKey: 'sk_test_cli_sandbox_1234', brandId });
  // The state file is the one `npm start` uses; it and its directory are the user's alone.
  expect(statSync(join(dir, '.tijara')).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, '.tijara', 'sandbox.sqlite')).mode & 0o777).toBe(0o600);

  const result = await sandbox.stop('SIGTERM');
  expect(result).toMatchObject({ code: 0, signal: null });
  expect(result.stderr).toBe('Stopping the sandbox (SIGTERM)…\nSandbox stopped.\n');
  expect(existsSync(join(dir, '.tijara', 'sandbox.json'))).toBe(false);
  await expect(fetch(`${url}/__sandbox/info`)).rejects.toThrow();
});

test("the banner and .tijara/sandbox.json carry every gateway's connection; --gateway commands find theirs there", async () => {
  const sandbox = startTijara(['sandbox', '--port', '0', '--memory'], { cwd: dir });
  try {
    const out = await sandbox.waitFor(/Press Ctrl\+C to stop\./);
    const url = /listening on (\S+)/.exec(out)![1]!;
    const info = (await (await fetch(`${url}/__sandbox/info`)).json()) as {
      brand_id: string;
      gateways: Record<string, Record<string, string>>;
    };
    const { postpay, uhmi, numipay } = info.gateways as Record<string, Record<string, string>>;
    const expected = {
      UMMAH_API_BASE: `${url}/api/v1/`,
      UMMAH_SECRET_KEY: expect.stringMatching(/^sk_test_/) as unknown,
      UMMAH_BRAND_ID: info.brand_id,
      POSTPAY_BASE_URL: postpay!['baseUrl'],
      POSTPAY_MERCHANT_ID: postpay!['merchantId'],
      POSTPAY_SECRET_KEY: postpay!['secretKey'],
      UHMI_BASE_URL: uhmi!['apiBase'],
      UHMI_API_KEY: uhmi!['apiKey'],
      UHMI_WIDGET_SCRIPT: uhmi!['widgetScript'],
      UHMI_WIDGET_PAGE: uhmi!['widgetPage'],
      NUMIPAY_BASE_URL: numipay!['baseUrl'],
      NUMIPAY_API_KEY: numipay!['apiKey'],
      NUMIPAY_SIGNATURE_PASSWORD: numipay!['signaturePassword'],
      NUMIPAY_CASHIER_URL: numipay!['cashierUrl'],
    };
    // The export lines, run by a real shell: values with ? and { } (the cashier's, the widget page's) are quoted.
    const exports = out.split('\n').filter((line) => line.startsWith('export '));
    const names = Object.keys(expected);
    const shell = spawnSync(
      'bash',
      ['-c', `${exports.join('\n')}\n${names.map((name) => `printf '%s\\n' "$${name}"`).join('\n')}`],
      { encoding: 'utf8', cwd: dir },
    );
    expect(shell.status).toBe(0);
    expect(Object.fromEntries(names.map((name, i) => [name, shell.stdout.split('\n')[i]]))).toEqual(expected);
    for (const title of ['Ummah', 'Postpay', 'Uhmi', 'Numipay'])
      expect(out).toMatch(new RegExp(`^${title}$`, 'm'));

    const state = JSON.parse(readFileSync(join(dir, '.tijara', 'sandbox.json'), 'utf8')) as {
      apiBase: string;
      gateways: Record<string, Record<string, string>>;
    };
    // The top level is Ummah's as it always was; `gateways` has everyone, under the drivers' option names.
    expect(state.apiBase).toBe(`${url}/api/v1/`);
    expect(state.gateways).toEqual({
      ummah: { baseUrl: `${url}/api/v1/`, secretKey: expected.UMMAH_SECRET_KEY, brandId: info.brand_id },
      postpay: {
        baseUrl: postpay!['baseUrl'],
        merchantId: postpay!['merchantId'],
        secretKey: postpay!['secretKey'],
      },
      uhmi: {
        baseUrl: uhmi!['apiBase'],
        apiKey: uhmi!['apiKey'],
        widgetScript: uhmi!['widgetScript'],
        widgetPage: uhmi!['widgetPage'],
      },
      numipay: {
        baseUrl: numipay!['baseUrl'],
        apiKey: numipay!['apiKey'],
        signaturePassword: numipay!['signaturePassword'],
        cashierUrl: numipay!['cashierUrl'],
      },
    });

    // Commands started in this directory need no settings for any gateway.
    const postpayDriver = createPostpayDriver({
      merchantId: postpay!['merchantId']!,
      secretKey: postpay!['secretKey']!,
      baseUrl: postpay!['baseUrl']!,
      webhooks: { secrets: ['whsec_from_state'] },
    });
    const numipayDriver = createNumipayDriver({
      apiKey: numipay!['apiKey']!,
      baseUrl: numipay!['baseUrl']!,
      mode: 'test',
      webhooks: { signaturePasswords: [numipay!['signaturePassword']!] },
    });
    const postpayApp = await startVerifyingReceiver((body, headers) =>
      postpayDriver.verifyWebhook(body, headers),
    );
    const numipayApp = await startVerifyingReceiver((body, headers) =>
      numipayDriver.verifyWebhook(body, headers),
    );
    try {
      const viaPostpay = await runTijara(
        ['webhooks', 'trigger', 'order.approved', '--gateway', 'postpay', '--to', postpayApp.url],
        { cwd: dir, env: { POSTPAY_HOOK_SECRET: 'whsec_from_state' } },
      );
      expect(viaPostpay.stdout).toMatch(/^order\.approved {2}\S+ {2}-> 200\n$/);
      expect(postpayApp.verified.map((d) => d.event.rawType)).toEqual(['order.approved']);
      const viaNumipay = await runTijara(
        ['webhooks', 'trigger', 'deposit.successful', '--gateway', 'numipay', '--to', numipayApp.url],
        { cwd: dir },
      );
      expect(viaNumipay.stdout).toMatch(/^deposit\.successful {2}\S+ {2}-> 200\n$/);
      expect(numipayApp.verified.map((d) => d.event.rawType)).toEqual(['deposit.successful']);
    } finally {
      await postpayApp.close();
      await numipayApp.close();
    }
  } finally {
    expect((await sandbox.stop()).code).toBe(0);
  }
});

/** A purchase on the sandbox whose banner is `out`, reached at `url`, with the key and brand it printed. */
async function createPurchase(out: string, url: string): Promise<{ id: string }> {
  const key = /UMMAH_SECRET_KEY=(\S+)/.exec(out)![1]!;
  const brand = /UMMAH_BRAND_ID=(\S+)/.exec(out)![1]!;
  const created = await fetch(`${url}/api/v1/purchases/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      brand_id: brand,
      client: { email: 'buyer@example.com' },
      purchase: { currency: 'USD', products: [{ name: 'Dates', price: 1500 }] },
    }),
  });
  return (await created.json()) as { id: string };
}

test('state persists in the db file across restarts; --memory keeps none', async () => {
  const first = startTijara(['sandbox', '--port', '0', '--db', 'state/sb.db'], { cwd: dir });
  const out = await first.waitFor(/Press Ctrl\+C/);
  const url = /listening on (\S+)/.exec(out)![1]!;
  const key = /UMMAH_SECRET_KEY=(\S+)/.exec(out)![1]!;
  const purchase = await createPurchase(out, url);
  expect((await first.stop('SIGINT')).code).toBe(0);

  const second = startTijara(['sandbox', '--port', '0', '--db', 'state/sb.db'], { cwd: dir });
  const out2 = await second.waitFor(/Press Ctrl\+C/);
  const url2 = /listening on (\S+)/.exec(out2)![1]!;
  // The key is remembered in the database, so the restarted sandbox accepts the same one.
  expect(out2).toContain(`UMMAH_SECRET_KEY=${key}`);
  const again = await fetch(`${url2}/api/v1/purchases/${purchase.id}/`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(again.status).toBe(200);
  expect((await second.stop()).code).toBe(0);

  const memory = startTijara(['sandbox', '--port', '0', '--memory'], { cwd: dir });
  const out3 = await memory.waitFor(/Press Ctrl\+C/);
  expect(out3).toContain('State       in memory');
  expect((await memory.stop()).code).toBe(0);
});

test('a port already in use is one clear error line', async () => {
  const first = startTijara(['sandbox', '--port', '0', '--memory'], { cwd: dir });
  const port = /127\.0\.0\.1:(\d+)/.exec(await first.waitFor(/Press Ctrl\+C/))![1]!;
  const second = startTijara(['sandbox', '--port', port, '--memory'], { cwd: dir });
  const result = await second.exited();
  expect(result).toMatchObject({ code: 1, stdout: '' });
  expect(result.stderr).toBe(
    `tijara: error: 127.0.0.1:${port} is already in use (another sandbox?); choose another --port\n`,
  );
  await first.stop();
});

test('sandbox --help names the state file npm start uses, and the control token for exposed hosts', async () => {
  const { stdout, code } = await runTijara(['sandbox', '--help']);
  expect(code).toBe(0);
  // examples/express-store's `npm start` keeps its sandbox in <repository>/.tijara/sandbox.sqlite.
  const start = readFileSync(
    join(__dirname, '..', '..', '..', 'examples', 'express-store', 'src', 'start.ts'),
    'utf8',
  );
  expect(start).toContain("join(repoRoot, '.tijara')");
  expect(start).toContain("join(dataDir, 'sandbox.sqlite')");
  const help = stdout.replace(/\s+/g, ' ');
  expect(help).toContain('.tijara/sandbox.sqlite');
  expect(help).toContain('`npm start` in examples/express-store');
  expect(help).toContain('--control-token <token>');
  expect(help).toContain('TIJARA_SANDBOX_TOKEN');
  expect(help).toContain('anything but loopback needs --control-token');
});

test('beyond loopback with a control token: the control API needs it, the buyer pages do not', async () => {
  const sandbox = startTijara(
    ['sandbox', '--port', '0', '--memory', '--host', '0.0.0.0', '--brand-name', 'Souq Tijara'],
    { cwd: dir, env: { TIJARA_SANDBOX_TOKEN: 'ctl_test_cli_token' } },
  );
  const out = await sandbox.waitFor(/Press Ctrl\+C to stop\./);
  expect(out).not.toContain('ctl_test_cli_token');
  const port = /listening on http:\/\/0\.0\.0\.0:(\d+)/.exec(out)![1]!;
  const url = `http://127.0.0.1:${port}`;
  expect((await fetch(`${url}/__sandbox/info`)).status).toBe(401);
  const info = await fetch(`${url}/__sandbox/info`, {
    headers: { authorization: 'Bearer ctl_test_cli_token' },
  });
  expect(info.status).toBe(200);
  const purchase = await createPurchase(out, url);
  const page = await fetch(`${url}/checkout/${purchase.id}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<h1 id="merchant">Souq Tijara</h1>');
  expect((await sandbox.stop()).code).toBe(0);
});
