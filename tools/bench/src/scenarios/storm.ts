/**
 * Duplicate storm: every order's `purchase.paid` delivered 5 times at once, spread over two store processes
 * that share the backend (Redis dedupe/locks + a shared SQLite ledger file, or PostgreSQL for everything).
 * Expect exactly one fulfilment per order, and every order paid in the ledger.
 */
import { join } from 'node:path';
import { pool } from '../lib/http.js';
import type { TestDatabase } from '@tijara/testkit';
import { createDatabase } from '../lib/pgdb.js';
import type { RunningChild } from '../lib/proc.js';
import { dropPrefix } from '../lib/redisdb.js';
import { POSTGRES_URL, REDIS_URL, portOpen } from './env.js';
import {
  check,
  checkoutAndPay,
  deliver,
  fulfilments,
  paidEvents,
  readOrders,
  startStore,
  storeUrl,
  type Check,
  type ReliabilityContext,
} from './reliability-support.js';

const COPIES = 5;

export async function stormScenario(
  ctx: ReliabilityContext,
  backend: 'redis' | 'postgres',
): Promise<Check[]> {
  const name = `duplicate storm (${backend})`;
  const url = backend === 'redis' ? REDIS_URL : POSTGRES_URL;
  if (!(await portOpen(url))) return [check(name, false, `${backend} is not answering at ${url}`)];
  const events = ctx.short ? 100 : 1000;
  // Each scenario has its own order numbers: the sandbox is shared and checkout keys derive from order ids.
  const base = backend === 'redis' ? 100_000 : 200_000;
  const prefix = `tijara-bench:${ctx.run}:storm:`;
  let database: string;
  let stores: string | undefined;
  let pgDatabase: TestDatabase | undefined;
  if (backend === 'redis') {
    database = `sqlite:${join(ctx.runDir, `storm-${backend}-ledger.db`)}`;
    stores = REDIS_URL;
  } else {
    pgDatabase = await createDatabase(POSTGRES_URL, 'rel_storm');
    database = pgDatabase.url;
  }
  const children: RunningChild[] = [];
  try {
    const config = { database, ...(stores ? { stores, storePrefix: prefix } : {}) };
    // Start one first so the schema is created once, then the second.
    children.push(await startStore(ctx, `storm-${backend}-a`, config));
    children.push(await startStore(ctx, `storm-${backend}-b`, config));
    const [a, b] = children as [RunningChild, RunningChild];

    ctx.log(`${name}: ${events} orders checked out and paid on the sandbox`);
    const orders = await checkoutAndPay(ctx, a, base, base + events);
    const signed = paidEvents(ctx, orders);

    ctx.log(`${name}: ${events} events × ${COPIES} deliveries, concurrently, over 2 processes`);
    const started = Date.now();
    let deliveries = 0;
    let retried = 0;
    let undelivered = 0;
    const statusCounts: Record<string, number> = {};
    await pool(signed.length, 40, async (i) => {
      const event = signed[i]!;
      const results = await Promise.all(
        Array.from({ length: COPIES }, (_, copy) =>
          deliver(storeUrl(copy % 2 === 0 ? a : b, '/payments/webhook'), event),
        ),
      );
      for (const result of results) {
        deliveries++;
        if (result.attempts === -1) undelivered++;
        else if (result.attempts > 1) retried++;
        for (const status of result.statuses) statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      }
    });
    const seconds = (Date.now() - started) / 1000;
    // Handlers run before the 2xx, so every fulfilment is printed by now; give stdout a moment to drain.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const done = fulfilments(children);
    const uniqueOrders = new Set(done.map((f) => f.orderId));
    const ledger = await readOrders(a, base, base + events);
    const notPaid = Object.entries(ledger).filter(
      ([, payments]) => !payments.some((p) => p.status === 'paid'),
    );
    const perProcess = children.map((c) => fulfilments([c]).length);

    ctx.figures[`storm_${backend}`] = {
      events,
      copies: COPIES,
      deliveries,
      seconds,
      statusCounts,
      retried,
      undelivered,
      fulfilments: done.length,
      uniqueOrders: uniqueOrders.size,
      perProcess,
      notPaid: notPaid.length,
    };
    return [
      check(
        `${name}: exactly one fulfilment per order`,
        done.length === events && uniqueOrders.size === events,
        `${done.length} fulfilments for ${events} orders (${uniqueOrders.size} distinct; per process ${perProcess.join(' + ')}) ` +
          `from ${deliveries} deliveries in ${seconds.toFixed(1)} s; answers ${JSON.stringify(statusCounts)}`,
      ),
      check(
        `${name}: nothing lost`,
        undelivered === 0 && notPaid.length === 0,
        `${undelivered} deliveries never acknowledged (${retried} needed a retry); ${notPaid.length} orders not paid in the ledger`,
      ),
    ];
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    if (backend === 'redis')
      await dropPrefix(REDIS_URL, prefix).catch((e) => ctx.recordError('storm cleanup', e));
    else await pgDatabase?.drop().catch((e: unknown) => ctx.recordError('storm cleanup', e));
  }
}
