/**
 * Crash: the store process is killed with SIGKILL while webhooks are being settled. The deliveries it never
 * answered are treated as lost (the worst case: no gateway retry). After a restart on the same SQLite files,
 * the reconciler must settle every order: each ends paid for its amount, each fulfilled (at least once; a
 * repeat after the crash carries the same event id, so a store can drop it).
 */
import { join } from 'node:path';
import { pool, send } from '../lib/http.js';
import { orderAmount } from '../lib/orders.js';
import type { RunningChild } from '../lib/proc.js';
import {
  check,
  checkoutAndPay,
  fulfilments,
  paidEvents,
  readOrders,
  startStore,
  storeUrl,
  type Check,
  type ReliabilityContext,
} from './reliability-support.js';

export async function crashScenario(ctx: ReliabilityContext): Promise<Check[]> {
  const orders = ctx.short ? 60 : 300;
  const base = 300_000;
  const database = `sqlite:${join(ctx.runDir, 'crash-ledger.db')}`;
  const config = { database, reconcileMinAgeMs: 0 };
  const children: RunningChild[] = [];
  try {
    const first = await startStore(ctx, 'crash-before', config);
    children.push(first);
    const paid = await checkoutAndPay(ctx, first, base, base + orders);
    const events = paidEvents(ctx, paid);

    ctx.log(`crash: delivering ${orders} webhooks, SIGKILL after a third are answered`);
    let answered = 0;
    let killedAt = -1;
    const killAfter = Math.floor(orders / 3);
    let refused = 0;
    await pool(events.length, 8, async (i) => {
      const event = events[i]!;
      const response = await send(storeUrl(first, '/payments/webhook'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': event.signature },
        body: event.body,
        timeoutMs: 10_000,
      });
      if (response.status >= 200 && response.status < 300) {
        answered++;
        if (answered >= killAfter && killedAt < 0) {
          killedAt = answered;
          first.process.kill('SIGKILL');
        }
      } else refused++;
    });
    const exit = await first.exited;
    const before = fulfilments([first]).length;

    ctx.log('crash: restarting on the same files; reconciling');
    const second = await startStore(ctx, 'crash-after', config);
    children.push(second);
    const pendingBefore = Object.values(await readOrders(second, base, base + orders)).filter((p) =>
      p.every((x) => x.status !== 'paid'),
    ).length;
    let sweeps = 0;
    let report = { checked: 0, settled: 0, failed: 0 };
    let settledByReconciler = 0;
    for (; sweeps < 5; sweeps++) {
      const response = await send(storeUrl(second, '/__bench/reconcile'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        timeoutMs: 60_000,
      });
      report = JSON.parse(response.body) as typeof report;
      settledByReconciler += report.settled;
      if (report.checked === 0 || report.settled === 0) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));

    const ledger = await readOrders(second, base, base + orders);
    const wrong = Object.entries(ledger).filter(([id, payments]) => {
      const n = Number(id.slice(2));
      return !(
        payments.length === 1 &&
        payments[0]!.status === 'paid' &&
        payments[0]!.amount === orderAmount(n) &&
        payments[0]!.capturedAmount === orderAmount(n)
      );
    });
    const all = fulfilments(children);
    const unique = new Set(all.map((f) => f.orderId));
    const uniqueIds = new Set(all.map((f) => f.id));
    ctx.figures.crash = {
      orders,
      killedAfterAnswered: killedAt,
      exit,
      unansweredDeliveries: orders - answered,
      refusedDeliveries: refused,
      fulfilledBeforeCrash: before,
      pendingAfterRestart: pendingBefore,
      reconcileSweeps: sweeps + 1,
      settledByReconciler,
      lastSweep: report,
      wrongOrders: wrong.length,
      fulfilments: all.length,
      uniqueOrdersFulfilled: unique.size,
      repeatedFulfilments: all.length - unique.size,
      repeatedWithSameEventId: all.length - uniqueIds.size,
    };
    return [
      check(
        'crash: the store was killed mid-settlement and orders were left for the reconciler',
        exit === 'SIGKILL' && pendingBefore > 0,
        `SIGKILL after ${killedAt} of ${orders} deliveries answered (${orders - answered} never answered); ` +
          `${pendingBefore} orders still pending after restart; the reconciler settled ${settledByReconciler}`,
      ),
      check(
        'crash: after restart the reconciler settles every order correctly',
        wrong.length === 0 && unique.size === orders,
        `${orders - wrong.length}/${orders} orders paid for the right amount; ${unique.size} orders fulfilled ` +
          `(${all.length - unique.size} repeated after the crash, all with the same event id: ${all.length - unique.size === all.length - uniqueIds.size})`,
      ),
    ];
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}
