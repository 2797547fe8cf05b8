import { isDeepStrictEqual } from 'node:util';
import { postpayTestWebhookHeaders } from '@tijara/postpay';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import type { PostpayScenarioTarget } from '../scenarios.js';
import { HOOK_SECRET, MERCHANT_ID, readFixture, TEST_SECRET_KEY } from './fixtures.js';

export interface RecordedExchange {
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly query?: Readonly<Record<string, string>>;
    readonly body?: unknown;
  };
  /** What the gateway answered, or `drop`: it acted on the request but the answer never arrived. */
  readonly response: { readonly status: number; readonly body?: unknown; readonly drop?: boolean };
}

export interface ScenarioRecording {
  readonly scenario: string;
  readonly notes: string;
  readonly exchanges: readonly RecordedExchange[];
  /** Where the buyer was sent back to after each decision on a hosted checkout, in order. */
  readonly returns?: readonly string[];
  /** Hook deliveries the gateway sent: the order, its status and the delivery's body. */
  readonly hooks?: ReadonlyArray<{
    readonly orderId: string;
    readonly status: string;
    readonly body: unknown;
  }>;
}

export interface ReplayTarget extends PostpayScenarioTarget {
  readonly server: LoopbackServer;
  close(): Promise<void>;
}

const BASIC = `Basic ${Buffer.from(`${MERCHANT_ID}:${TEST_SECRET_KEY}`).toString('base64')}`;

/** Everything about a request that differs from the recording, empty when it matches. */
function differences(request: RecordedRequest, expected: RecordedExchange['request']): string[] {
  const found: string[] = [];
  if (request.method !== expected.method || request.path !== expected.path) {
    found.push(`expected ${expected.method} ${expected.path}, got ${request.method} ${request.path}`);
  }
  if (request.headers.authorization !== BASIC) found.push('missing or wrong Authorization');
  if (request.headers.accept !== 'application/vnd.postpay+json; version=v1') found.push('wrong Accept');
  if (request.headers['idempotency-key'] !== undefined)
    found.push('an Idempotency-Key Postpay does not know');
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

/**
 * A loopback Postpay that plays one scenario's recorded exchanges in order. Nothing is simulated: a request that is
 * not the next recorded one gets a 418 and is reported by `end()`, as is a recording left unused. `{base}` in a
 * recorded answer (the `next` links) is this server's URL.
 */
export async function startReplayTarget(): Promise<ReplayTarget> {
  let recording: ScenarioRecording | undefined;
  let queue: RecordedExchange[] = [];
  let returns: string[] = [];
  let mismatches: string[] = [];

  const server = await startLoopbackServer((request, response, socket) => {
    const expected = queue.shift();
    const problems = expected
      ? differences(request, expected.request)
      : [`unexpected ${request.method} ${request.path}`];
    if (problems.length > 0 || !expected) {
      mismatches.push(...problems);
      return sendJson(response, 418, { error: { code: 'replay_mismatch', message: problems.join('; ') } });
    }
    if (expected.response.drop) return void socket.destroy();
    if (expected.response.status === 204) {
      response.writeHead(204);
      response.end();
      return;
    }
    const body = JSON.parse(
      JSON.stringify(expected.response.body).split('{base}').join(server.url),
    ) as unknown;
    sendJson(response, expected.response.status, body, { 'content-type': 'application/vnd.api+json' });
  });

  return {
    server,
    baseUrl: server.url,
    merchantId: MERCHANT_ID,
    secretKey: TEST_SECRET_KEY,
    hookSecret: HOOK_SECRET,
    hookUrl: 'https://shop.example/postpay/hooks',
    buyer: async () => {
      const next = returns.shift();
      if (!next) throw new Error(`scenario ${recording?.scenario} has no more recorded returns`);
      return next;
    },
    // The recording already holds what the gateway answered once the time had passed or the answer was lost.
    expireApproval: async () => undefined,
    loseNextAnswer: async () => undefined,
    signedHook: async (orderId, status) => {
      const hook = recording?.hooks?.find((h) => h.orderId === orderId && h.status === status);
      if (!hook) throw new Error(`scenario ${recording?.scenario} has no ${status} delivery for ${orderId}`);
      const rawBody = Buffer.from(JSON.stringify(hook.body));
      return { rawBody, headers: postpayTestWebhookHeaders(rawBody, HOOK_SECRET) };
    },
    begin: async (scenario) => {
      recording = readFixture<ScenarioRecording>(`scenarios/${scenario}.json`);
      queue = [...recording.exchanges];
      returns = [...(recording.returns ?? [])];
      mismatches = [];
    },
    end: async (scenario) => {
      if (mismatches.length > 0) {
        throw new Error(`${scenario}: requests differ from the recording:\n${mismatches.join('\n')}`);
      }
      if (queue.length > 0) {
        const left = queue.map((e) => `${e.request.method} ${e.request.path}`).join(', ');
        throw new Error(`${scenario}: recorded exchanges never requested: ${left}`);
      }
    },
    close: () => server.close(),
  };
}
