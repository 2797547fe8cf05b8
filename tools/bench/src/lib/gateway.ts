/** The sandbox as the harness uses it: start it, pay and inspect purchases through its control API. */
import { randomBytes } from 'node:crypto';
import { startTs, type RunningChild } from './proc.js';

export interface SandboxProcess {
  readonly child: RunningChild;
  readonly url: string;
  readonly apiBase: string;
  readonly brandId: string;
  readonly secretKey: string;
}

export function newSecretKey(): string {
  return `sk_test_${randomBytes(18).toString('hex')}`;
}

export async function startSandboxProcess(
  logDir: string,
  options: { webhookTimeScale?: number; dbFile?: string; name?: string; logLevel?: string } = {},
): Promise<SandboxProcess> {
  const secretKey = newSecretKey();
  const child = await startTs('src/servers/sandbox.ts', {
    name: options.name ?? 'sandbox',
    logDir,
    env: {
      TIJARA_BENCH_SANDBOX_KEY: secretKey,
      TIJARA_BENCH_WEBHOOK_TIME_SCALE: String(options.webhookTimeScale ?? 0.001),
      TIJARA_BENCH_SANDBOX_DB: options.dbFile,
      TIJARA_BENCH_SANDBOX_LOG: options.logLevel ?? 'warn',
    },
  });
  return {
    child,
    url: String(child.ready.url),
    apiBase: String(child.ready.apiBase),
    brandId: String(child.ready.brandId),
    secretKey,
  };
}

async function control(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${base}/__sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`sandbox ${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

export const sandboxControl = {
  pay: (base: string, purchaseId: string, card = '4242424242424242') =>
    control(base, 'POST', `/purchases/${encodeURIComponent(purchaseId)}/pay`, { card_number: card }),
  faults: (base: string, body: unknown) => control(base, 'POST', '/faults', body),
  clearFaults: (base: string) => control(base, 'DELETE', '/faults'),
  purchases: async (base: string) =>
    ((await control(base, 'GET', '/purchases')) as { results: Array<Record<string, unknown>> }).results,
  events: async (base: string) =>
    ((await control(base, 'GET', '/events')) as { results: Array<Record<string, unknown>> }).results,
};
