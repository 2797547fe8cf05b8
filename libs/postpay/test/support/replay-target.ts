import { postpayTestWebhookHeaders } from '@tijara/postpay';
import {
  startRecordingPlayer,
  type ExchangeRecording,
  type LoopbackServer,
  type RecordedRequest,
} from '@tijara/testkit';
import type { PostpayScenarioTarget } from '../scenarios.js';
import { HOOK_SECRET, MERCHANT_ID, readFixture, TEST_SECRET_KEY } from './fixtures.js';

export type { RecordedExchange } from '@tijara/testkit';

export interface ScenarioRecording extends ExchangeRecording {
  readonly notes: string;
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

/** What Postpay requires of every request: Basic credentials, its media type, and no Idempotency-Key. */
function check(request: RecordedRequest): string[] {
  const found: string[] = [];
  if (request.headers.authorization !== BASIC) found.push('missing or wrong Authorization');
  if (request.headers.accept !== 'application/vnd.postpay+json; version=v1') found.push('wrong Accept');
  if (request.headers['idempotency-key'] !== undefined)
    found.push('an Idempotency-Key Postpay does not know');
  return found;
}

/**
 * A loopback Postpay that plays one scenario's recorded exchanges in order. Nothing is simulated: a request that is
 * not the next recorded one gets a 418 and is reported by `end()`, as is a recording left unused. `{base}` in a
 * recorded answer (the `next` links) is this server's URL.
 */
export async function startReplayTarget(): Promise<ReplayTarget> {
  let returns: string[] = [];
  const player = await startRecordingPlayer({
    read: (scenario) => readFixture<ScenarioRecording>(`scenarios/${scenario}.json`),
    check,
    mismatchBody: (message) => ({ error: { code: 'replay_mismatch', message } }),
    checkQuery: true,
    responseHeaders: { 'content-type': 'application/vnd.api+json' },
    substituteBase: true,
  });
  const { server } = player;

  return {
    server,
    baseUrl: server.url,
    merchantId: MERCHANT_ID,
    secretKey: TEST_SECRET_KEY,
    hookSecret: HOOK_SECRET,
    hookUrl: 'https://shop.example/postpay/hooks',
    buyer: async () => {
      const next = returns.shift();
      if (!next) throw new Error(`scenario ${player.recording?.scenario} has no more recorded returns`);
      return next;
    },
    // The recording already holds what the gateway answered once the time had passed or the answer was lost.
    expireApproval: async () => undefined,
    loseNextAnswer: async () => undefined,
    signedHook: async (orderId, status) => {
      const recording = player.recording;
      const hook = recording?.hooks?.find((h) => h.orderId === orderId && h.status === status);
      if (!hook) throw new Error(`scenario ${recording?.scenario} has no ${status} delivery for ${orderId}`);
      const rawBody = Buffer.from(JSON.stringify(hook.body));
      return { rawBody, headers: postpayTestWebhookHeaders(rawBody, HOOK_SECRET) };
    },
    begin: async (scenario) => {
      player.begin(scenario);
      returns = [...(player.recording?.returns ?? [])];
    },
    end: async (scenario) => player.end(scenario),
    close: () => player.close(),
  };
}
