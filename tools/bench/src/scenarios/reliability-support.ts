/** What the reliability scenarios share: checks, store processes, orders on the sandbox, signed deliveries. */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelope } from '../lib/deliveries.js';
import { sandboxControl, type SandboxProcess } from '../lib/gateway.js';
import { pool, send } from '../lib/http.js';
import { orderId } from '../lib/orders.js';
import { startTs, type RunningChild } from '../lib/proc.js';
import { signBody, type KeyPair } from '../lib/signing.js';
import type { StoreAppConfig } from '../servers/store-app.js';

export interface Check {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string;
}

export interface ReliabilityContext {
  readonly short: boolean;
  readonly runDir: string;
  readonly run: string;
  readonly sandbox: SandboxProcess;
  /** The key the store apps accept webhook deliveries from (the "gateway webhook key"). */
  readonly webhookKeys: KeyPair;
  readonly log: (message: string) => void;
  /** Every error the harness caught goes here too, so the secret scan sees it. */
  readonly recordError: (where: string, error: unknown) => void;
  readonly figures: Record<string, unknown>;
}

export function check(name: string, passed: boolean, detail: string): Check {
  return { name, passed, detail };
}

export function errorRecorder(runDir: string): (where: string, error: unknown) => void {
  const file = join(runDir, 'harness-errors.log');
  return (where, error) => {
    const e = error as { name?: string; message?: string; stack?: string };
    appendFileSync(
      file,
      `${JSON.stringify({ where, name: e?.name, message: e?.message ?? String(error), stack: e?.stack })}\n`,
    );
  };
}

/** A store process (Express + @tijara/express) on the shared sandbox. */
export function startStore(
  ctx: ReliabilityContext,
  name: string,
  config: Partial<StoreAppConfig> & Pick<StoreAppConfig, 'database'>,
): Promise<RunningChild> {
  return startTs('src/servers/store-app.ts', {
    name,
    logDir: ctx.runDir,
    readyTimeoutMs: 60_000,
    env: {
      BENCH_GATEWAY_SECRET: ctx.sandbox.secretKey,
      BENCH_APP: JSON.stringify({
        apiBase: ctx.sandbox.apiBase,
        brandId: ctx.sandbox.brandId,
        webhookPublicKeys: [ctx.webhookKeys.publicKeyPem],
        printEvents: true,
        logLevel: 'info',
        ...config,
      } satisfies StoreAppConfig),
    },
  });
}

export const storeUrl = (child: RunningChild, path: string) => `http://127.0.0.1:${child.ready.port}${path}`;

export interface PaidOrder {
  readonly n: number;
  readonly orderId: string;
  readonly paymentId: string;
  /** The purchase as the gateway reports it after payment (what a webhook carries). */
  readonly purchase: Record<string, unknown>;
}

/** Check out orders `from…to-1` through the store, then pay each on the sandbox as a buyer would. */
export async function checkoutAndPay(
  ctx: ReliabilityContext,
  store: RunningChild,
  from: number,
  to: number,
  options: { pay?: boolean } = {},
): Promise<PaidOrder[]> {
  const out: PaidOrder[] = [];
  await pool(to - from, 8, async (i) => {
    const n = from + i;
    const response = await send(storeUrl(store, `/__bench/checkout/${orderId(n)}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      timeoutMs: 30_000,
    });
    if (response.status !== 200)
      throw new Error(`checkout ${orderId(n)} → ${response.status} ${response.body.slice(0, 200)}`);
    const { paymentId } = JSON.parse(response.body) as { paymentId: string };
    const purchase =
      options.pay === false
        ? {}
        : ((await sandboxControl.pay(ctx.sandbox.url, paymentId)) as Record<string, unknown>);
    out.push({ n, orderId: orderId(n), paymentId, purchase });
  });
  return out.sort((a, b) => a.n - b.n);
}

export interface SignedEvent {
  readonly order: PaidOrder;
  readonly body: string;
  readonly signature: string;
}

/** One `purchase.paid` delivery per order, signed with the webhook key, a fresh event id each. */
export function paidEvents(ctx: ReliabilityContext, orders: readonly PaidOrder[]): SignedEvent[] {
  const now = Math.floor(Date.now() / 1000);
  return orders.map((order) => {
    const body = envelope('purchase.paid', order.purchase, now);
    return { order, body, signature: signBody(body, ctx.webhookKeys.privateKeyPem) };
  });
}

/**
 * Deliver like the gateway: only a 2xx counts; anything else (5xx, 409, a reset) is retried after a short pause,
 * up to `maxAttempts`. Returns the attempts it took, or -1 when it never got a 2xx.
 */
export async function deliver(
  url: string,
  event: SignedEvent,
  maxAttempts = 8,
): Promise<{ attempts: number; statuses: number[] }> {
  const statuses: number[] = [];
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const response = await send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': event.signature },
      body: event.body,
      timeoutMs: 20_000,
    });
    statuses.push(response.status);
    if (response.status >= 200 && response.status < 300) return { attempts: attempt, statuses };
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
  return { attempts: -1, statuses };
}

export interface OrderState {
  readonly paymentId: string;
  readonly status: string;
  readonly amount: number;
  readonly capturedAmount: number;
  readonly refundedAmount: number;
  readonly version: number;
}

export async function readOrders(
  store: RunningChild,
  from: number,
  to: number,
): Promise<Record<string, OrderState[]>> {
  const response = await send(storeUrl(store, `/__bench/orders?from=${from}&to=${to}`), {
    timeoutMs: 30_000,
  });
  if (response.status !== 200) throw new Error(`orders → ${response.status}`);
  return JSON.parse(response.body) as Record<string, OrderState[]>;
}

/** Fulfilments the store processes printed (`EVENT` lines of type payment.paid). */
export function fulfilments(children: readonly RunningChild[]): Array<{ id: string; orderId: string }> {
  return children.flatMap((child) =>
    (child.lines('EVENT') as Array<{ id: string; type: string; orderId: string }>).filter(
      (e) => e.type === 'payment.paid',
    ),
  );
}
