import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { generateUmmahTestKeys, signUmmahPayload, type UmmahTestKeys } from '@tijara/ummah';
import { FIXTURES_DIR, readFixture } from './fixtures.js';

interface Route {
  readonly request: { readonly method: string; readonly path: string; readonly body?: unknown };
  readonly response: { readonly status: number; readonly body: unknown };
}

export interface RecordedTarget {
  readonly server: LoopbackServer;
  readonly baseUrl: string;
  readonly keys: UmmahTestKeys;
  /** A CHIP purchase.paid delivery and its X-Signature, made with `keys`. */
  signedDelivery(): { rawBody: Buffer; headers: Record<string, string> };
  close(): Promise<void>;
}

/**
 * A loopback gateway answering from recorded responses keyed by route (fixtures/recorded-routes.json); the first
 * route whose method, path and (when recorded) body match wins. Anything unrecorded gets the seed's 404 body.
 */
export async function startRecordedTarget(keys: UmmahTestKeys = generateUmmahTestKeys()): Promise<RecordedTarget> {
  const { routes } = readFixture<{ routes: Route[] }>('recorded-routes.json');
  const server = await startLoopbackServer((request, response) => {
    const route = routes.find(
      (r) =>
        r.request.method === request.method &&
        r.request.path === request.path &&
        (r.request.body === undefined || isDeepStrictEqual(r.request.body, request.json)),
    );
    if (!route) return sendJson(response, 404, { error: 'Not Found', detail: 'Object with this ID does not exist.' });
    sendJson(response, route.response.status, route.response.body);
  });
  const delivery = readFileSync(path.join(FIXTURES_DIR, 'webhooks', 'chip-purchase-paid.json'));
  return {
    server,
    baseUrl: `${server.url}/api/v1/`,
    keys,
    signedDelivery: () => ({
      rawBody: delivery,
      headers: { 'content-type': 'application/json', 'x-signature': signUmmahPayload(delivery, keys.privateKey) },
    }),
    close: () => server.close(),
  };
}
