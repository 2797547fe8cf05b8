import { inspect } from 'node:util';
import {
  MemoryEventStore,
  MemoryLockStore,
  SettlementPipeline,
  type Logger,
  type SettlementRecord,
} from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { createNumipayDriver, type CardDetails } from '@tijara/numipay';
import { order } from './scenarios.js';
import { TEST_API_KEY } from './support/fixtures.js';

// The secret scan for the server-to-server flow: a gateway that echoes the card back in every answer (errors,
// rejections, 3-D Secure steps) must not get it into a log line, an error, a payment or a settled record.
const CARD: CardDetails = {
  holder_name: 'Ada Lovelace',
  card_number: '4917610000000000',
  cvc: '737',
  exp_month: '03',
  exp_year: '2031',
};
const echo = `card ${CARD.card_number} (${CARD.card_number.replace(/(\d{4})(?=\d)/g, '$1 ')}) cvc ${CARD.cvc} exp ${CARD.exp_month}/${CARD.exp_year} holder ${CARD.holder_name}`;

const logLines: string[] = [];
const line = (obj: object, msg?: string) => void logLines.push(inspect({ obj, msg }, { depth: 10 }));
const logger: Logger = { debug: line, info: line, warn: line, error: line };

let server: LoopbackServer;
let mode: 'rejected' | '3ds' | 400 | 500 | 'reset' = 'rejected';
let statusEcho = echo;
beforeAll(async () => {
  server = await startLoopbackServer((request, response, socket) => {
    const sent = request.json as { request?: { card_details?: unknown; tracking_id?: string } };
    if (request.method === 'GET') {
      return sendJson(response, 200, { transaction_status: 'rejected', rejected_reason: statusEcho });
    }
    if (mode === 'reset') return void socket.destroy();
    if (mode === 400 || mode === 500) {
      return sendJson(response, mode, {
        message: `Refused ${echo}`,
        errors: { card: [echo] },
        request: sent?.request,
      });
    }
    sendJson(response, 200, {
      transaction_status: mode === '3ds' ? 'pending' : 'rejected',
      url: mode === '3ds' ? 'https://acs.example/3ds/abc' : '',
      error: mode === 'rejected' ? `Rejected: ${echo}` : undefined,
      card_details: sent?.request?.card_details,
      tracking_id: sent?.request?.tracking_id,
    });
  });
});
afterAll(() => server.close());

function forbidden(): string[] {
  return [
    CARD.card_number,
    CARD.card_number.replace(/(\d{4})(?=\d)/g, '$1 '),
    `cvc ${CARD.cvc}`,
    `"cvc":"${CARD.cvc}"`,
    `${CARD.exp_month}/${CARD.exp_year}`,
    CARD.holder_name,
  ];
}

const views = (value: unknown) => [
  String(value),
  value instanceof Error ? String(value.stack) : '',
  JSON.stringify(value) ?? '',
  inspect(value, { depth: 12, showHidden: true }),
];

it('card data never reaches a log, an error, a payment or a settled record', async () => {
  const driver = createNumipayDriver({
    apiKey: TEST_API_KEY,
    baseUrl: `${server.url}/`,
    mode: 'test',
    routingId: 210,
    logger,
    backoffBaseMs: 1,
    jitterMs: 0,
  });
  const results: unknown[] = [];
  for (const next of ['rejected', '3ds', 400, 500, 'reset'] as const) {
    mode = next;
    results.push(
      await driver.chargeCard(order(`order-${next}`, 1000), CARD).catch((error: unknown) => error),
    );
  }
  // Repeating with a key reads the transaction first; its rejected_reason echoes the card too.
  results.push(await driver.chargeCard(order('order-key', 1000), CARD, { idempotencyKey: 'k1' }));

  // A later status read (the reconciler's) has no card at hand and can only mask what looks like a card number, so
  // there the gateway quotes the number alone; the answers read by the card payment itself quote everything.
  statusEcho = `Rejected card ${CARD.card_number} / ${CARD.card_number.replace(/(\d{4})(?=\d)/g, '$1 ')}`;
  // The settled record of the rejected payment, as a store would keep it.
  let record: SettlementRecord | undefined;
  const rejected = results[0] as { id: string };
  const pipeline = new SettlementPipeline({
    driver,
    events: new MemoryEventStore(),
    locks: new MemoryLockStore(),
    load: async (paymentId) =>
      paymentId === rejected.id
        ? {
            orderId: 'o',
            paymentId,
            amount: 1000,
            currency: 'GBP',
            status: 'pending',
            captureMode: 'automatic',
            refundedAmount: 0,
          }
        : undefined,
    commit: async (next, events) => {
      record = next;
      results.push(events);
    },
  });
  results.push(await pipeline.settlePayment(rejected.id));

  // The scan means something only if the gateway really got the card and echoed it, and things really failed.
  expect(server.requests.filter((r) => r.body.includes(CARD.card_number))).toHaveLength(5);
  // A 400 is refused; after a 500 or a reset (the outcome unknown) the transaction is read, never re-sent.
  expect(results.filter((r) => r instanceof Error)).toHaveLength(1);
  expect(results[3]).toMatchObject({
    status: 'failed',
    failureReason: expect.stringContaining('[REDACTED]'),
  });
  expect(results[4]).toMatchObject({ status: 'failed' });
  expect(results[0]).toMatchObject({
    status: 'failed',
    failureReason: expect.stringContaining('[REDACTED]'),
    failure: { message: expect.stringContaining('[REDACTED]') },
  });
  expect(results[1]).toMatchObject({ status: 'pending', nextAction: { url: 'https://acs.example/3ds/abc' } });
  expect(record?.status).toBe('failed');
  expect(logLines.length).toBeGreaterThan(3);

  for (const text of [...results.flatMap(views), ...views(record), ...logLines]) {
    for (const secret of forbidden()) expect(text).not.toContain(secret);
  }
});

it('a card that fails validation is refused without repeating it', async () => {
  const driver = createNumipayDriver({
    apiKey: TEST_API_KEY,
    baseUrl: `${server.url}/`,
    mode: 'test',
    routingId: 210,
  });
  const bad = { ...CARD, card_number: '4917610000000001', cvc: '73a' };
  const error = await driver.chargeCard(order('order-bad', 1000), bad).catch((e: unknown) => e);
  expect(error).toMatchObject({ type: 'invalid_request' });
  expect(Object.keys((error as { details: object }).details).sort()).toEqual([
    'request.card_details.card_number',
    'request.card_details.cvc',
  ]);
  for (const text of views(error)) {
    expect(text).not.toContain(bad.card_number);
    expect(text).not.toContain('73a');
  }
});
