/**
 * Hostile input: malformed and forged webhook requests at a running store (see lib/hostile.ts for the kinds).
 * Expect every one answered 4xx, the process still up and answering, and no order changed.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { envelope, purchaseLike } from '../lib/deliveries.js';
import { CURRENCY, orderAmount } from '../lib/orders.js';
import { HOSTILE_KINDS, hostileRequest, type HostileContext } from '../lib/hostile.js';
import { pool, send } from '../lib/http.js';
import { join } from 'node:path';
import { generateKeys } from '../lib/signing.js';
import {
  check,
  checkoutAndPay,
  readOrders,
  startStore,
  storeUrl,
  type Check,
  type ReliabilityContext,
} from './reliability-support.js';

export async function hostileScenario(ctx: ReliabilityContext): Promise<Check[]> {
  const total = ctx.short ? 1_000 : 10_000;
  const orderCount = 20;
  const base = 400_000;
  const store = await startStore(ctx, 'hostile', {
    database: `sqlite:${join(ctx.runDir, 'hostile-ledger.db')}`,
  });
  try {
    // Orders checked out but not paid: a forged "paid" that got through would move them.
    const orders = await checkoutAndPay(ctx, store, base, base + orderCount, { pay: false });
    const paid = await checkoutAndPay(ctx, store, base + orderCount, base + orderCount + 5);
    const now = Math.floor(Date.now() / 1000);
    // A real gateway purchase, re-dressed as each order's own payment with its own amount: accepted, it would pay it.
    const template = paid[0]!.purchase;
    const templates = [...orders, ...paid].map((o) =>
      envelope(
        'purchase.paid',
        purchaseLike(template, o.paymentId, o.orderId, orderAmount(o.n), CURRENCY, 'paid', now),
        now,
      ),
    );
    const realKey = createPrivateKey(ctx.webhookKeys.privateKeyPem);
    const attacker = createPrivateKey(generateKeys().privateKeyPem);
    const hostileCtx: HostileContext = {
      templates,
      signReal: (body) => sign('sha256', body, realKey).toString('base64'),
      signWrong: (body) => sign('sha256', body, attacker).toString('base64'),
    };
    const before = JSON.stringify(await readOrders(store, base, base + orderCount + 5));

    ctx.log(`hostile input: ${total} requests`);
    const byKind: Record<string, Record<string, number>> = Object.fromEntries(
      HOSTILE_KINDS.map((k) => [k, {}]),
    );
    const bad: string[] = [];
    const started = Date.now();
    await pool(total, 16, async (i) => {
      const request = hostileRequest(7, i, hostileCtx);
      const response = await send(storeUrl(store, '/payments/webhook'), {
        method: request.method,
        headers: request.headers,
        body: request.body,
        timeoutMs: 20_000,
      });
      const counts = byKind[request.kind]!;
      const key = response.status === 0 ? `no answer (${response.error})` : String(response.status);
      counts[key] = (counts[key] ?? 0) + 1;
      if (!(response.status >= 400 && response.status < 500) && bad.length < 10) {
        bad.push(`#${i} ${request.kind} → ${key}`);
      }
    });
    const seconds = (Date.now() - started) / 1000;
    const health = await send(storeUrl(store, '/__bench/health'), { timeoutMs: 5_000 });
    const after = JSON.stringify(await readOrders(store, base, base + orderCount + 5));
    const answered4xx = Object.values(byKind)
      .flatMap((c) => Object.entries(c))
      .filter(([status]) => Number(status) >= 400 && Number(status) < 500)
      .reduce((sum, [, n]) => sum + n, 0);
    ctx.figures.hostile = {
      total,
      seconds,
      byKind,
      answered4xx,
      alive: store.alive(),
      healthStatus: health.status,
    };
    return [
      check(
        'hostile input: every request answered 4xx',
        answered4xx === total,
        `${answered4xx}/${total} answered 4xx in ${seconds.toFixed(1)} s` +
          (bad.length ? `; not 4xx: ${bad.join(', ')}` : '') +
          `; by kind: ${Object.entries(byKind)
            .map(([kind, counts]) => `${kind} ${JSON.stringify(counts)}`)
            .join(', ')}`,
      ),
      check(
        'hostile input: the process stays up',
        store.alive() && health.status === 200,
        `alive: ${store.alive()}, health: ${health.status}`,
      ),
      check(
        'hostile input: no order changed',
        before === after,
        before === after ? `${orderCount + 5} orders unchanged` : 'orders differ after the run',
      ),
    ];
  } finally {
    await store.stop();
  }
}
