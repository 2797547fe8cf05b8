/**
 * `npm start` at the repository root, exactly as a newcomer runs it (on free ports and a throwaway data
 * directory): the sandbox and the store come up, the webhook is registered, a purchase goes through and the
 * output shows the store's URL but no secret.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let child: ChildProcess;
let output = '';
let dataDir: string;

function waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed nothing matching ${pattern}:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`npm start exited with ${child.exitCode}:\n${output}`));
      } else setTimeout(check, 50);
    };
    check();
  });
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tijara-npm-start-'));
  // Its own process group, so the whole tree (npm → node) is stopped together.
  child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, STORE_PORT: '0', SANDBOX_PORT: '0', TIJARA_DATA_DIR: dataDir, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
});

afterAll(async () => {
  if (child.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('npm start serves the store, wired to the sandbox, without printing secrets', async () => {
  const [, storeUrl] = await waitFor(/store listening on (http:\/\/127\.0\.0\.1:\d+)/);
  const [, sandboxUrl] = await waitFor(/Sandbox\s+(http:\/\/127\.0\.0\.1:\d+)/);
  const home = await fetch(storeUrl!);
  expect(home.status).toBe(200);
  expect(await home.text()).toContain('Souq Tijara');

  // A buyer, without a browser: cart → checkout → pay on the sandbox → back to the order page.
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
  const purchaseId = /\/checkout\/([^/]+)\//.exec(hosted)![1];
  const paid = await fetch(`${sandboxUrl}/__sandbox/purchases/${purchaseId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_number: '4242424242424242' }),
  });
  expect(((await paid.json()) as { status: string }).status).toBe('paid');
  // The webhook alone (no return redirect) must settle the order.
  const orders = await fetch(`${storeUrl}/orders`, { headers: { cookie } });
  const orderId = /href="\/orders\/([^"]+)"/.exec(await orders.text())![1];
  const deadline = Date.now() + 15_000;
  let page = '';
  while (Date.now() < deadline) {
    page = await (await fetch(`${storeUrl}/orders/${orderId}`, { headers: { cookie } })).text();
    if (page.includes('data-status="paid"')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(page).toContain('data-status="paid"');
  expect(output).not.toMatch(/sk_(test|live)_[A-Za-z0-9]/);
});
