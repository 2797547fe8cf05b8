/**
 * `npm start` at the repository root, exactly as a newcomer runs it (on free ports and a throwaway data
 * directory): the sandbox and the store come up, the webhook is registered, a purchase goes through and the
 * output shows the store's URL but no secret; the admin is closed to anyone without the password the banner
 * prints; and the `tijara` commands the docs show work against it. Then `TIJARA_GATEWAY=postpay|uhmi|numipay`:
 * each starts, sells in its currency, sends the buyer to its own page and has its webhook registered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** What `npx tijara` runs inside the repository. */
const TIJARA = join(ROOT, 'tools', 'cli', 'bin', 'tijara.js');

let child: ChildProcess;
let output = '';
/** Plays the repository root of the docs: it holds `.tijara/` (npm start's data) and runs the `tijara` commands. */
let workDir: string;
let dataDir: string;
let storeUrl: string;
let sandboxUrl: string;
let adminPassword: string;

function waitIn(
  text: () => string,
  exited: () => number | null,
  pattern: RegExp,
  what: string,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what} printed nothing matching ${pattern}:\n${text()}`)),
      timeoutMs,
    );
    const check = () => {
      const match = pattern.exec(text());
      if (match) {
        clearTimeout(timer);
        resolve(match);
      } else if (exited() !== null) {
        clearTimeout(timer);
        reject(new Error(`${what} exited with ${exited()}:\n${text()}`));
      } else setTimeout(check, 50);
    };
    check();
  });
}

const waitFor = (pattern: RegExp) =>
  waitIn(
    () => output,
    () => child.exitCode,
    pattern,
    'npm start',
  );

/** The environment of a newcomer's shell: none of the settings these tests are about. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  for (const name of [
    'ADMIN_PASSWORD',
    'TIJARA_GATEWAY',
    'UMMAH_API_BASE',
    'UMMAH_SECRET_KEY',
    'UMMAH_BRAND_ID',
    'UMMAH_WEBHOOK_PUBLIC_KEYS',
  ]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

interface Tijara {
  readonly child: ChildProcess;
  output(): string;
  exited(): Promise<number | null>;
}

/** `npx tijara …` from the work directory. */
function tijara(...args: string[]): Tijara {
  const cli = spawn(process.execPath, [TIJARA, ...args], {
    cwd: workDir,
    env: cleanEnv({}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  cli.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  cli.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => cli.once('close', (code) => resolve(code)));
  return { child: cli, output: () => text, exited: () => exit };
}

async function tijaraRun(...args: string[]): Promise<{ code: number | null; output: string }> {
  const run = tijara(...args);
  const code = await run.exited();
  return { code, output: run.output() };
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'tijara-npm-start-'));
  dataDir = join(workDir, '.tijara');
  // The docs' key pair for signed samples, made before the store starts so it can be told to trust it.
  const keys = await tijaraRun('keys', 'generate', '--out', 'keys');
  expect(keys.code).toBe(0);
  // Its own process group, so the whole tree (npm → node) is stopped together.
  child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    env: cleanEnv({
      STORE_PORT: '0',
      SANDBOX_PORT: '0',
      TIJARA_DATA_DIR: dataDir,
      UMMAH_WEBHOOK_PUBLIC_KEYS: join(workDir, 'keys', 'public.pem'),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  [, storeUrl = ''] = await waitFor(/store listening on (http:\/\/127\.0\.0\.1:\d+)/);
  [, sandboxUrl = ''] = await waitFor(/Sandbox\s+(http:\/\/127\.0\.0\.1:\d+)/);
  [, adminPassword = ''] = await waitFor(/Admin\s+\S+\s+user "admin", password (\S+)/);
});

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  rmSync(workDir, { recursive: true, force: true });
});

/** A buyer, without a browser: cart → checkout → pay on the sandbox; the webhook alone marks the order paid. */
async function buyPrayerMat(): Promise<{ cookie: string; orderId: string; purchaseId: string }> {
  const added = await fetch(`${storeUrl}/cart/items`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'productId=prayer-mat',
  });
  const cookie = (added.headers.get('set-cookie') ?? '').split(';')[0]!;
  const checkout = await fetch(`${storeUrl}/checkout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: 'name=Yusuf+Ali&email=yusuf%40example.com',
  });
  const hosted = checkout.headers.get('location') ?? '';
  expect(hosted.startsWith(`${sandboxUrl}/checkout/`)).toBe(true);
  const purchaseId = /\/checkout\/([^/]+)\//.exec(hosted)![1]!;
  const paid = await fetch(`${sandboxUrl}/__sandbox/purchases/${purchaseId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_number: '4242424242424242' }),
  });
  expect(((await paid.json()) as { status: string }).status).toBe('paid');
  const orders = await fetch(`${storeUrl}/orders`, { headers: { cookie } });
  const orderId = /href="\/orders\/([^"]+)"/.exec(await orders.text())![1]!;
  const deadline = Date.now() + 15_000;
  let page = '';
  while (Date.now() < deadline) {
    page = await (await fetch(`${storeUrl}/orders/${orderId}`, { headers: { cookie } })).text();
    if (page.includes('data-status="paid"')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(page).toContain('data-status="paid"');
  return { cookie, orderId, purchaseId };
}

test('npm start serves the store on Ummah by default, wired to the sandbox, without printing secrets', async () => {
  expect(output).toContain('Souq Tijara is running on Ummah, prices in MYR');
  const home = await fetch(storeUrl);
  expect(home.status).toBe(200);
  expect(await home.text()).toContain('<span class="price">MYR 89.00</span>');
  await buyPrayerMat();
  expect(output).not.toMatch(/sk_(test|live)_[A-Za-z0-9]/);
});

test('the admin is closed by default: /admin and an anonymous refund are refused; the printed password opens it', async () => {
  const { orderId, purchaseId } = await buyPrayerMat();
  const admin = await fetch(`${storeUrl}/admin`);
  expect(admin.status).toBe(401);
  expect(admin.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  expect(await admin.text()).not.toContain(orderId);

  const refund = await fetch(`${storeUrl}/payments/admin/orders/${orderId}/refund`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'amountDecimal=1.00',
  });
  expect(refund.status).toBe(401);
  const wrong = await fetch(`${storeUrl}/admin`, {
    headers: { authorization: `Basic ${Buffer.from('admin:not-the-password').toString('base64')}` },
  });
  expect(wrong.status).toBe(401);
  // Nothing was refunded: the gateway's own record says so, and so does the admin page.
  const { results } = (await (await fetch(`${sandboxUrl}/__sandbox/purchases`)).json()) as {
    results: Array<{
      id: string;
      status: string;
      payment: { amount: number } | null;
      refundable_amount: number;
    }>;
  };
  const purchase = results.find((p) => p.id === purchaseId);
  expect(purchase).toMatchObject({ status: 'paid' });
  expect(purchase?.refundable_amount).toBe(purchase?.payment?.amount);

  const authorization = `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}`;
  const opened = await fetch(`${storeUrl}/admin`, { headers: { authorization } });
  expect(opened.status).toBe(200);
  expect(await opened.text()).toContain(`id="admin-order-${orderId}" data-status="paid"`);
  // The generated password is in the banner and nowhere else.
  expect(adminPassword.length).toBeGreaterThanOrEqual(20);
  expect(output.split(adminPassword)).toHaveLength(2);
});

test('the documented tijara commands work against npm start', async () => {
  // npm start leaves the sandbox connection where `tijara` looks for it, readable by its user only.
  const stateFile = join(dataDir, 'sandbox.json');
  expect(statSync(stateFile).mode & 0o777).toBe(0o600);
  expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  // So are the store's orders and the plugin's payment ledger.
  for (const file of ['express-store.sqlite', 'express-payments.sqlite']) {
    expect(statSync(join(dataDir, file)).mode & 0o777).toBe(0o600);
  }
  expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ url: sandboxUrl });

  // docs/getting-started.md and docs/webhooks.md: forward the gateway's deliveries to the store…
  const webhookUrl = `${storeUrl}/payments/webhook`;
  const listen = tijara('webhooks', 'listen', '--forward-to', webhookUrl);
  try {
    await waitIn(listen.output, () => listen.child.exitCode, /Ready\./, 'webhooks listen');

    // …make a real event happen on the gateway: the store answers listen's forwarded copy with 200…
    const trigger = await tijaraRun('webhooks', 'trigger', 'purchase.paid');
    expect(trigger).toMatchObject({ code: 0, output: expect.stringContaining('purchase.paid') });
    const [, deliveryId] = await waitIn(
      listen.output,
      () => listen.child.exitCode,
      /purchase\.paid\s+\S+\s+-> 200\s+\(delivery (\S+)\)/,
      'webhooks listen',
    );

    // …send a sample signed with your own key (trusted through UMMAH_WEBHOOK_PUBLIC_KEYS)…
    const signed = await tijaraRun(
      'webhooks',
      'trigger',
      'purchase.paid',
      '--to',
      webhookUrl,
      '--key',
      'keys/private.pem',
    );
    expect(signed).toMatchObject({ code: 0, output: expect.stringMatching(/purchase\.paid\s+-> 200/) });

    // …and replay a delivery listen received, byte for byte.
    const replay = await tijaraRun('webhooks', 'replay', deliveryId!, '--to', webhookUrl);
    expect(replay).toMatchObject({ code: 0, output: expect.stringMatching(/-> 200/) });
  } finally {
    listen.child.kill('SIGINT');
    await listen.exited();
  }
  expect(listen.output()).toMatch(/deleting webhook/);
});

/** `npm start` in its own process group (so npm and node stop together), until it prints the store's URL. */
async function npmStart(env: Record<string, string>) {
  const started = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    env: cleanEnv({ STORE_PORT: '0', SANDBOX_PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  started.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  started.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
  const wait = (pattern: RegExp) =>
    waitIn(
      () => text,
      () => started.exitCode,
      pattern,
      'npm start',
    );
  return {
    output: () => text,
    exited,
    wait,
    stop: async () => {
      if (started.pid !== undefined && started.exitCode === null) process.kill(-started.pid, 'SIGTERM');
      return exited;
    },
  };
}

describe.each([
  ['postpay', 'Postpay', 'AED', '/postpay/checkout/'],
  ['uhmi', 'Uhmi', 'EUR', '/uhmi/widget/'],
  ['numipay', 'Numipay', 'GBP', '/numipay/cashier?token='],
])('TIJARA_GATEWAY=%s npm start', (gateway, title, currency, payPath) => {
  test(`starts on ${title}, sells in ${currency}, sends the buyer to ${title}'s page and gets its webhooks`, async () => {
    const data = join(workDir, `.tijara-${gateway}`);
    const run = await npmStart({ TIJARA_GATEWAY: gateway, TIJARA_DATA_DIR: data });
    try {
      const [, store = ''] = await run.wait(/store listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const [, sandbox = ''] = await run.wait(/Sandbox\s+(http:\/\/127\.0\.0\.1:\d+)/);
      expect(run.output()).toContain(`Souq Tijara is running on ${title}, prices in ${currency}`);
      expect(run.output()).toMatch(new RegExp(`Gateway: +${title} \\(TIJARA_GATEWAY=${gateway}\\)`));

      const home = await (await fetch(store)).text();
      expect(home).toContain(`<span class="price">${currency} 89.00</span>`);
      // A buyer's checkout goes to the gateway's own page (Uhmi's through the store's page that frames its widget).
      const added = await fetch(`${store}/cart/items`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'productId=prayer-mat',
      });
      const cookie = (added.headers.get('set-cookie') ?? '').split(';')[0]!;
      const checkout = await fetch(`${store}/checkout`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({
          name: 'Yusuf Ali',
          email: 'yusuf@example.com',
          addressLine1: 'Al Wasl Road 12',
          addressCity: 'Dubai',
          addressCountry: 'AE',
        }).toString(),
      });
      expect(checkout.status).toBe(303);
      const location = new URL(checkout.headers.get('location')!, store);
      const payPage =
        location.origin === store
          ? await (await fetch(location, { headers: { cookie } })).text()
          : location.href;
      expect(payPage).toContain(`${sandbox}${payPath}`);

      // The gateway's webhooks go to the store: Postpay's hook, Numipay's account URL; Uhmi sends none.
      const webhook = `${store}/payments/webhook`;
      const connection = JSON.parse(readFileSync(join(data, 'sandbox.json'), 'utf8')) as {
        gateways: Record<string, Record<string, string>>;
      };
      if (gateway === 'postpay') {
        const { merchantId, secretKey, baseUrl } = connection.gateways.postpay!;
        const hooks = (await (
          await fetch(`${baseUrl}/hooks`, {
            headers: {
              authorization: `Basic ${Buffer.from(`${merchantId}:${secretKey}`).toString('base64')}`,
              accept: 'application/vnd.postpay+json; version=v1',
            },
          })
        ).json()) as { results: Array<{ url: string; active: boolean }> };
        expect(hooks.results).toEqual([expect.objectContaining({ url: webhook, active: true })]);
      }
      if (gateway === 'numipay') {
        const info = (await (await fetch(`${sandbox}/__sandbox/info`)).json()) as {
          gateways: { numipay: { webhookUrl: string } };
        };
        expect(info.gateways.numipay.webhookUrl).toBe(webhook);
      }
      expect(run.output()).not.toMatch(/sk_(test|live)_[A-Za-z0-9]|uhmi_test_|npk_dev_|spg_test_/);
    } finally {
      await run.stop();
    }
  });
});

test('an unknown TIJARA_GATEWAY stops npm start with the values it takes', async () => {
  const run = await npmStart({ TIJARA_GATEWAY: 'paypal', TIJARA_DATA_DIR: join(workDir, '.tijara-unknown') });
  expect(await run.exited).not.toBe(0);
  expect(run.output()).toContain('TIJARA_GATEWAY must be one of ummah, postpay, uhmi, numipay, got "paypal"');
});
