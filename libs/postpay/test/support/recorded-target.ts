import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { postpayTestWebhookHeaders } from '@tijara/postpay';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import { FIXTURES_DIR, HOOK_SECRET, readFixture } from './fixtures.js';

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

interface Recorded {
  readonly answers: {
    readonly checkout: unknown;
    readonly order: unknown;
    readonly refund: unknown;
    readonly errors: Readonly<Record<string, Answer>>;
  };
  readonly routes: ReadonlyArray<{
    readonly request: {
      readonly method: string;
      readonly path: string;
      readonly body?: Record<string, unknown>;
    };
    readonly response: Answer;
  }>;
}

export interface RecordedTarget {
  readonly server: LoopbackServer;
  readonly baseUrl: string;
  /** A fresh order id recorded in `kind` (`approved`, `captured`, `denied`, `expired`). */
  order(kind: string): string;
  /** An `order` hook delivery signed with HOOK_SECRET at `timestamp` (Unix seconds, default now). */
  signedDelivery(timestamp?: number): { rawBody: Buffer; headers: Record<string, string> };
  close(): Promise<void>;
}

/** Placeholders filled from `values`: a whole-string `{name}` takes the value as it is (a number stays a number). */
function fill(template: unknown, values: Readonly<Record<string, unknown>>): unknown {
  if (typeof template === 'string') {
    const whole = /^\{(\w+)\}$/.exec(template);
    if (whole && whole[1]! in values) return values[whole[1]!];
    return template.replace(/\{(\w+)\}/g, (all, name: string) =>
      name in values ? String(values[name]) : all,
    );
  }
  if (Array.isArray(template)) return template.map((item) => fill(item, values));
  if (typeof template === 'object' && template !== null) {
    return Object.fromEntries(Object.entries(template).map(([key, value]) => [key, fill(value, values)]));
  }
  return template;
}

function matchPath(pattern: string, actual: string): Record<string, string> | undefined {
  const names: string[] = [];
  const regex = new RegExp(
    `^${pattern.replace(/\{(\w+)\}/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  const match = regex.exec(actual);
  if (!match) return undefined;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
}

const TOTALS: Readonly<Record<string, number>> = { captured: 5998 };
const TAX = 143;

/**
 * A loopback Postpay answering from recorded answers (fixtures/recorded-routes.json). An order's answer follows
 * what it was recorded as (`conf-approved-…` is approved), and the target remembers the two facts the driver's
 * keyless retries are checked against — which orders it captured and which refund ids it took — so a capture or
 * refund whose answer was lost reads back as done. Anything unrecorded gets seed 003's 404.
 */
export async function startRecordedTarget(): Promise<RecordedTarget> {
  const recorded = readFixture<Recorded>('recorded-routes.json');
  const { answers } = recorded;
  const captured = new Set<string>();
  const refunds = new Map<string, Array<Record<string, unknown>>>();
  let made = 0;

  const kindOf = (orderId: string) => /^conf-([a-z]+)(-|$)/.exec(orderId)?.[1] ?? 'pending';
  const statusOf = (orderId: string) => (captured.has(orderId) ? 'captured' : kindOf(orderId));
  const orderAnswer = (orderId: string): Answer => {
    const total = TOTALS[kindOf(orderId)] ?? 2999;
    const values = { order_id: orderId, status: statusOf(orderId), total, unit_price: total - TAX };
    return { status: 200, body: fill(answers.order, values) };
  };

  function answer(request: RecordedRequest, base: string): Answer {
    for (const route of recorded.routes) {
      const params =
        route.request.method === request.method ? matchPath(route.request.path, request.path) : undefined;
      if (!params) continue;
      if (
        route.request.body &&
        !isDeepStrictEqual({ ...(request.json as object), ...route.request.body }, request.json)
      ) {
        continue;
      }
      return { status: route.response.status, body: fill(route.response.body, { ...params, base }) };
    }
    if (request.method === 'POST' && request.path === '/checkouts')
      return { status: 200, body: answers.checkout };
    const [, collection, orderId, action, refundId] = request.path.split('/').map(decodeURIComponent);
    if (collection !== 'orders' || !orderId) return answers.errors.not_found!;
    const status = statusOf(orderId);
    const taken = refunds.get(orderId) ?? [];
    if (request.method === 'GET' && action === undefined) return orderAnswer(orderId);
    if (request.method === 'POST' && action === 'capture') {
      if (status === 'expired') return answers.errors.expired!;
      if (status !== 'approved') return answers.errors.invalid_status_approved!;
      captured.add(orderId);
      return orderAnswer(orderId);
    }
    if (action === 'refunds' && request.method === 'GET' && refundId === undefined) {
      return { status: 200, body: { count: taken.length, next: null, previous: null, results: taken } };
    }
    if (action === 'refunds' && request.method === 'GET') {
      return taken.find((r) => r.refund_id === refundId)
        ? { status: 200, body: taken.find((r) => r.refund_id === refundId) }
        : answers.errors.not_found!;
    }
    if (action === 'refunds' && request.method === 'POST') {
      const body = (request.json ?? {}) as { refund_id?: string; amount?: number; description?: string };
      if (status !== 'captured') return answers.errors.invalid_status_captured!;
      if (taken.some((r) => r.refund_id === body.refund_id)) return answers.errors.conflict!;
      const left =
        (TOTALS[kindOf(orderId)] ?? 2999) - taken.reduce((sum, r) => sum + (r.amount as number), 0);
      const amount = body.amount ?? left;
      if (amount <= 0 || amount > left) return answers.errors.limit_exceeded!;
      const refund = fill(answers.refund, {
        refund_id: body.refund_id,
        amount,
        full: body.amount === undefined,
        description: body.description ?? '',
      }) as Record<string, unknown>;
      refunds.set(orderId, [...taken, refund]);
      return { status: 200, body: refund };
    }
    return answers.errors.not_found!;
  }

  const server: LoopbackServer = await startLoopbackServer((request, response: ServerResponse) => {
    const { status, body } = answer(request, server.url);
    sendJson(response, status, body, { 'content-type': 'application/vnd.api+json' });
  });
  const delivery = readFileSync(path.join(FIXTURES_DIR, 'webhooks', 'order-approved.json'));
  return {
    server,
    baseUrl: server.url,
    order: (kind) => `conf-${kind}-${++made}`,
    signedDelivery: (timestamp) => ({
      rawBody: delivery,
      headers: postpayTestWebhookHeaders(delivery, HOOK_SECRET, timestamp),
    }),
    close: () => server.close(),
  };
}
