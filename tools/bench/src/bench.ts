/**
 * `npm run bench [-- --quick] [-- --json] [-- --only=webhook,client,sandbox,stores] [-- --cpu-prof]`
 *
 * Loopback only, every load bounded in requests and time. Prints tables, then (with --json) one JSON object
 * on the last line. Logs, profiles and results of the run are kept under tools/bench/tmp/bench-<time>/.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { startSandboxProcess, type SandboxProcess } from './lib/gateway.js';
import { BENCH_DIR } from './lib/proc.js';
import { fmt, table } from './lib/report.js';
import { clientScenario, type ClientReport } from './scenarios/client.js';
import type { RunContext } from './scenarios/env.js';
import { sandboxScenario } from './scenarios/sandbox.js';
import { storesScenario, type StoreResult } from './scenarios/stores.js';
import { webhookScenario, type WebhookReport } from './scenarios/webhook.js';
import type { LoadResult } from './lib/load.js';
import { summarize } from './profile-summary.js';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const cpuProf = args.includes('--cpu-prof');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wants = (name: string) => !only || only.includes(name);

const started = Date.now();
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const runDir = join(BENCH_DIR, 'tmp', `bench-${stamp}`);
mkdirSync(runDir, { recursive: true });
const log = (message: string) =>
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${message}\n`);
const ctx: RunContext = { quick, runDir, cpuProf, log };
const [load1] = loadavg();
if (load1 !== undefined && load1 > availableParallelism() * 0.5) {
  log(
    `warning: load average ${load1.toFixed(2)} on ${availableParallelism()} CPUs: other work is running, numbers will be noisy`,
  );
}

// A hard stop for the whole run, whatever happens.
const budgetMs = (quick ? 4 : 8) * 60_000;
setTimeout(() => {
  process.stderr.write(`bench: exceeded its ${budgetMs / 60000} minute budget; stopping\n`);
  process.exit(2);
}, budgetMs).unref();

let sandbox: SandboxProcess | undefined;
let webhook: WebhookReport | undefined;
let client: ClientReport | undefined;
let sandboxResult: LoadResult | undefined;
let stores: StoreResult[] | undefined;
const errors: string[] = [];

async function step<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    const message = `${name}: ${(error as Error).message.split('\n')[0]}`;
    errors.push(message);
    log(`FAILED ${message}`);
    return undefined;
  }
}

try {
  if (wants('webhook') || wants('client') || wants('sandbox')) {
    sandbox = await startSandboxProcess(runDir, { logLevel: 'warn' });
  }
  if (sandbox && wants('webhook')) webhook = await step('webhook', () => webhookScenario(ctx, sandbox!));
  if (sandbox && wants('client')) {
    log('client overhead');
    client = await step('client', () => clientScenario(ctx, sandbox!));
  }
  if (sandbox && wants('sandbox')) {
    log('sandbox purchases/s');
    sandboxResult = await step('sandbox', () => sandboxScenario(ctx, sandbox!));
  }
} finally {
  await sandbox?.child.stop();
}
if (wants('stores')) stores = await step('stores', () => storesScenario(ctx));

// Database files are scratch; logs and profiles stay for inspection.
for (const file of readdirSync(runDir))
  if (/\.(db|sqlite)(-wal|-shm)?$/.test(file)) rmSync(join(runDir, file), { force: true });

// ------------------------------------------------------------------------------------------------ report

const row = (key: string) => webhook?.rows.find((r) => r.key === key);
const rps = (key: string) => row(key)?.result.rps ?? NaN;
const ratios = {
  webhook_vs_limit: rps('plugin_sqlite') / rps('limit'),
  webhook_vs_seed: rps('plugin_sqlite') / rps('seed'),
  client_overhead: client?.overhead ?? NaN,
  client_cpu_vs_fetch: client?.cpuVsFetch ?? NaN,
  // First deliveries of the plugin (SQLite default) against the least a correct first-delivery handler does.
  webhook_vs_durable_limit: rps('plugin_sqlite') / rps('durable_limit'),
  // Redeliveries (verify + parse + dedupe lookup, answered before validation) against the seed's handler.
  duplicate_vs_seed: rps('plugin_sqlite_duplicate') / rps('seed'),
};
const targets = {
  webhook_vs_limit: 0.8,
  webhook_vs_seed: 2,
  client_overhead: 0.15,
  client_cpu_vs_fetch: 1.3,
  webhook_vs_durable_limit: 0.5,
  duplicate_vs_seed: 1,
};
// Reported on its own, never in place of the targets above: the duplicate path (verify + parse + dedupe
// lookup) is the plugin work that matches what the stateless baselines do.
const duplicatePath = {
  vs_limit: rps('plugin_sqlite_duplicate') / rps('limit'),
  vs_seed: rps('plugin_sqlite_duplicate') / rps('seed'),
  cpu_ms_per_request: row('plugin_sqlite_duplicate')?.cpuMsPerRequest ?? NaN,
};
const storeRatios = Object.fromEntries(
  (webhook?.rows ?? [])
    .filter((r) => r.key.startsWith('plugin_'))
    .map((r) => [
      r.key,
      {
        vs_limit: r.result.rps / rps('limit'),
        vs_seed: r.result.rps / rps('seed'),
        vs_durable_limit: r.result.rps / rps('durable_limit'),
        cpu_ms_per_request: r.cpuMsPerRequest ?? NaN,
      },
    ]),
);

const out: string[] = [];
out.push(`Tijara benchmarks — ${quick ? 'quick' : 'full'} run, ${new Date().toISOString()}`);
out.push(
  `machine: ${availableParallelism()} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt.mb(totalmem())} RAM, Node ${process.version}, load average at start ${load1?.toFixed(2)}`,
);
if (webhook) {
  out.push('');
  out.push(
    `Webhook verification (autocannon, ${webhook.connections} connections, up to ${webhook.seconds} s per server, ` +
      `${fmt.int(webhook.poolSize)} pre-signed distinct deliveries)`,
  );
  out.push(
    table(
      [
        'server',
        'req/s',
        'p50 ms',
        'p99 ms',
        'server CPU ms/req',
        'requests',
        'non-2xx',
        'vs limit',
        'vs seed',
        'vs durable',
      ],
      webhook.rows.map((r) => [
        r.name + (r.note ? ` — ${r.note}` : ''),
        fmt.int(r.result.rps),
        fmt.ms(r.result.p50),
        fmt.ms(r.result.p99),
        r.cpuMsPerRequest === undefined ? '–' : r.cpuMsPerRequest.toFixed(3),
        fmt.int(r.result.requests),
        fmt.int(r.result.non2xx + r.result.errors),
        fmt.ratio(r.result.rps / rps('limit')),
        fmt.ratio(r.result.rps / rps('seed')),
        fmt.ratio(r.result.rps / rps('durable_limit')),
      ]),
    ),
  );
}
if (client) {
  out.push('');
  out.push(
    `Client overhead: retrievePayment vs raw fetch of GET /purchases/{id}/ (${fmt.int(client.calls)} calls each, sequential)`,
  );
  out.push(
    table(
      ['client', 'mean ms', 'p50 ms', 'p99 ms', 'client CPU ms/call', 'req/s (8 in flight)'],
      [
        [
          'raw fetch',
          fmt.ms(client.fetchMeanMs),
          fmt.ms(client.fetchP50Ms),
          fmt.ms(client.fetchP99Ms),
          client.fetchCpuMsPerCall.toFixed(3),
          fmt.int(client.concurrent.fetchRps),
        ],
        [
          '@tijara/ummah retrievePayment',
          fmt.ms(client.driverMeanMs),
          fmt.ms(client.driverP50Ms),
          fmt.ms(client.driverP99Ms),
          client.driverCpuMsPerCall.toFixed(3),
          fmt.int(client.concurrent.driverRps),
        ],
      ],
    ),
  );
  out.push(
    `overhead: ${fmt.pct(client.overhead)} sequential, ${fmt.pct(client.concurrent.overhead)} with 8 in flight`,
  );
  out.push('');
  out.push('Client CPU by layer (rotating rounds; each layer includes those above it except fetch)');
  out.push(
    table(
      ['layer', 'adds', 'client CPU ms/call', '÷ fetch'],
      client.layers.map((layer) => [
        layer.name,
        layer.what,
        layer.cpuMsPerCall.toFixed(3),
        fmt.ratio(layer.vsFetch),
      ]),
    ),
  );
}
if (sandboxResult) {
  out.push('');
  out.push('Sandbox: POST /purchases/ (8 connections)');
  out.push(
    table(
      ['endpoint', 'purchases/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx'],
      [
        [
          'POST /api/v1/purchases/',
          fmt.int(sandboxResult.rps),
          fmt.ms(sandboxResult.p50),
          fmt.ms(sandboxResult.p99),
          fmt.int(sandboxResult.requests),
          fmt.int(sandboxResult.non2xx + sandboxResult.errors),
        ],
      ],
    ),
  );
}
if (stores) {
  out.push('');
  out.push(
    'Stores: rememberOnce of distinct keys (createStores(url)), then the same keys again (duplicates)',
  );
  out.push(
    table(
      ['store', 'in flight', 'keys', 'new keys/s', 'duplicates/s', 'bytes per 100k keys', 'measured as'],
      stores.map((s) => [
        s.backend + (s.error ? ` — ${s.error}` : ''),
        String(s.concurrency),
        fmt.int(s.count),
        fmt.int(s.opsPerSec),
        fmt.int(s.duplicateOpsPerSec),
        fmt.mb(s.bytesPer100k),
        s.measuredBy,
      ]),
    ),
  );
}
out.push('');
out.push(
  `ratios: webhook_vs_limit ${fmt.ratio(ratios.webhook_vs_limit)} (target ≥ 0.8×), webhook_vs_seed ${fmt.ratio(ratios.webhook_vs_seed)} ` +
    `(target ≥ 2×), client_overhead ${fmt.pct(ratios.client_overhead)} (target ≤ 15 %), ` +
    `client_cpu_vs_fetch ${fmt.ratio(ratios.client_cpu_vs_fetch)} (target ≤ 1.3×)`,
);
out.push(
  `ratios: webhook_vs_durable_limit ${fmt.ratio(ratios.webhook_vs_durable_limit)} (target ≥ 0.5×), ` +
    `duplicate_vs_seed ${fmt.ratio(ratios.duplicate_vs_seed)} (target ≥ 1×)`,
);
if (webhook) {
  out.push(
    `duplicate deliveries (verify + dedupe, reported separately): ${fmt.ratio(duplicatePath.vs_limit)} of the limit, ` +
      `${fmt.ratio(duplicatePath.vs_seed)} of the seed handler`,
  );
}
if (errors.length) out.push(`errors: ${errors.join('; ')}`);
out.push(`total time: ${((Date.now() - started) / 1000).toFixed(0)} s; logs: ${runDir}`);

if (cpuProf) {
  const profiles = join(runDir, 'profiles');
  try {
    for (const dir of readdirSync(profiles)) {
      for (const file of readdirSync(join(profiles, dir))) {
        if (!file.endsWith('.cpuprofile')) continue;
        const summary = summarize(JSON.parse(readFileSync(join(profiles, dir, file), 'utf8')), 30);
        writeFileSync(join(profiles, `${dir}.summary.txt`), summary);
      }
    }
    out.push(`profiles: ${profiles} (*.cpuprofile, *.summary.txt)`);
  } catch {
    /* no profiles */
  }
}

const result = {
  mode: quick ? 'quick' : 'full',
  at: new Date().toISOString(),
  node: process.version,
  cpus: availableParallelism(),
  loadAverageAtStart: load1,
  ratios,
  targets,
  met: {
    webhook_vs_limit: ratios.webhook_vs_limit >= targets.webhook_vs_limit,
    webhook_vs_seed: ratios.webhook_vs_seed >= targets.webhook_vs_seed,
    client_overhead: ratios.client_overhead <= targets.client_overhead,
    client_cpu_vs_fetch: ratios.client_cpu_vs_fetch <= targets.client_cpu_vs_fetch,
    webhook_vs_durable_limit: ratios.webhook_vs_durable_limit >= targets.webhook_vs_durable_limit,
    duplicate_vs_seed: ratios.duplicate_vs_seed >= targets.duplicate_vs_seed,
  },
  duplicate_path: duplicatePath,
  store_ratios: storeRatios,
  webhook: webhook?.rows.map((r) => ({
    key: r.key,
    name: r.name,
    ...r.result,
    cpuMsPerRequest: r.cpuMsPerRequest,
    distinct: r.distinct,
    note: r.note,
  })),
  client,
  sandbox: sandboxResult,
  stores,
  errors,
  seconds: (Date.now() - started) / 1000,
};
writeFileSync(join(runDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${out.join('\n')}\n`);
if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(errors.length ? 1 : 0);
