/**
 * Client overhead: `@tijara/ummah` `retrievePayment` (transport, retries armed, response validation,
 * normalization) against a raw `fetch` of the same URL with the same key, both against the sandbox in its own
 * process. Calls run one at a time, in alternating blocks, so both sides see the same sandbox state and
 * machine noise; overhead = mean latency of the driver ÷ mean latency of fetch − 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import got from 'got';
import { createUmmahDriver, UmmahClient } from '@tijara/ummah';
import type { SandboxProcess } from '../lib/gateway.js';
import { CURRENCY } from '../lib/orders.js';
import type { RunContext } from './env.js';

export interface ClientReport {
  readonly calls: number;
  readonly driverMeanMs: number;
  readonly fetchMeanMs: number;
  readonly driverP50Ms: number;
  readonly fetchP50Ms: number;
  readonly driverP99Ms: number;
  readonly fetchP99Ms: number;
  readonly overhead: number;
  /** Client-process CPU per call: what the driver itself costs, independent of the sandbox's latency. */
  readonly driverCpuMsPerCall: number;
  readonly fetchCpuMsPerCall: number;
  /**
   * `client_cpu_vs_fetch`: the driver's CPU per call ÷ raw fetch's, the median over neighbouring blocks of the same
   * number of calls; target ≤ 1.3 (what the gateway's official superagent-based SDK costs here), with every
   * response still validated.
   */
  readonly cpuVsFetch: number;
  /** The same with 8 calls in flight: requests/s each way. */
  readonly concurrent: { readonly driverRps: number; readonly fetchRps: number; readonly overhead: number };
  /**
   * Where the driver's CPU goes, layer by layer, measured after the main run in blocks whose order rotates:
   * client-process CPU per call of each layer and its ratio to raw fetch in the same rounds.
   */
  readonly layers: readonly ClientLayer[];
}

export interface ClientLayer {
  readonly name: string;
  readonly what: string;
  readonly cpuMsPerCall: number;
  /** Median over rounds of this layer's CPU ÷ fetch's in the same round. */
  readonly vsFetch: number;
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Calls each way before measuring: got's request path is large, and 300 calls left parts of it unoptimised. */
const WARMUP = 1_000;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

export async function clientScenario(ctx: RunContext, sandbox: SandboxProcess): Promise<ClientReport> {
  const driver = createUmmahDriver({
    secretKey: sandbox.secretKey,
    baseUrl: sandbox.apiBase,
    brandId: sandbox.brandId,
  });
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) {
    const p = await driver.createPayment({
      amount: 1000 + i,
      currency: CURRENCY,
      reference: `client-bench-${i}`,
      customer: { email: 'client@example.com' },
      capture: 'automatic',
      returnUrls: { success: 'http://127.0.0.1/s', failure: 'http://127.0.0.1/f' },
    });
    ids.push(p.id);
  }
  const auth = { authorization: `Bearer ${sandbox.secretKey}`, accept: 'application/json' };
  const viaFetch = async (id: string) => {
    const response = await fetch(`${sandbox.apiBase}purchases/${id}/`, { headers: auth });
    if (!response.ok) throw new Error(`fetch ${response.status}`);
    return response.json();
  };
  const viaDriver = (id: string) => driver.retrievePayment(id);

  // Many short blocks rather than a few long ones: each pair of neighbouring blocks gives one CPU ratio, and the
  // median of those shrugs off a block that another process on the machine slowed down.
  const blocks = ctx.quick ? 10 : 20;
  const perBlock = ctx.quick ? 100 : 200;
  // Warm both paths (JIT, keep-alive sockets).
  for (let i = 0; i < WARMUP; i++) {
    await viaFetch(ids[i % ids.length] as string);
    await viaDriver(ids[i % ids.length] as string);
  }
  const driverTimes: number[] = [];
  const fetchTimes: number[] = [];
  // CPU this process spends per call, each way: unlike latency, it does not move with machine noise.
  const cpu = { driver: 0, fetch: 0 };
  const blockCpu = { driver: [] as number[], fetch: [] as number[] };
  for (let b = 0; b < blocks; b++) {
    for (const [fn, times] of b % 2 === 0
      ? ([
          [viaFetch, fetchTimes],
          [viaDriver, driverTimes],
        ] as const)
      : ([
          [viaDriver, driverTimes],
          [viaFetch, fetchTimes],
        ] as const)) {
      const cpuBefore = process.cpuUsage();
      for (let i = 0; i < perBlock; i++) {
        const started = performance.now();
        await fn(ids[i % ids.length] as string);
        times.push(performance.now() - started);
      }
      const used = process.cpuUsage(cpuBefore);
      const side = times === driverTimes ? 'driver' : 'fetch';
      cpu[side] += (used.user + used.system) / 1000;
      blockCpu[side].push((used.user + used.system) / 1000);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const d = [...driverTimes].sort((a, b) => a - b);
  const f = [...fetchTimes].sort((a, b) => a - b);

  const concurrentRps = async (fn: (id: string) => Promise<unknown>, count: number) => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const i = next++;
          await fn(ids[i % ids.length] as string);
        }
      }),
    );
    return count / ((performance.now() - started) / 1000);
  };
  const n = ctx.quick ? 1000 : 3000;
  const fetchRps = ((await concurrentRps(viaFetch, n)) + (await concurrentRps(viaFetch, n))) / 2;
  const driverRps = ((await concurrentRps(viaDriver, n)) + (await concurrentRps(viaDriver, n))) / 2;

  const layers = await measureLayers(ctx, sandbox, ids, viaFetch, viaDriver);

  if (ctx.cpuProf) {
    // After the measured runs, so the profiler's own cost never reaches the numbers above.
    for (const [name, fn] of [
      ['client-driver', viaDriver],
      ['client-fetch', viaFetch],
    ] as const) {
      await profiled(join(ctx.runDir, 'profiles', name, 'calls.cpuprofile'), async () => {
        for (let i = 0; i < n; i++) await fn(ids[i % ids.length] as string);
      });
    }
  }

  return {
    calls: driverTimes.length,
    driverMeanMs: mean(driverTimes),
    fetchMeanMs: mean(fetchTimes),
    driverP50Ms: percentile(d, 0.5),
    fetchP50Ms: percentile(f, 0.5),
    driverP99Ms: percentile(d, 0.99),
    fetchP99Ms: percentile(f, 0.99),
    overhead: mean(driverTimes) / mean(fetchTimes) - 1,
    driverCpuMsPerCall: cpu.driver / driverTimes.length,
    fetchCpuMsPerCall: cpu.fetch / fetchTimes.length,
    cpuVsFetch: median(blockCpu.driver.map((driverMs, b) => driverMs / (blockCpu.fetch[b] as number))),
    concurrent: { driverRps, fetchRps, overhead: fetchRps / driverRps - 1 },
    layers,
  };
}

/**
 * The driver's read taken apart: got alone (configured as core's transport configures it, its stream read as
 * text and parsed), core's transport without a response schema (retry policy, error mapping, logging), the
 * transport with Ummah's purchase schema (Ummah's client), and the whole driver (plus the mapping to a Payment).
 * Each round runs every layer once, in an order that rotates so none always follows the same neighbour.
 */
async function measureLayers(
  ctx: RunContext,
  sandbox: SandboxProcess,
  ids: readonly string[],
  viaFetch: (id: string) => Promise<unknown>,
  viaDriver: (id: string) => Promise<unknown>,
): Promise<ClientLayer[]> {
  const client = new UmmahClient({ secretKey: sandbox.secretKey, baseUrl: sandbox.apiBase });
  const bare = got.extend({
    headers: { authorization: `Bearer ${sandbox.secretKey}`, accept: 'application/json', cookie: undefined },
    decompress: false,
    timeout: { request: 30_000, connect: 10_000 },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
  });
  const viaGot = (id: string) =>
    new Promise<unknown>((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      const stream = bare.stream(`${sandbox.apiBase}purchases/${id}/`);
      stream.on('data', (chunk: Uint8Array) => chunks.push(chunk));
      stream.once('error', reject);
      stream.once('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
  const layers: Array<[string, string, (id: string) => Promise<unknown>]> = [
    ['raw fetch', 'the baseline', viaFetch],
    ['got alone', 'got stream as core configures it, text parsed', viaGot],
    [
      'core Transport',
      '+ retry policy, error mapping, logging (no schema)',
      (id) => client.transport.request({ method: 'GET', path: `purchases/${id}/` }),
    ],
    ['Ummah client', "+ the purchase's zod schema", (id) => client.purchases.retrieve(id)],
    ['Ummah driver', '+ mapping to a Payment', viaDriver],
  ];
  for (let i = 0; i < 300; i++) for (const [, , fn] of layers) await fn(ids[i % ids.length] as string);
  const rounds = ctx.quick ? 10 : 20;
  const perBlock = ctx.quick ? 100 : 200;
  const cpu = layers.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < layers.length; k++) {
      const index = (k + r) % layers.length;
      const fn = (layers[index] as (typeof layers)[number])[2];
      const before = process.cpuUsage();
      for (let i = 0; i < perBlock; i++) await fn(ids[i % ids.length] as string);
      const used = process.cpuUsage(before);
      (cpu[index] as number[]).push((used.user + used.system) / 1000 / perBlock);
    }
  }
  const fetchCpu = cpu[0] as number[];
  return layers.map(([name, what], index) => {
    const mine = cpu[index] as number[];
    return {
      name,
      what,
      cpuMsPerCall: median(mine),
      vsFetch: median(mine.map((ms, r) => ms / (fetchCpu[r] as number))),
    };
  });
}

/** A V8 CPU profile of this process while `fn` runs (the client side only: the sandbox is another process). */
async function profiled(file: string, fn: () => Promise<void>): Promise<void> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await fn();
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
  } finally {
    session.disconnect();
  }
}
