/**
 * Faulty gateway: the sandbox answers ~30 % of API calls with a fault — 5xx before or after doing the work,
 * connection resets before or after, and answers slower than the client's timeout — while flows
 * purchase → (buyer pays) → capture → refund run through the Ummah driver. Each logical operation has one
 * idempotency key, reused by the driver's own retries and by the flow's retries of the operation.
 * Expect every flow to end refunded, with exactly one purchase and one refund per flow on the gateway.
 */
import { createUmmahDriver } from '@tijara/ummah';
import pino from 'pino';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { sandboxControl } from '../lib/gateway.js';
import { pool } from '../lib/http.js';
import { CURRENCY } from '../lib/orders.js';
import { check, type Check, type ReliabilityContext } from './reliability-support.js';

const CLIENT_TIMEOUT_MS = 1_000;

export async function faultyGatewayScenario(ctx: ReliabilityContext): Promise<Check[]> {
  const flows = ctx.short ? 50 : 500;
  const maxOperationTries = 10;
  const { sandbox } = ctx;
  const logStream = createWriteStream(join(ctx.runDir, 'faulty-gateway-driver.log'));
  const logger = pino({ level: 'info', base: { app: 'faulty-gateway-client' } }, logStream);
  const driver = createUmmahDriver({
    secretKey: sandbox.secretKey,
    baseUrl: sandbox.apiBase,
    brandId: sandbox.brandId,
    logger,
    timeoutMs: CLIENT_TIMEOUT_MS,
    connectTimeoutMs: CLIENT_TIMEOUT_MS,
    maxAttempts: 3,
    backoffBaseMs: 50,
    jitterMs: 20,
  });
  const path = '/api/v1/purchases/**';
  const seed = 20_251_123;
  await sandboxControl.faults(sandbox.url, {
    clear: true,
    rules: [
      { scope: 'api', type: 'latency', path, latency_ms: CLIENT_TIMEOUT_MS * 3, rate: 0.12, seed },
      { scope: 'api', type: 'error', path, status: 500, when: 'before', rate: 0.06, seed: seed + 1 },
      { scope: 'api', type: 'error', path, status: 503, when: 'after', rate: 0.06, seed: seed + 2 },
      { scope: 'api', type: 'drop', path, when: 'before', rate: 0.05, seed: seed + 3 },
      { scope: 'api', type: 'drop', path, when: 'after', rate: 0.05, seed: seed + 4 },
    ],
  });

  const reference = (i: number) => `${ctx.run}-flow-${i}`;
  const failures: string[] = [];
  let operationRetries = 0;
  let finalFlows = 0;
  const started = Date.now();

  /** One logical operation: same idempotency key on every try, until it succeeds or we give up. */
  async function operation<T>(label: string, fn: () => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxOperationTries; attempt++) {
      try {
        return await fn();
      } catch (error) {
        lastError = error;
        ctx.recordError(`faulty gateway ${label}`, error);
        operationRetries++;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    throw lastError;
  }

  try {
    ctx.log(`faulty gateway: ${flows} purchase → capture → refund flows with ~30 % faults`);
    await pool(flows, 25, async (i) => {
      try {
        const amount = 1000 + i;
        const created = await operation(`create ${i}`, () =>
          driver.createPayment(
            {
              amount,
              currency: CURRENCY,
              reference: reference(i),
              customer: { email: `flow${i}@example.com` },
              capture: 'manual',
              returnUrls: { success: 'http://127.0.0.1/s', failure: 'http://127.0.0.1/f' },
            },
            { idempotencyKey: `${reference(i)}:create` },
          ),
        );
        await sandboxControl.pay(sandbox.url, created.id);
        const captured = await operation(`capture ${i}`, () =>
          driver.capture(created.id, undefined, { idempotencyKey: `${reference(i)}:capture` }),
        );
        const refund = await operation(`refund ${i}`, () =>
          driver.refund(
            created.id,
            { reference: `${reference(i)}-refund` },
            { idempotencyKey: `${reference(i)}:refund` },
          ),
        );
        const final = await operation(`retrieve ${i}`, () => driver.retrievePayment(created.id));
        if (captured.status === 'paid' && refund.amount === amount && final.status === 'refunded')
          finalFlows++;
        else
          failures.push(
            `flow ${i}: captured ${captured.status}, refund ${refund.amount}/${amount}, final ${final.status}`,
          );
      } catch (error) {
        failures.push(`flow ${i}: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 300));
      }
    });
  } finally {
    await sandboxControl.clearFaults(sandbox.url).catch((e) => ctx.recordError('clear faults', e));
    await new Promise<void>((resolve) => logStream.end(resolve));
  }
  const seconds = (Date.now() - started) / 1000;

  // The gateway's side: purchases and refunds per flow.
  const purchases = (await sandboxControl.purchases(sandbox.url)).filter((p) =>
    String(p.reference ?? '').startsWith(`${ctx.run}-flow-`),
  );
  const perFlow = new Map<string, Array<Record<string, unknown>>>();
  for (const p of purchases)
    perFlow.set(String(p.reference), [...(perFlow.get(String(p.reference)) ?? []), p]);
  const ids = new Set(purchases.map((p) => String(p.id)));
  const refunds = (await sandboxControl.events(sandbox.url)).filter(
    (e) => e.type === 'payment.refunded' && ids.has(String((e.object as Record<string, unknown>)?.purchase)),
  );
  const refundsPer = new Map<string, number>();
  for (const e of refunds) {
    const id = String((e.object as Record<string, unknown>).purchase);
    refundsPer.set(id, (refundsPer.get(id) ?? 0) + 1);
  }
  const duplicatesPurchases = [...perFlow.values()].filter((list) => list.length !== 1).length;
  const missingFlows = flows - perFlow.size;
  const wrongRefunds = purchases.filter((p) => refundsPer.get(String(p.id)) !== 1).length;
  const notRefunded = purchases.filter((p) => p.status !== 'refunded').length;

  ctx.figures.faulty_gateway = {
    flows,
    seconds,
    finalFlows,
    failures: failures.length,
    operationRetries,
    purchases: purchases.length,
    refunds: refunds.length,
    duplicatesPurchases,
    missingFlows,
    wrongRefunds,
    notRefunded,
    faults:
      '12 % slower than the client timeout, 6 % 500 before, 6 % 503 after, 5 % reset before, 5 % reset after',
  };
  return [
    check(
      'faulty gateway: every flow final',
      finalFlows === flows && failures.length === 0,
      `${finalFlows}/${flows} flows ended refunded in ${seconds.toFixed(1)} s (${operationRetries} operation retries on top of ` +
        `the driver's own)${failures.length ? `; first failure: ${failures[0]}` : ''}`,
    ),
    check(
      'faulty gateway: exactly one purchase and one refund per flow on the gateway',
      duplicatesPurchases === 0 && missingFlows === 0 && wrongRefunds === 0 && notRefunded === 0,
      `${purchases.length} purchases for ${flows} flows (${duplicatesPurchases} flows with ≠ 1, ${missingFlows} missing); ` +
        `${refunds.length} refunds (${wrongRefunds} purchases with ≠ 1); ${notRefunded} not refunded`,
    ),
  ];
}
