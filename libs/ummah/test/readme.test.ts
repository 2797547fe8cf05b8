import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readmeExamples } from '@tijara/testkit';
import { listEndpoints } from '@tijara/ummah';
import { createDriver } from '../examples/setup.js';
import { handleCallback, startCheckout } from '../examples/checkout.js';
import { holdAtCheckout, settleHold } from '../examples/capture.js';
import { refundEverythingLeft, refundReturnedItem } from '../examples/refunds.js';
import { chargeSavedCard, checkoutSavingCard, forgetCard } from '../examples/saved-cards.js';
import { clientEmails } from '../examples/full-api.js';
import { verifySignedTestDelivery } from '../examples/testing.js';
import { BRAND_ID, TEST_SECRET_KEY } from './support/fixtures.js';
import { startRecordedTarget, type RecordedTarget } from './support/recorded-target.js';

const packageDir = path.join(__dirname, '..');

describe('README', () => {
  const examples = readmeExamples(packageDir);

  it('shows every example file verbatim, and only examples', () => {
    const files = readdirSync(path.join(packageDir, 'examples')).map((name) => `examples/${name}`);
    expect(examples.map((e) => e.file).sort()).toEqual(files.sort());
    for (const example of examples) expect(example.block).toBe(example.source);
    // Every TypeScript block is one of the executed examples: none can be left to rot.
    const tsBlocks = readFileSync(path.join(packageDir, 'README.md'), 'utf8').match(/^```ts$/gm) ?? [];
    expect(tsBlocks).toHaveLength(examples.length);
  });

  it('lists every endpoint of the table, in order, with its method and path', () => {
    const rows = readFileSync(path.join(packageDir, 'README.md'), 'utf8')
      .split('\n')
      .filter((line) => /^\| (GET|POST|PUT|PATCH|DELETE) \|/.test(line));
    expect(rows).toEqual(
      listEndpoints().map(
        ({ name, endpoint }) => `| ${endpoint.method} | \`${endpoint.path}\` | \`client.${name}\` |`,
      ),
    );
  });
});

describe('README examples, run against a recorded gateway', () => {
  let target: RecordedTarget;
  let ummah: ReturnType<typeof createDriver>;
  const sent = () => target.server.requests.map((r) => `${r.method} ${r.path}`);

  beforeAll(async () => {
    target = await startRecordedTarget();
    ummah = createDriver({
      UMMAH_SECRET_KEY: TEST_SECRET_KEY,
      UMMAH_BRAND_ID: BRAND_ID,
      UMMAH_BASE_URL: target.baseUrl,
      UMMAH_WEBHOOK_PUBLIC_KEY: target.keys.publicKey,
    });
  });
  afterAll(() => target.close());
  beforeEach(() => {
    target.server.requests.length = 0;
  });

  it('setup: test mode from the key', () => {
    expect(ummah.testMode).toBe(true);
  });

  it('checkout: create and redirect, then verify the callback and retrieve', async () => {
    expect(await startCheckout(ummah, 'conformance-1', 2999)).toBe('https://gate.ummah.com/p/conf-created/');
    const create = target.server.requests[0]!;
    expect(create.headers['idempotency-key']).toBe('checkout-conformance-1');
    expect(create.json).toMatchObject({
      reference: 'conformance-1',
      purchase: { currency: 'MYR', products: [{ price: 2999 }] },
      success_callback: 'https://shop.example/ummah/callback',
    });

    const delivery = target.signedDelivery();
    const payment = await handleCallback(ummah, delivery.rawBody, delivery.headers);
    expect(payment).toMatchObject({
      id: 'd6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e',
      status: 'paid',
      amount: 2999,
    });
    await expect(handleCallback(ummah, Buffer.from('{"forged":true}'), delivery.headers)).rejects.toThrow(
      /does not match/,
    );
  });

  it('capture: hold at checkout, then capture what shipped or release', async () => {
    const held = await holdAtCheckout(ummah, 'conformance-1', 2999);
    expect(target.server.requests[0]!.json).toMatchObject({ skip_capture: true });
    expect(held.status).toBe('pending');
    expect(await settleHold(ummah, 'conf-hold', 1499)).toMatchObject({
      status: 'paid',
      capturedAmount: 1499,
    });
    expect(await settleHold(ummah, 'conf-hold', 0)).toMatchObject({ status: 'canceled' });
    expect(sent()).toContain('POST /api/v1/purchases/conf-hold/release/');
  });

  it('refunds: a returned item, then the rest', async () => {
    expect(await refundReturnedItem(ummah, 'conf-paid', 'return-1', 1499)).toMatchObject({ amount: 1499 });
    expect(target.server.requests[0]!.json).toEqual({ amount: 1499, reference: 'return-1' });
    expect(await refundEverythingLeft(ummah, 'conf-paid')).toMatchObject({ amount: 2999 });
  });

  it('saved cards: save, charge, a dead token, forget', async () => {
    await checkoutSavingCard(ummah, 'conformance-1', 2999);
    expect(target.server.requests[0]!.json).toMatchObject({ force_recurring: true });
    expect(await chargeSavedCard(ummah, 'conf-saved', 'order-9', 2999)).toMatchObject({ status: 'paid' });
    expect(await chargeSavedCard(ummah, 'conf-dead', 'order-10', 2999)).toBe('ask-for-a-new-card');
    await forgetCard(ummah, 'conf-saved');
    expect(sent()).toContain('POST /api/v1/purchases/conf-saved/delete_recurring_token/');
  });

  it('the whole API: iterate over clients', async () => {
    expect(await clientEmails(ummah)).toEqual(['client@example.com']);
  });

  it('testing: a delivery signed with generated keys verifies', async () => {
    expect(await verifySignedTestDelivery()).toMatchObject({ id: 'evt-test-1', type: 'payment.paid' });
  });
});
