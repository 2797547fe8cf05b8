import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { listPostpayEndpoints } from '@tijara/postpay';
import { readmeExamples } from '@tijara/testkit';
import { handleReturn, startCheckout } from '../examples/checkout.js';
import { handleHook, registerHook } from '../examples/hooks.js';
import { refundEverythingLeft, refundReturnedItem } from '../examples/refunds.js';
import { capturedBetween, nextPayout } from '../examples/reports.js';
import { createDriver } from '../examples/setup.js';
import { verifySignedTestDelivery } from '../examples/testing.js';
import { HOOK_SECRET, MERCHANT_ID, TEST_SECRET_KEY } from './support/fixtures.js';
import { startRecordedTarget, type RecordedTarget } from './support/recorded-target.js';

const packageDir = path.join(__dirname, '..');

describe('README', () => {
  const examples = readmeExamples(packageDir);

  it('shows every example file verbatim, and only examples', () => {
    const files = readdirSync(path.join(packageDir, 'examples')).map((name) => `examples/${name}`);
    expect(examples.map((e) => e.file).sort()).toEqual(files.sort());
    for (const example of examples) expect(example.block).toBe(example.source);
    const tsBlocks = readFileSync(path.join(packageDir, 'README.md'), 'utf8').match(/^```ts$/gm) ?? [];
    expect(tsBlocks).toHaveLength(examples.length);
  });

  it('lists every endpoint of the table, in order, with its method and path', () => {
    const rows = readFileSync(path.join(packageDir, 'README.md'), 'utf8')
      .split('\n')
      .filter((line) => /^\| (GET|POST|PUT|PATCH|DELETE) \|/.test(line));
    expect(rows).toEqual(
      listPostpayEndpoints().map(
        ({ name, endpoint }) => `| ${endpoint.method} | \`${endpoint.path}\` | \`client.${name}\` |`,
      ),
    );
  });
});

describe('README examples, run against a recorded Postpay', () => {
  let target: RecordedTarget;
  let postpay: ReturnType<typeof createDriver>;
  const sent = () =>
    target.server.requests.map((r) => `${r.method} ${r.path}${r.query.size ? `?${r.query}` : ''}`);

  beforeAll(async () => {
    target = await startRecordedTarget();
    postpay = createDriver({
      POSTPAY_MERCHANT_ID: MERCHANT_ID,
      POSTPAY_SECRET_KEY: TEST_SECRET_KEY,
      POSTPAY_BASE_URL: target.baseUrl,
      POSTPAY_HOOK_SECRET: HOOK_SECRET,
    });
  });
  afterAll(() => target.close());
  beforeEach(() => {
    target.server.requests.length = 0;
  });

  it('setup: test mode from the key', () => {
    expect(postpay.testMode).toBe(true);
    expect(postpay.client.baseUrl).toBe(target.baseUrl);
  });

  it('checkout: create and redirect, then resolve the return and capture the approval', async () => {
    expect(await startCheckout(postpay, 'cart-42', 1)).toBe(
      'https://checkout.postpay.io/c0nf1d3nt1a1t0k3n0000000000000001',
    );
    expect(target.server.requests[0]!.json).toMatchObject({
      order_id: expect.stringMatching(/^cart-42-[0-9a-f]{12}$/),
      total_amount: 21000,
      tax_amount: 1000,
      shipping: { name: 'Express Delivery', amount: 2000 },
      items: [{ reference: 'sku-oud', unit_price: 18000, qty: 1 }],
    });
    target.server.requests.length = 0;
    const approved = target.order('approved');
    expect(await handleReturn(postpay, { order_id: approved, status: 'APPROVED' })).toMatchObject({
      status: 'paid',
      capturedAmount: 2999,
    });
    expect(sent()).toEqual([`GET /orders/${approved}`, `POST /orders/${approved}/capture`]);
    expect(await handleReturn(postpay, { order_id: 'conf-denied', status: 'APPROVED' })).toMatchObject({
      status: 'failed',
    });
  });

  it('refunds: a returned item, then the rest', async () => {
    expect(await refundReturnedItem(postpay, 'conf-captured', 'return-1', 1499)).toMatchObject({
      amount: 1499,
    });
    expect(await refundEverythingLeft(postpay, 'conf-captured')).toMatchObject({
      id: 'conf-captured-rest',
      amount: 4499,
    });
    const bodies = target.server.requests.filter((r) => r.method === 'POST').map((r) => r.json);
    expect(bodies).toEqual([
      { refund_id: 'return-1', amount: 1499, description: 'Item returned' },
      { refund_id: 'conf-captured-rest' },
    ]);
  });

  it('hooks: register (updating the one for the URL), then verify a delivery', async () => {
    const hook = await registerHook(postpay, 'https://shop.example/postpay/hooks', HOOK_SECRET);
    expect(hook).toMatchObject({ id: 'e4dc7f6537364b629b37367a5cad43bd', events: ['order', 'transaction'] });
    expect(sent()).toEqual([
      'GET /hooks?url=https%3A%2F%2Fshop.example%2Fpostpay%2Fhooks',
      'PATCH /hooks/e4dc7f6537364b629b37367a5cad43bd',
    ]);
    const delivery = target.signedDelivery();
    expect(await handleHook(postpay, delivery.rawBody, delivery.headers)).toMatchObject({
      type: 'payment.authorized',
      paymentId: 'order-01',
    });
  });

  it('the whole API: every page of a filtered list, and the next payout', async () => {
    const ids = await capturedBetween(
      postpay,
      new Date('2026-11-01T00:00:00Z'),
      new Date('2026-12-01T00:00:00Z'),
    );
    expect(ids).toEqual(['cart-11-5e6f7a8b9c0d', 'cart-12-1a2b3c4d5e6f', 'cart-13-9f8e7d6c5b4a']);
    expect(sent()[0]).toBe(
      'GET /orders?status=captured&created__gte=2026-11-01T00%3A00%3A00.000Z&created__lt=2026-12-01T00%3A00%3A00.000Z&ordering=-total_amount&page_size=50',
    );
    expect(await nextPayout(postpay)).toBe(77525 + 39910);
  });

  it('testing: a delivery signed with the test helper verifies', async () => {
    expect(await verifySignedTestDelivery()).toMatchObject({ id: 'evt-test-1', type: 'payment.authorized' });
  });
});
