/**
 * The gateway sandbox in its own process, so the process under test never shares a CPU queue with it.
 * The key comes from TIJARA_BENCH_SANDBOX_KEY (chosen by the harness), so it is never printed.
 */
import { startSandbox } from '@tijara/sandbox';
import pino from 'pino';
import { signalReady } from '../lib/proc.js';

const logger = pino({
  level: process.env.TIJARA_BENCH_SANDBOX_LOG ?? 'warn',
  base: { app: 'sandbox', pid: process.pid },
});
const sandbox = await startSandbox({
  port: 0,
  secretKey: process.env.TIJARA_BENCH_SANDBOX_KEY,
  webhookTimeScale: Number(process.env.TIJARA_BENCH_WEBHOOK_TIME_SCALE ?? '0.001'),
  ...(process.env.TIJARA_BENCH_SANDBOX_DB ? { dbFile: process.env.TIJARA_BENCH_SANDBOX_DB } : {}),
  logger,
});
signalReady({ url: sandbox.url, apiBase: sandbox.apiBase, brandId: sandbox.brandId, port: sandbox.port });
process.on('SIGTERM', () => {
  void sandbox.close().finally(() => process.exit(0));
});
