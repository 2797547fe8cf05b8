import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { signNumipayPayload } from '@tijara/numipay';
import { readFixture, SIGNATURE_PASSWORD } from './fixtures.js';
import type { ScenarioRecording } from './replay-target.js';

export interface RecordedTarget {
  readonly server: LoopbackServer;
  readonly baseUrl: string;
  /** The hosted-cashier scenario's deposit webhook, signed with the seed's password. */
  signedDelivery(): { rawBody: Buffer; headers: Record<string, string> };
  close(): Promise<void>;
}

/**
 * A loopback Numipay answering from recorded exchanges keyed by method and path (the first recorded answer for a
 * route wins), so a driver may call them in any order; anything unrecorded is a 404.
 */
export async function startRecordedTarget(
  scenarios: readonly string[] = ['hosted-cashier'],
): Promise<RecordedTarget> {
  const routes = new Map<string, { readonly status: number; readonly body?: unknown }>();
  const webhooks: unknown[] = [];
  for (const name of scenarios) {
    const recording = readFixture<ScenarioRecording>(`scenarios/${name}.json`);
    webhooks.push(...Object.values(recording.webhooks));
    for (const exchange of recording.exchanges) {
      const query = new URLSearchParams(exchange.request.query ?? {}).toString();
      const key = `${exchange.request.method} ${exchange.request.path}?${query}`;
      if (!routes.has(key)) routes.set(key, exchange.response);
    }
  }
  const server = await startLoopbackServer((request, response) => {
    const route = routes.get(`${request.method} ${request.path}?${request.query.toString()}`);
    if (!route) return sendJson(response, 404, { message: 'Transaction not found' });
    sendJson(response, route.status, route.body);
  });
  return {
    server,
    baseUrl: `${server.url}/`,
    signedDelivery: () => {
      const rawBody = Buffer.from(JSON.stringify(webhooks[0]));
      return {
        rawBody,
        headers: {
          'content-type': 'application/json',
          'x-signature': signNumipayPayload(rawBody, SIGNATURE_PASSWORD),
        },
      };
    },
    close: () => server.close(),
  };
}
