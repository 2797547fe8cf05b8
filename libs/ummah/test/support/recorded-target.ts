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

/** Whether `actual` has every field `recorded` names, with the same value. */
function includes(actual: unknown, recorded: unknown): boolean {
  if (typeof recorded !== 'object' || recorded === null || typeof actual !== 'object' || actual === null) {
    return isDeepStrictEqual(actual, recorded);
  }
  return Object.entries(recorded).every(([key, value]) =>
    isDeepStrictEqual((actual as Record<string, unknown>)[key], value),
  );
}

/**
 * A loopback gateway answering from recorded responses keyed by route (fixtures/recorded-routes.json); the first
 * route whose method, path and (when recorded) body fields match wins. Anything unrecorded gets the seed's 404 body.
 */
export async function startRecordedTarget(
  keys: UmmahTestKeys = generateUmmahTestKeys(),
): Promise<RecordedTarget> {
  const { routes } = readFixture<{ routes: Route[] }>('recorded-routes.json');
  const server = await startLoopbackServer((request, response) => {
    // The company callback key is this target's own, as a JSON string of PEM the way CHIP serves it.
    if (request.method === 'GET' && request.path === '/api/v1/public_key/')
      return sendJson(response, 200, keys.publicKey);
    const route = routes.find(
      (r) =>
        r.request.method === request.method &&
        r.request.path === request.path &&
        (r.request.body === undefined || includes(request.json, r.request.body)),
    );
    if (!route)
      return sendJson(response, 404, { error: 'Not Found', detail: 'Object with this ID does not exist.' });
    sendJson(response, route.response.status, route.response.body);
  });
  const delivery = readFileSync(path.join(FIXTURES_DIR, 'webhooks', 'chip-purchase-paid.json'));
  return {
    server,
    baseUrl: `${server.url}/api/v1/`,
    keys,
    signedDelivery: () => ({
      rawBody: delivery,
      headers: {
        'content-type': 'application/json',
        'x-signature': signUmmahPayload(delivery, keys.privateKey),
      },
    }),
    close: () => server.close(),
  };
}
