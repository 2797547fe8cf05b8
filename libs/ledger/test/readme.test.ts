import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DomainEvent } from '@tijara/core';
import { openLedger } from '@tijara/ledger';
import { readmeExamples } from '@tijara/testkit';
import { resolveAndNotify } from '../examples/outbox.js';
import { recordAndRefund } from '../examples/records.js';
import { settlementPipeline } from '../examples/settlement.js';
import { TestGateway } from './support/test-gateway.js';

const packageDir = path.join(__dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'tijara-ledger-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('every README example is a verbatim copy of a file the tests run', () => {
  const examples = readmeExamples(packageDir);
  const files = readdirSync(path.join(packageDir, 'examples')).map((name) => `examples/${name}`);
  expect(examples.map((e) => e.file).sort()).toEqual(files.sort());
  for (const example of examples) expect(example.block).toBe(example.source);
  const tsBlocks = readFileSync(path.join(packageDir, 'README.md'), 'utf8').match(/^```ts$/gm) ?? [];
  expect(tsBlocks).toHaveLength(examples.length);
});

test('examples/records.ts: a repeated refund id refunds once, and the cap refuses the rest', async () => {
  const { ledger, refused } = await recordAndRefund(`sqlite:${path.join(dir, 'records.sqlite')}`);
  try {
    expect(refused).toMatchObject({ requested: 20_000, refundable: 15_000 });
    const refunds = await ledger.operations.list('order-1001:1', 'refund');
    expect(refunds.map((r) => [r.id, r.amount, r.status])).toEqual([['re_1', 10_000, 'pending']]);
  } finally {
    await ledger.close();
  }
});

test('examples/outbox.ts: the message is sent once, after its transaction, and retried when sending fails', async () => {
  const { ledger } = await recordAndRefund(`sqlite:${path.join(dir, 'outbox.sqlite')}`);
  const sent: unknown[] = [];
  let failures = 1;
  const worker = await resolveAndNotify(ledger, async (_topic, payload) => {
    if (failures-- > 0) throw new Error('Shopify is throttling');
    sent.push(payload);
  });
  try {
    expect(sent).toEqual([]);
    expect((await ledger.outbox.get('order-1001:1:resolve'))?.attempts).toBe(1);
    expect((await ledger.payments.get('order-1001:1'))?.metadata).toEqual({ channel: 'web', resolved: true });
    // A worker would retry after the backoff; a stream's own claim (as a webhook retry makes) does not wait.
    await ledger.outbox.deliverStream('order-1001:1', (m) => void sent.push(m.payload));
    expect(sent).toEqual([{ id: 'gid://shopify/PaymentSession/1' }]);
  } finally {
    await worker.stop();
    await ledger.close();
  }
});

test('examples/settlement.ts: a first delivery settles and the store hears it once', async () => {
  const ledger = await openLedger({ url: `sqlite:${path.join(dir, 'settlement.sqlite')}` });
  const gateway = new TestGateway();
  const heard: DomainEvent[] = [];
  const pipeline = settlementPipeline(ledger, gateway.driver, async (event) => void heard.push(event));
  try {
    await ledger.payments.create({
      key: 'order-7:1',
      gateway: gateway.name,
      paymentId: 'pay_7',
      orderId: 'order-7',
      amount: 5_000,
      currency: 'KWD',
      captureMode: 'automatic',
    });
    const { body, headers } = gateway.deliver('evt_7', gateway.put('pay_7', 'paid'));
    expect((await pipeline.handleWebhook(body, headers)).outcome).toBe('settled');
    expect((await pipeline.handleWebhook(body, headers)).outcome).toBe('duplicate');
    expect(heard.map((e) => [e.type, e.orderId, e.amount])).toEqual([['payment.paid', 'order-7', 5_000]]);
  } finally {
    await ledger.close();
  }
});
