import { isDeepStrictEqual } from 'node:util';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import type { UhmiScenarioTarget } from '../scenarios.js';
import { readFixture, TEST_API_KEY } from './fixtures.js';

export interface RecordedExchange {
  readonly request: { readonly method: string; readonly path: string; readonly body?: unknown };
  readonly response: { readonly status: number; readonly body: unknown };
}

export interface ScenarioRecording {
  readonly scenario: string;
  readonly notes: string;
  /** payment id → the transaction id the widget posted after the buyer paid it. */
  readonly transactions: Readonly<Record<string, string>>;
  readonly exchanges: readonly RecordedExchange[];
}

export interface ReplayTarget extends UhmiScenarioTarget {
  readonly server: LoopbackServer;
  close(): Promise<void>;
}

function differences(request: RecordedRequest, expected: RecordedExchange['request']): string[] {
  const found: string[] = [];
  if (request.method !== expected.method || request.path !== expected.path) {
    found.push(`expected ${expected.method} ${expected.path}, got ${request.method} ${request.path}`);
  }
  if (request.headers.authorization !== `Bearer ${TEST_API_KEY}`)
    found.push('missing or wrong Authorization');
  if (request.body.length > 0 && !/^application\/json/.test(String(request.headers['content-type']))) {
    found.push(`body sent as ${String(request.headers['content-type'])}, not JSON`);
  }
  if (expected.body !== undefined && !isDeepStrictEqual(request.json, expected.body)) {
    found.push(
      `body differs: expected ${JSON.stringify(expected.body)}, got ${JSON.stringify(request.json)}`,
    );
  }
  return found;
}

/**
 * A loopback Uhmi that plays one scenario's recorded exchanges in order. Nothing is simulated: a request that is
 * not the next recorded one gets a 418 and is reported by `end()`, as is a recording left unused.
 */
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
      return sendJson(response, 418, { error: { code: 418, message: problems.join('; ') } });
    }
    sendJson(response, expected.response.status, expected.response.body);
  });

  return {
    server,
    baseUrl: `${server.url}/api/v1/`,
    apiKey: TEST_API_KEY,
    // The recording holds the transaction the widget posted once the buyer paid.
    pay: async (paymentId) => {
      const transactionId = recording?.transactions[paymentId];
      if (!transactionId) throw new Error(`${recording?.scenario}: no recorded transaction for ${paymentId}`);
      return transactionId;
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
