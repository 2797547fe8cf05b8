import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { readFixture } from './fixtures.js';
import type { ScenarioRecording } from './replay-target.js';

export interface RecordedTarget {
  readonly server: LoopbackServer;
  readonly baseUrl: string;
  close(): Promise<void>;
}

const NOT_FOUND = { error: { code: 404, message: 'The requested resource could not be found.' } };

/**
 * A loopback Uhmi answering from the recorded exchanges of the given scenarios, keyed by method and path (the
 * first recorded answer for a route wins), so a driver can call them in any order and any number of times. A
 * PATCH is remembered: later reads of that payment answer what the PATCH answered, as Uhmi would.
 */
export async function startRecordedTarget(
  scenarios: readonly string[] = ['widget-checkout'],
): Promise<RecordedTarget> {
  const routes = new Map<string, { readonly status: number; readonly body?: unknown }>();
  for (const name of scenarios) {
    for (const exchange of readFixture<ScenarioRecording>(`scenarios/${name}.json`).exchanges) {
      const key = `${exchange.request.method} ${exchange.request.path}`;
      if (!routes.has(key)) routes.set(key, exchange.response);
    }
  }
  const written = new Map<string, { readonly status: number; readonly body?: unknown }>();
  const server = await startLoopbackServer((request, response) => {
    const key = `${request.method} ${request.path}`;
    const route = written.get(key) ?? routes.get(key);
    if (!route) return sendJson(response, 404, NOT_FOUND);
    if (request.method === 'PATCH' && route.status === 200) written.set(`GET ${request.path}`, route);
    sendJson(response, route.status, route.body);
  });
  return { server, baseUrl: `${server.url}/api/v1/`, close: () => server.close() };
}
