import { isDeepStrictEqual } from 'node:util';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import { signNumipayPayload } from '@tijara/numipay';
import type { NumipayScenarioTarget } from '../scenarios.js';
import { CASHIER_URL, readFixture, SIGNATURE_PASSWORD, TEST_API_KEY } from './fixtures.js';

export interface RecordedExchange {
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly query?: Readonly<Record<string, string>>;
    readonly body?: unknown;
  };
  readonly response: { readonly status: number; readonly body: unknown };
}

export interface ScenarioRecording {
  readonly scenario: string;
  readonly notes: string;
  /** tracking id → the webhook payload Numipay sent about it. */
  readonly webhooks: Readonly<Record<string, unknown>>;
  readonly exchanges: readonly RecordedExchange[];
}

export interface ReplayTarget extends NumipayScenarioTarget {
  readonly server: LoopbackServer;
  close(): Promise<void>;
}

function differences(request: RecordedRequest, expected: RecordedExchange['request']): string[] {
  const found: string[] = [];
  if (request.method !== expected.method || request.path !== expected.path) {
    found.push(`expected ${expected.method} ${expected.path}, got ${request.method} ${request.path}`);
  }
  if (request.headers['x-api-key'] !== TEST_API_KEY) found.push('missing or wrong x-api-key');
  const query = Object.fromEntries(request.query);
  if (!isDeepStrictEqual(query, expected.query ?? {})) {
    found.push(
      `query differs: expected ${JSON.stringify(expected.query ?? {})}, got ${JSON.stringify(query)}`,
    );
  }
  if (expected.body !== undefined && !isDeepStrictEqual(request.json, expected.body)) {
    found.push(
      `body differs: expected ${JSON.stringify(expected.body)}, got ${JSON.stringify(request.json)}`,
    );
  }
  return found;
}

/** A loopback Numipay playing one scenario's recorded exchanges in order; anything else is a 418 reported by `end()`. */
export async function startReplayTarget(): Promise<ReplayTarget> {
  let recording: ScenarioRecording | undefined;
  let queue: RecordedExchange[] = [];
  let mismatches: string[] = [];

  const server = await startLoopbackServer((request, response) => {
    const expected = queue.shift();
    const problems = expected
      ? differences(request, expected.request)
      : [`unexpected ${request.method} ${request.path}`];
    if (problems.length > 0 || !expected) {
      mismatches.push(...problems);
      return sendJson(response, 418, { message: problems.join('; ') });
    }
    sendJson(response, expected.response.status, expected.response.body);
  });

  return {
    server,
    baseUrl: `${server.url}/`,
    apiKey: TEST_API_KEY,
    signaturePassword: SIGNATURE_PASSWORD,
    cashierUrl: CASHIER_URL,
    // The recording already holds what Numipay answered after the buyer (or payee) acted.
    pay: async () => undefined,
    submitPayout: async () => undefined,
    // The day the recordings were made.
    today: () => '2024-07-10',
    webhook: async (trackingId) => {
      const payload = recording?.webhooks[trackingId];
      if (!payload) throw new Error(`${recording?.scenario}: no recorded webhook for ${trackingId}`);
      // Numipay's own serialisation: compact JSON, signed with the password appended.
      const rawBody = Buffer.from(JSON.stringify(payload));
      return {
        rawBody,
        headers: {
          'content-type': 'application/json',
          'x-signature': signNumipayPayload(rawBody, SIGNATURE_PASSWORD),
        },
      };
    },
    begin: async (scenario) => {
      recording = readFixture<ScenarioRecording>(`scenarios/${scenario}.json`);
      queue = [...recording.exchanges];
      mismatches = [];
    },
    end: async (scenario) => {
      if (mismatches.length > 0)
        throw new Error(`${scenario}: requests differ from the recording:\n${mismatches.join('\n')}`);
      if (queue.length > 0) {
        const left = queue.map((e) => `${e.request.method} ${e.request.path}`).join(', ');
        throw new Error(`${scenario}: recorded exchanges never requested: ${left}`);
      }
    },
    close: () => server.close(),
  };
}
