import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { postpayTestWebhookHeaders } from '@tijara/postpay';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import { FIXTURES_DIR, HOOK_SECRET, readFixture } from './fixtures.js';

interface Route {
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly body?: Record<string, unknown>;
  };
  readonly response: { readonly status: number; readonly body: unknown };
}

export interface RecordedTarget {
  readonly server: LoopbackServer;
  readonly baseUrl: string;
  /** An `order` hook delivery (conf-approved's order-01 twin) signed now with HOOK_SECRET. */
  signedDelivery(): { rawBody: Buffer; headers: Record<string, string> };
  close(): Promise<void>;
}

/** The path parameters when `request` is on `pattern` (`/orders/{order_id}`), else undefined. */
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
  return Object.fromEntries(
    names.map((name, index) => [name, decodeURIComponent(match[index + 1] as string)]),
  );
}

/** Whether the request body has every field `recorded` names, with the same value. */
function includes(actual: unknown, recorded: Record<string, unknown>): boolean {
  if (typeof actual !== 'object' || actual === null) return false;
  return Object.entries(recorded).every(([key, value]) =>
    isDeepStrictEqual((actual as Record<string, unknown>)[key], value),
  );
}

/** `{name}` in the recorded answer → the path parameter or body field of that name; `{base}` → the target's URL. */
function fill(
  body: unknown,
  request: RecordedRequest,
  params: Record<string, string>,
  base: string,
): unknown {
  const fields: Record<string, unknown> = {
    ...(request.json as Record<string, unknown> | undefined),
    ...params,
    base,
  };
  return JSON.parse(
    JSON.stringify(body).replace(/\{(\w+)\}/g, (whole, name: string) =>
      typeof fields[name] === 'string' ? (fields[name] as string) : whole,
    ),
  ) as unknown;
}

/**
 * A loopback Postpay answering from recorded responses keyed by route (fixtures/recorded-routes.json); the first
 * route whose method, path and (when recorded) body fields match wins. Anything unrecorded gets seed 003's 404.
 */
export async function startRecordedTarget(): Promise<RecordedTarget> {
  const { routes } = readFixture<{ routes: Route[] }>('recorded-routes.json');
  const server = await startLoopbackServer((request, response) => {
    for (const route of routes) {
      if (route.request.method !== request.method) continue;
      const params = matchPath(route.request.path, request.path);
      if (!params || (route.request.body && !includes(request.json, route.request.body))) continue;
      return sendJson(
        response,
        route.response.status,
        fill(route.response.body, request, params, server.url),
        {
          'content-type': 'application/vnd.api+json',
        },
      );
    }
    sendJson(response, 404, { error: { code: 'not_found', message: 'Not found.' } });
  });
  const delivery = readFileSync(path.join(FIXTURES_DIR, 'webhooks', 'order-approved.json'));
  return {
    server,
    baseUrl: server.url,
    signedDelivery: () => ({ rawBody: delivery, headers: postpayTestWebhookHeaders(delivery, HOOK_SECRET) }),
    close: () => server.close(),
  };
}
