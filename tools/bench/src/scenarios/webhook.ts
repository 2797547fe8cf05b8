/**
 * Webhook verification: a signed Ummah delivery through `@tijara/express` (verify + dedupe + settle) against
 * (b) a bare node:http handler doing only crypto.verify with a cached KeyObject, the practical limit, and
 * (c) the seed's reference Express handler (express.raw + createVerify with the PEM on every request).
 *
 * Every delivery to the plugin is a distinct event (its own event id) for a distinct pending order, so each
 * request takes the full first-delivery path — verify, parse, lock, dedupe check, load, settle (ledger commit +
 * outbox), remember, unlock — never the cheap duplicate path. Bodies are signed before the run; the plugin's
 * ledger is seeded with the pending orders before it starts. A run ends when its pool of distinct events is
 * used up or its time is over, whichever comes first. The baselines keep no state, so they replay the pool.
 *
 * One more plugin run measures the duplicate path on its own — verify + parse + dedupe lookup, what a
 * redelivery costs and what the stateless baselines actually compare with: its events are settled once during
 * the warm-up, then replayed like the baselines replay theirs.
 */
import { join } from 'node:path';
import { createUmmahDriver } from '@tijara/ummah';
import { envelope, purchaseLike, type PurchaseTemplate } from '../lib/deliveries.js';
import { sandboxControl, type SandboxProcess } from '../lib/gateway.js';
import { load, type LoadResult } from '../lib/load.js';
import { CURRENCY, orderAmount, orderId, seededPaymentId } from '../lib/orders.js';
import { createDatabase } from '../lib/pgdb.js';
import { dropPrefix } from '../lib/redisdb.js';
import { processCpuMs, startTs, type RunningChild } from '../lib/proc.js';
import { fmt } from '../lib/report.js';
import { generateKeys, signMany, type SignedDelivery } from '../lib/signing.js';
import { POSTGRES_URL, REDIS_URL, portOpen, type RunContext } from './env.js';

export interface WebhookRow {
  readonly key: string;
  readonly name: string;
  readonly result: LoadResult;
  /** Distinct events the run used (plugin only). */
  readonly distinct?: number;
  /** CPU time the server process used per answered request during the measured run (robust to machine noise). */
  readonly cpuMsPerRequest?: number;
  readonly note?: string;
}

export interface WebhookReport {
  readonly rows: WebhookRow[];
  readonly poolSize: number;
  readonly connections: number;
  readonly seconds: number;
}

export async function purchaseTemplate(sandbox: SandboxProcess): Promise<PurchaseTemplate> {
  const driver = createUmmahDriver({
    secretKey: sandbox.secretKey,
    baseUrl: sandbox.apiBase,
    brandId: sandbox.brandId,
  });
  const created = await driver.createPayment({
    amount: 2999,
    currency: CURRENCY,
    reference: 'template',
    customer: { email: 'template@example.com' },
    capture: 'automatic',
    returnUrls: { success: 'http://127.0.0.1/s', failure: 'http://127.0.0.1/f' },
  });
  await sandboxControl.pay(sandbox.url, created.id);
  const paid = await driver.retrievePayment(created.id);
  return paid.raw as PurchaseTemplate;
}

export async function webhookScenario(ctx: RunContext, sandbox: SandboxProcess): Promise<WebhookReport> {
  const poolSize = ctx.quick ? 6_000 : 24_000;
  const warmup = ctx.quick ? 400 : 1_500;
  const seconds = ctx.quick ? 3 : 8;
  const baselineWarmupS = ctx.quick ? 1 : 2;
  const connections = 16;
  const run = `w${Date.now().toString(36)}`;

  const keys = generateKeys();
  const template = await purchaseTemplate(sandbox);
  const now = Math.floor(Date.now() / 1000);
  ctx.log(`webhook: signing ${poolSize} distinct deliveries`);
  const bodies = Array.from({ length: poolSize }, (_, n) =>
    envelope(
      'purchase.paid',
      purchaseLike(template, seededPaymentId(n, run), orderId(n), orderAmount(n), CURRENCY, 'paid', now),
      now,
    ),
  );
  const pool = await signMany(bodies, keys.privateKeyPem);
  const bodyBytes = Math.round(bodies.reduce((sum, b) => sum + b.length, 0) / bodies.length);

  const rows: WebhookRow[] = [];
  const headers = { 'content-type': 'application/json' };
  const cycle = (deliveries: readonly SignedDelivery[]) => {
    let i = 0;
    return () => {
      const d = deliveries[i++ % deliveries.length] as SignedDelivery;
      return { body: d.body, headers: { 'x-signature': d.signature } };
    };
  };

  const baselineRuns = new Map<string, LoadResult[]>();
  const baselineCpu = new Map<string, number[]>();
  const baseline = async (key: string, name: string, script: string) => {
    ctx.log(`webhook: ${name}`);
    const child = await startTs(script, {
      name: key,
      logDir: ctx.runDir,
      env: { UMMAH_WEBHOOK_PUBLIC_KEY: keys.publicKeyPem },
      nodeFlags: ctx.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.runDir, 'profiles', key)}`] : [],
    });
    try {
      const url = `http://127.0.0.1:${child.ready.port}/webhook`;
      await load({
        title: `${key} warmup`,
        url,
        method: 'POST',
        headers,
        connections,
        durationS: baselineWarmupS,
        next: cycle(pool),
      });
      const cpuBefore = processCpuMs(child.pid);
      const result = await load({
        title: key,
        url,
        method: 'POST',
        headers,
        connections,
        durationS: seconds,
        next: cycle(pool),
      });
      const cpuMs = (processCpuMs(child.pid) - cpuBefore) / result.requests;
      const cpuRuns = [...(baselineCpu.get(key) ?? []), cpuMs];
      baselineCpu.set(key, cpuRuns);
      const runs = [...(baselineRuns.get(key) ?? []), result];
      baselineRuns.set(key, runs);
      const entry: WebhookRow = {
        key,
        name,
        result: mergeRuns(key, runs),
        cpuMsPerRequest: cpuRuns.reduce((a, b) => a + b, 0) / cpuRuns.length,
        ...(runs.length > 1 ? { note: `mean of ${runs.length} runs, before and after the plugin runs` } : {}),
      };
      const existing = rows.findIndex((r) => r.key === key);
      if (existing >= 0) rows[existing] = entry;
      else rows.push(entry);
    } finally {
      await child.stop();
    }
  };

  const plugin = async (
    key: string,
    name: string,
    app: { database: string; stores?: string; storePrefix?: string; sqliteSynchronous?: 'full' | 'normal' },
    mode: 'distinct' | 'duplicates' = 'distinct',
  ) => {
    ctx.log(`webhook: ${name}`);
    let child: RunningChild | undefined;
    try {
      child = await startTs('src/servers/store-app.ts', {
        name: key,
        logDir: ctx.runDir,
        readyTimeoutMs: 120_000,
        env: {
          BENCH_GATEWAY_SECRET: sandbox.secretKey,
          BENCH_CPU_PROFILE: ctx.cpuProf ? join(ctx.runDir, 'profiles', key, 'load.cpuprofile') : undefined,
          BENCH_APP: JSON.stringify({
            ...app,
            apiBase: sandbox.apiBase,
            brandId: sandbox.brandId,
            webhookPublicKeys: [keys.publicKeyPem],
            logLevel: 'warn',
            seed: { count: poolSize, run },
          }),
        },
        nodeFlags: [],
      });
      const url = `http://127.0.0.1:${child.ready.port}/payments/webhook`;
      const settled = pool.slice(poolSize - warmup);
      await load({
        title: `${key} warmup`,
        url,
        method: 'POST',
        headers,
        connections,
        amount: warmup,
        maxS: 60,
        next: cycle(settled),
      });
      if (mode === 'duplicates') {
        // Every warm-up event is settled and remembered now; make sure a replay really takes the duplicate path.
        const outcome = await deliveryOutcome(url, settled[0] as SignedDelivery);
        if (outcome !== 'duplicate') throw new Error(`a replayed delivery was answered "${outcome}"`);
        await load({
          title: `${key} duplicate warmup`,
          url,
          method: 'POST',
          headers,
          connections,
          durationS: baselineWarmupS,
          next: cycle(settled),
        });
      }
      const measured = mode === 'duplicates' ? settled : pool.slice(0, poolSize - warmup);
      if (ctx.cpuProf) {
        await fetch(`http://127.0.0.1:${child.ready.port}/__bench/profile/restart`, { method: 'POST' });
      }
      const cpuBefore = processCpuMs(child.pid);
      const result = await load({
        title: key,
        url,
        method: 'POST',
        headers,
        connections,
        ...(mode === 'duplicates' ? { durationS: seconds } : { amount: measured.length, maxS: seconds }),
        next: cycle(measured),
      });
      const cpuMsPerRequest = (processCpuMs(child.pid) - cpuBefore) / result.requests;
      rows.push({
        key,
        name,
        result,
        distinct: mode === 'duplicates' ? 0 : Math.min(result.requests, measured.length),
        cpuMsPerRequest,
        ...(mode === 'duplicates' ? { note: `${fmt.int(settled.length)} settled events, replayed` } : {}),
      });
    } catch (error) {
      ctx.log(`webhook: ${name} failed: ${(error as Error).message}`);
      rows.push({ key, name, result: failedResult(key), note: (error as Error).message.split('\n')[0] });
    } finally {
      await child?.stop();
    }
  };

  await baseline('limit', '(b) node:http + crypto.verify, cached KeyObject', 'src/servers/limit.ts');
  await baseline(
    'seed',
    '(c) seed reference handler (express.raw + createVerify + PEM)',
    'src/servers/seed-express.ts',
  );
  await plugin(
    'plugin_sqlite',
    '@tijara/express, SQLite ledger + stores (default: WAL, synchronous=NORMAL)',
    {
      database: `sqlite:${join(ctx.runDir, `${run}-sqlite.db`)}`,
    },
  );
  await plugin('plugin_sqlite_full', "@tijara/express, SQLite with synchronous: 'full' (opt-in)", {
    database: `sqlite:${join(ctx.runDir, `${run}-sqlite-full.db`)}`,
    sqliteSynchronous: 'full',
  });
  await plugin(
    'plugin_sqlite_duplicate',
    '@tijara/express, SQLite default, duplicate deliveries (verify + dedupe)',
    { database: `sqlite:${join(ctx.runDir, `${run}-sqlite-duplicate.db`)}` },
    'duplicates',
  );
  if (await portOpen(REDIS_URL)) {
    try {
      await plugin('plugin_redis', '@tijara/express, Redis stores (+ SQLite ledger)', {
        database: `sqlite:${join(ctx.runDir, `${run}-redis-ledger.db`)}`,
        stores: REDIS_URL,
        storePrefix: `tijara-bench:${run}:`,
      });
    } finally {
      await dropPrefix(REDIS_URL, `tijara-bench:${run}:`).catch(() => 0);
    }
  }
  if (await portOpen(POSTGRES_URL)) {
    const db = await createDatabase(POSTGRES_URL, 'bench');
    try {
      await plugin('plugin_postgres', '@tijara/express, PostgreSQL ledger + stores', { database: db.url });
    } finally {
      await db.drop().catch(() => undefined);
    }
  }
  if (!ctx.quick) {
    // Machine drift shows up as a gap between the two runs of a baseline; the ratios use their mean.
    await baseline('limit', '(b) node:http + crypto.verify, cached KeyObject', 'src/servers/limit.ts');
    await baseline(
      'seed',
      '(c) seed reference handler (express.raw + createVerify + PEM)',
      'src/servers/seed-express.ts',
    );
  }
  ctx.log(`webhook: bodies average ${bodyBytes} bytes`);
  return { rows, poolSize, connections, seconds };
}

/** What the plugin answered for one delivery (`settled`, `duplicate`, …). */
async function deliveryOutcome(url: string, delivery: SignedDelivery): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': delivery.signature },
    body: delivery.body,
  });
  const body = (await response.json().catch(() => ({}))) as { outcome?: string };
  return `${response.status} ${body.outcome ?? ''}`.replace(/^200 /, '');
}

/** Mean throughput and latency of repeated runs of one baseline (requests summed). */
function mergeRuns(title: string, runs: readonly LoadResult[]): LoadResult {
  if (runs.length === 1) return runs[0] as LoadResult;
  const mean = (pick: (r: LoadResult) => number) => runs.reduce((sum, r) => sum + pick(r), 0) / runs.length;
  const sum = (pick: (r: LoadResult) => number) => runs.reduce((total, r) => total + pick(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const r of runs)
    for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    title,
    requests: sum((r) => r.requests),
    rps: mean((r) => r.rps),
    p50: mean((r) => r.p50),
    p99: mean((r) => r.p99),
    mean: mean((r) => r.mean),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    statusCodes,
    durationS: sum((r) => r.durationS),
    runs: runs.map((r) => Math.round(r.rps)),
  };
}

function failedResult(title: string): LoadResult {
  return {
    title,
    requests: 0,
    rps: NaN,
    p50: NaN,
    p99: NaN,
    mean: NaN,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    statusCodes: {},
    durationS: 0,
  };
}
