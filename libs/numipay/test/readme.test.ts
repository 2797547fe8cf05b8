import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readmeExamples } from '@tijara/testkit';
import { DEFAULT_BASE_URL, DEFAULT_CASHIER_URL, DEFAULT_PATHS } from '@tijara/numipay';
import { payByCard } from '../examples/card-payment.js';
import { handleWebhook, startCheckout } from '../examples/checkout.js';
import { approve, offerPayout } from '../examples/payouts.js';
import { periodTotals } from '../examples/reconcile.js';
import { createDriver } from '../examples/setup.js';
import { CARDS } from './scenarios.js';
import { CASHIER_URL, SIGNATURE_PASSWORD, TEST_API_KEY } from './support/fixtures.js';
import { startRecordedTarget, type RecordedTarget } from './support/recorded-target.js';

const packageDir = path.join(__dirname, '..');
const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');

describe('README', () => {
  it('shows every example file verbatim, and only examples', () => {
    const examples = readmeExamples(packageDir);
    const files = readdirSync(path.join(packageDir, 'examples')).map((name) => `examples/${name}`);
    expect(examples.map((e) => e.file).sort()).toEqual(files.sort());
    for (const example of examples) expect(example.block).toBe(example.source);
    expect(readme.match(/^```ts$/gm) ?? []).toHaveLength(examples.length);
  });

  it('lists every default path, the host and the cashier URL as unconfirmed', () => {
    const rows = readme.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.slice(0, 10)).toEqual([
      expect.stringContaining(`| \`baseUrl\` | \`${DEFAULT_BASE_URL}\` |`),
      ...Object.entries(DEFAULT_PATHS).map(([name, value]) =>
        expect.stringContaining(`| \`paths.${name}\` | \`${value}\` |`),
      ),
      expect.stringContaining(`| \`cashierUrl\` | \`${DEFAULT_CASHIER_URL}\` |`),
    ]);
    expect(readme).toMatch(/none of these defaults is\s+confirmed/);
    expect(readme).toMatch(/PCI DSS/);
  });
});

describe('README examples, run against recorded Numipay exchanges', () => {
  const targets: RecordedTarget[] = [];
  const start = async (...scenarios: string[]) => {
    const target = await startRecordedTarget(scenarios);
    targets.push(target);
    return target;
  };
  afterAll(async () => {
    for (const target of targets) await target.close();
  });
  const env = (target: RecordedTarget) => ({
    NUMIPAY_API_KEY: TEST_API_KEY,
    NUMIPAY_BASE_URL: target.baseUrl,
    NUMIPAY_CASHIER_URL: CASHIER_URL,
    NUMIPAY_SIGNATURE_PASSWORD: SIGNATURE_PASSWORD,
  });

  it('checkout: the cashier URL, then a signed webhook settles the order on the status re-read', async () => {
    const target = await start('hosted-cashier');
    const numipay = createDriver(env(target));
    const { paymentId, redirectTo } = await startCheckout(numipay, '3001', 2999);
    expect(paymentId).toMatch(/^tj1-GBP-2999-/);
    expect(redirectTo).toBe(
      'https://cashier.numipay.co/?token=Mtg4OakI0YSGdHPY1y4vUnGLOaMxnJJZ9BX09LQ1u3yft0OY81',
    );

    const delivery = target.signedDelivery();
    const recordedId = JSON.parse(delivery.rawBody.toString()).tracking_id as string;
    const order = {
      orderId: '3001',
      paymentId: recordedId,
      amount: 2999,
      currency: 'GBP',
      status: 'pending' as const,
      captureMode: 'automatic' as const,
      refundedAmount: 0,
    };
    const result = await handleWebhook(numipay, order, delivery.rawBody, delivery.headers);
    expect(result).toMatchObject({ outcome: 'settled', refetched: true });
    expect(result.events.map((e) => e.type)).toEqual(['payment.paid']);
    await expect(handleWebhook(numipay, order, Buffer.from('{}'), delivery.headers)).rejects.toThrow(
      /does not match/,
    );
  });

  it('card payment: the 3-D Secure step, or the rejection and its reason', async () => {
    const threeDs = await start('card-with-3ds');
    expect(await payByCard(createDriver(env(threeDs)), 'x', CARDS.threeDSecure)).toEqual({
      next: '3ds',
      url: 'https://acs.example/3ds/challenge/9d2f',
    });
    const rejected = await start('card-rejected');
    expect(await payByCard(createDriver(env(rejected)), 'x', CARDS.rejected)).toEqual({
      next: 'declined',
      reason: 'Insufficient funds',
    });
  });

  it('payouts: the cashier, then one approval', async () => {
    const target = await start('payout-approved');
    const numipay = createDriver(env(target));
    const offered = await offerPayout(numipay, 'payout-4001', 20000);
    expect(offered.url).toBe(
      'https://cashier.numipay.co/?token=Pay0OakI0YSGdHPY1y4vUnGLOaMxnJJZ9BX09LQ1u3yft0OY83',
    );
    expect(await approve(numipay, offered.id)).toBe('approved (pending)');
    expect(target.server.requests.filter((r) => r.path.endsWith('/approve'))).toHaveLength(1);
  });

  it('transactions: the totals of a period, in calls of seven days', async () => {
    const target = await start('transactions-list');
    expect(await periodTotals(createDriver(env(target)), '2024-07-01', '2024-07-10')).toEqual({
      'deposit EUR': 2500,
      'deposit GBP': 1000,
    });
  });
});
