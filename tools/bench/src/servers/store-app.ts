/**
 * The store process of the benchmarks and reliability runs: an Express app with `@tijara/express` mounted the
 * way a shop mounts it, on the Ummah driver. Configured by BENCH_APP (JSON) and BENCH_GATEWAY_SECRET (the
 * sandbox key, from the environment only — never printed).
 *
 * Bench-only routes under /__bench (loopback only): checkout an order, run a reconcile sweep, read orders.
 * With `printEvents`, every domain event the store receives is printed as `EVENT {json}` (a fulfilment).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname } from 'node:path';
import { createStores, openSqliteDatabase, type Stores } from '@tijara/core';
import { createTijaraExpress, type PaymentEvent } from '@tijara/express';
import { openLedger, type Ledger } from '@tijara/ledger';
import { createUmmahDriver } from '@tijara/ummah';
import express from 'express';
import pino from 'pino';
import { CURRENCY, orderAmount, orderId, orderNumber, seededPaymentId } from '../lib/orders.js';
import { signalReady } from '../lib/proc.js';

export interface StoreAppConfig {
  /** Ledger: `sqlite:<path>` or `postgres://…`. */
  readonly database: string;
  /** Dedupe and locks elsewhere (e.g. `redis://…`), opened with `storePrefix`. */
  readonly stores?: string;
  /** Redis key prefix / SQL table prefix for the stores, so runs never share state. */
  readonly storePrefix?: string;
  /** SQLite `synchronous` for a `sqlite:` database opened by this app (default: the plugin's own, NORMAL). */
  readonly sqliteSynchronous?: 'full' | 'normal';
  readonly apiBase: string;
  readonly brandId: string;
  readonly webhookPublicKeys: readonly string[];
  readonly printEvents?: boolean;
  readonly logLevel?: string;
  /**
   * Unset: no reconciler timer. Set: payments pending at least this long are reconciled (hourly timer; the harness
   * calls /__bench/reconcile for a sweep now).
   */
  readonly reconcileMinAgeMs?: number;
  /** Seed the ledger with `count` pending payments (ids from seededPaymentId) before listening. */
  readonly seed?: { readonly count: number; readonly run: string };
  /** Driver transport tuning for fault runs. */
  readonly transport?: {
    timeoutMs?: number;
    maxAttempts?: number;
    backoffBaseMs?: number;
    jitterMs?: number;
  };
  readonly port?: number;
}

const config = JSON.parse(process.env.BENCH_APP ?? '{}') as StoreAppConfig;
const secretKey = process.env.BENCH_GATEWAY_SECRET ?? '';
const logger = pino({ level: config.logLevel ?? 'info', base: { app: 'bench-store', pid: process.pid } });

const driver = createUmmahDriver({
  secretKey,
  baseUrl: config.apiBase,
  brandId: config.brandId,
  logger,
  webhooks: { publicKeys: [...config.webhookPublicKeys], fetchCompanyKey: false },
  ...(config.transport ?? {}),
});

const sqlitePath = config.database.startsWith('sqlite:')
  ? config.database.slice('sqlite:'.length)
  : undefined;

const app = express();
app.disable('x-powered-by');

/**
 * Seed pending payments straight into the ledger through its public API, before the app opens it, as the plugin
 * records a checkout (`express:<order>:<attempt>`, gateway `ummah`). Durability is switched off for the seeding
 * connection only (it is set-up, not what is measured).
 */
async function seedLedger(count: number, run: string): Promise<void> {
  let seeding: Ledger;
  let done: () => Promise<void>;
  if (sqlitePath !== undefined) {
    const db = openSqliteDatabase(sqlitePath, { logger });
    db.exec('PRAGMA synchronous = OFF');
    seeding = await openLedger({ database: db, logger });
    done = async () => {
      await seeding.close();
      db.close();
    };
  } else {
    seeding = await openLedger({
      url: config.database,
      logger,
      poolConfig: { options: '-c synchronous_commit=off', max: 16 },
    });
    done = () => seeding.close();
  }
  const inserts: Array<Promise<unknown>> = [];
  for (let n = 0; n < count; n++) {
    inserts.push(
      seeding.payments.create({
        key: `express:${orderId(n)}:1`,
        gateway: 'ummah',
        paymentId: seededPaymentId(n, run),
        orderId: orderId(n),
        attempt: 1,
        amount: orderAmount(n),
        currency: CURRENCY,
        captureMode: 'automatic',
        idempotencyKey: `seed:${run}:${n}`,
        metadata: { kind: 'hosted', saveMethod: false },
      }),
    );
    if (inserts.length >= 64) await Promise.all(inserts.splice(0));
  }
  await Promise.all(inserts);
  await done();
}
if (config.seed) await seedLedger(config.seed.count, config.seed.run);

let ledger: Ledger | undefined;
let stores: Stores | undefined;
if (sqlitePath !== undefined && config.sqliteSynchronous) {
  ledger = await openLedger({ url: config.database, synchronous: config.sqliteSynchronous, logger });
}
if (config.stores) {
  stores = createStores(config.stores, {
    logger,
    ...(config.stores.startsWith('redis') ? { prefix: config.storePrefix ?? 'tijara:' } : {}),
    ...(config.stores.startsWith('postgres') || config.stores.startsWith('sqlite')
      ? { tablePrefix: config.storePrefix ?? 'tijara_' }
      : {}),
  });
}

const tijara = await createTijaraExpress({
  driver,
  publicUrl: 'http://127.0.0.1',
  mountPath: '/payments',
  database: ledger ?? config.database,
  ...(stores ? { stores } : {}),
  logger,
  secrets: [secretKey],
  reconcile:
    config.reconcileMinAgeMs === undefined
      ? false
      : { minAgeMs: config.reconcileMinAgeMs, intervalMs: 3_600_000 },
  getOrder: async (id) => {
    const n = orderNumber(id);
    if (n === undefined) return undefined;
    return {
      id,
      amount: orderAmount(n),
      currency: CURRENCY,
      customer: { email: `buyer${n}@example.com` },
      lineItems: [{ name: `Order ${id}`, price: orderAmount(n), quantity: 1 }],
    };
  },
  on: config.printEvents
    ? Object.fromEntries(
        (
          [
            'payment.authorized',
            'payment.paid',
            'payment.failed',
            'payment.refunded',
            'payment.canceled',
            'payment.disputed',
          ] as const
        ).map((type) => [
          type,
          (event: PaymentEvent) => {
            process.stdout.write(
              `EVENT ${JSON.stringify({ id: event.id, type: event.type, orderId: event.orderId, paymentId: event.paymentId, amount: event.amount, pid: process.pid })}\n`,
            );
          },
        ]),
      )
    : {},
});

// The plugin's router first: nothing may parse the webhook body before it.
// Cast: TijaraRouter is not assignable to Express 5's use() overloads in @types/express (reported).
app.use('/payments', tijara.router as unknown as express.RequestHandler);

const bench = express.Router();
bench.use(express.json());
bench.post('/checkout/:orderId', async (req, res) => {
  try {
    const result = await tijara.checkout(String(req.params.orderId));
    res.json({ paymentId: result.payment.paymentId, status: result.payment.status, kind: result.kind });
  } catch (error) {
    res.status(500).json({ error: (error as Error).name, message: (error as Error).message });
  }
});
bench.post('/reconcile', async (_req, res) => {
  try {
    const report = await tijara.reconcile();
    res.json({ checked: report.checked, settled: report.settled, failed: report.failed });
  } catch (error) {
    res.status(500).json({ error: (error as Error).name, message: (error as Error).message });
  }
});
bench.get('/orders', async (req, res) => {
  const from = Number(req.query.from ?? 0);
  const to = Number(req.query.to ?? 0);
  const out: Record<string, unknown> = {};
  for (let n = from; n < to; n++) {
    const payments = await tijara.listPayments(orderId(n));
    out[orderId(n)] = payments.map((p) => ({
      paymentId: p.paymentId,
      status: p.status,
      amount: p.amount,
      capturedAmount: p.capturedAmount,
      refundedAmount: p.refundedAmount,
      version: p.version,
    }));
  }
  res.json(out);
});
bench.get('/health', (_req, res) => res.json({ ok: true, pid: process.pid, id: randomUUID() }));
// With BENCH_CPU_PROFILE: start the profile again from here, so it holds the measured run and not the warm-up.
bench.post('/profile/restart', async (_req, res) => {
  if (profiler) {
    await profiler.post('Profiler.stop');
    await profiler.post('Profiler.start');
  }
  res.json({ profiling: profiler !== undefined });
});
app.use('/__bench', bench);

// With BENCH_CPU_PROFILE, profile only what happens once the app is ready (the load), not start-up and seeding.
const profileFile = process.env.BENCH_CPU_PROFILE;
const profiler = profileFile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}

const server = app.listen(config.port ?? 0, '127.0.0.1', () => {
  const address = server.address();
  signalReady({ port: typeof address === 'object' && address ? address.port : 0, pid: process.pid });
});
process.on('SIGTERM', () => {
  server.close();
  void (async () => {
    if (profiler && profileFile) {
      const { profile } = await profiler.post('Profiler.stop');
      mkdirSync(dirname(profileFile), { recursive: true });
      writeFileSync(profileFile, JSON.stringify(profile));
    }
    await tijara.close();
    await ledger?.close();
  })().finally(() => process.exit(0));
});
