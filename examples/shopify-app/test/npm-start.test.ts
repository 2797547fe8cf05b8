/**
 * `npm run start:shopify` at the repository root, as a newcomer runs it (free ports, a throwaway data directory):
 * the sandbox, a local Shopify and the app come up, the development shops are installed and connected, and a buyer
 * in Chromium goes from the local checkout through the gateway's page to Shopify's thank-you page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withPage } from '@tijara/testkit';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

let child: ChildProcess;
let output = '';
let dataDir: string;

function waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing matching ${pattern}:\n${output}`)), timeoutMs);
    const check = () => {
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`npm run start:shopify exited with ${child.exitCode}:\n${output}`));
      } else setTimeout(check, 50);
    };
    check();
  });
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tijara-shopify-start-'));
  child = spawn('npm', ['run', 'start:shopify'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, APP_PORT: '0', SANDBOX_PORT: '0', TIJARA_DATA_DIR: dataDir, NODE_OPTIONS: '' },
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

test('a buyer pays through the local checkout and lands on Shopify’s thank-you page', async () => {
  const [, checkout] = await waitFor(/Try a checkout\s+(http:\/\/\S+)/);
  await waitFor(/app listening on /);
  const landed = await withPage(async (page) => {
    await page.goto(checkout as string);
    await page.fill('#amount', '75.00');
    await Promise.all([page.waitForURL(/\/checkout\/[^/]+\/$/), page.click('#pay')]);
    expect(await page.textContent('#total')).toBe('MYR 75.00');
    await page.fill('#cardholder_name', 'Aisha Rahman');
    await page.fill('#card_number', '4242 4242 4242 4242');
    await page.fill('#expiry', '12/30');
    await page.fill('#cvc', '123');
    await Promise.all([page.waitForURL(/\/thank-you$/), page.click('#pay')]);
    const outcome = await page.getAttribute('#outcome', 'data-outcome');
    await page.goto(new URL('/dev/mutations', checkout as string).toString());
    return { outcome, mutations: await page.textContent('#mutations') };
  });
  expect(landed.outcome).toBe('thank-you');
  expect(landed.mutations).toContain('paymentsAppConfigure');
  expect(landed.mutations).toMatch(/paymentSessionResolve\s*gid:\/\/shopify\/PaymentSession\/\S+\s*accepted/);
  expect(output).toMatch(/mTLS IS OFF/);
  expect(output).not.toMatch(/sk_test_[A-Za-z0-9]{8,}|shpss_local_[0-9a-f]+|shpat_[0-9a-f]+/);
});

test('the same on Postpay: approve on its page, captured, and back on Shopify’s thank-you page', async () => {
  const [, checkout] = await waitFor(/Try a checkout\s+(http:\/\/\S+)/);
  const outcome = await withPage(async (page) => {
    await page.goto(checkout as string);
    await page.selectOption('#shop', 'postpay');
    await page.selectOption('#currency', 'AED');
    await page.fill('#amount', '210.00');
    await Promise.all([page.waitForURL(/\/postpay\/checkout\//), page.click('#pay')]);
    await page.fill('#phone', '+971501234567');
    await page.fill('#sms_code', '4567');
    await page.fill('#card_number', '4111 1111 1111 1111');
    await page.fill('#expiry', '12/30');
    await page.fill('#cvc', '123');
    await Promise.all([page.waitForURL(/\/thank-you$/), page.click('#approve')]);
    return page.getAttribute('#outcome', 'data-outcome');
  });
  expect(outcome).toBe('thank-you');
});

test('the same on Numipay: pay at its cashier, the signed webhook and the return resolve the session', async () => {
  const [, checkout] = await waitFor(/Try a checkout\s+(http:\/\/\S+)/);
  const landed = await withPage(async (page) => {
    await page.goto(checkout as string);
    await page.selectOption('#shop', 'numipay');
    await page.selectOption('#currency', 'GBP');
    await page.fill('#amount', '29.99');
    await Promise.all([page.waitForURL(/\/numipay\/cashier\?token=/), page.click('#pay')]);
    expect(await page.textContent('#amount')).toContain('29.99');
    await Promise.all([page.waitForURL(/\/thank-you$/), page.click('#pay')]);
    const outcome = await page.getAttribute('#outcome', 'data-outcome');
    await page.goto(new URL('/dev/mutations', checkout as string).toString());
    return { outcome, mutations: await page.textContent('#mutations') };
  });
  expect(landed.outcome).toBe('thank-you');
  expect(landed.mutations?.match(/paymentsAppConfigure/g)).toHaveLength(3);
  expect(output).toContain('tijara-dev-numipay.myshopify.com on Numipay');
  expect(output).not.toMatch(/npk_dev_[A-Za-z0-9_-]{8,}|spg_test_sandbox[A-Za-z0-9_-]+/);
});
