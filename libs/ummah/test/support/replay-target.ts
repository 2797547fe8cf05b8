import { isDeepStrictEqual } from 'node:util';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import { generateUmmahTestKeys, signUmmahPayload } from '@tijara/ummah';
import type { UmmahScenarioTarget } from '../scenarios.js';
import { BRAND_ID, readFixture, TEST_SECRET_KEY } from './fixtures.js';

export interface RecordedExchange {
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly body?: unknown;
    /** Headers the request must carry with exactly these values (lower-case names). */
    readonly headers?: Readonly<Record<string, string>>;
  };
  readonly response: { readonly status: number; readonly body: unknown };
}

export interface ScenarioRecording {
  readonly scenario: string;
  readonly notes: string;
  readonly exchanges: readonly RecordedExchange[];
  /** The success_callback body the gateway sent for the scenario's paid purchase. */
  readonly callback?: unknown;
}

export interface ReplayTarget extends UmmahScenarioTarget {
  readonly server: LoopbackServer;
  close(): Promise<void>;
}

/** Everything about a request that differs from the recording, empty when it matches. */
function differences(request: RecordedRequest, expected: RecordedExchange['request']): string[] {
  const found: string[] = [];
  if (request.method !== expected.method || request.path !== expected.path) {
    found.push(`expected ${expected.method} ${expected.path}, got ${request.method} ${request.path}`);
  }
  if (request.headers.authorization !== `Bearer ${TEST_SECRET_KEY}`)
    found.push('missing or wrong Authorization');
  if (request.method === 'POST' && !request.headers['idempotency-key'])
    found.push('POST without Idempotency-Key');
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    if (request.headers[name] !== value)
      found.push(`header ${name}: expected ${value}, got ${request.headers[name]}`);
  }
  if (expected.body !== undefined && !isDeepStrictEqual(request.json, expected.body)) {
    found.push(
      `body differs: expected ${JSON.stringify(expected.body)}, got ${JSON.stringify(request.json)}`,
    );
  }
  return found;
}

/**
 * A loopback gateway that plays one scenario's recorded exchanges in order. Nothing is simulated: a request that
 * is not the next recorded one gets a 418 and is reported by `end()`, as is a recording left unused.
 */
export async function startReplayTarget(): Promise<ReplayTarget> {
  const keys = generateUmmahTestKeys();
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
      return sendJson(response, 418, { error: 'replay_mismatch', message: problems.join('; ') });
    }
    if (expected.response.status === 204) {
      response.writeHead(204);
      response.end();
      return;
    }
    sendJson(response, expected.response.status, expected.response.body);
  });

  return {
    server,
    baseUrl: `${server.url}/api/v1/`,
    secretKey: TEST_SECRET_KEY,
    brandId: BRAND_ID,
    webhookPublicKeys: [keys.publicKey],
    // The recording already holds what the gateway answered after the buyer paid.
    pay: async () => undefined,
    signedCallback: async (purchaseId) => {
      if (!recording?.callback) throw new Error(`scenario ${recording?.scenario} has no recorded callback`);
      const callback = recording.callback as { id?: string };
      if (callback.id !== purchaseId)
        throw new Error(`recorded callback is for ${callback.id}, not ${purchaseId}`);
      // Pretty-printed on purpose: only the exact bytes verify, as with the gateway's own deliveries.
      const rawBody = Buffer.from(JSON.stringify(recording.callback, null, 2));
      return {
        rawBody,
        headers: {
          'content-type': 'application/json',
          'x-signature': signUmmahPayload(rawBody, keys.privateKey),
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
