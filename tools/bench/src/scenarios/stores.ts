/** `rememberOnce` operations/s and bytes per 100k keys, for each store, each in its own process. */
import { join } from 'node:path';
import { runTs } from '../lib/proc.js';
import { POSTGRES_URL, REDIS_URL, portOpen, type RunContext } from './env.js';

export interface StoreResult {
  readonly backend: string;
  readonly count: number;
  readonly concurrency: number;
  readonly opsPerSec: number;
  readonly duplicateOpsPerSec: number;
  readonly bytesPer100k: number;
  readonly measuredBy: string;
  readonly error?: string;
}

export async function storesScenario(ctx: RunContext): Promise<StoreResult[]> {
  const count = ctx.quick ? 20_000 : 100_000;
  const maxSeconds = ctx.quick ? 4 : 12;
  const backends: Array<[string, string, number]> = [
    ['memory', 'memory:', 1],
    ['sqlite', `sqlite:${join(ctx.runDir, 'stores-bench.db')}`, 1],
    ['sqlite-full', `sqlite:${join(ctx.runDir, 'stores-bench-full.db')}`, 1],
    ['redis', REDIS_URL, 32],
    ['postgres', POSTGRES_URL, 32],
  ];
  const results: StoreResult[] = [];
  for (const [backend, url, concurrency] of backends) {
    if ((backend === 'redis' || backend === 'postgres') && !(await portOpen(url))) {
      results.push({
        backend,
        count: 0,
        concurrency,
        opsPerSec: NaN,
        duplicateOpsPerSec: NaN,
        bytesPer100k: NaN,
        measuredBy: '',
        error: `${backend} is not answering`,
      });
      continue;
    }
    ctx.log(`stores: ${backend}`);
    const run = await runTs('src/children/store-ops.ts', {
      name: `store-${backend}`,
      logDir: ctx.runDir,
      args: [backend, url, String(count), String(concurrency), String(maxSeconds)],
      nodeFlags: ['--expose-gc'],
      timeoutMs: (maxSeconds + 60) * 1000,
    });
    const result = run.results[0] as StoreResult | undefined;
    results.push(
      result ?? {
        backend,
        count: 0,
        concurrency,
        opsPerSec: NaN,
        duplicateOpsPerSec: NaN,
        bytesPer100k: NaN,
        measuredBy: '',
        error: `exited ${run.code} without a result (log: ${run.logFile})`,
      },
    );
  }
  return results;
}
