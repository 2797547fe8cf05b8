import {
  startRecordingPlayer,
  type ExchangeRecording,
  type LoopbackServer,
  type RecordedRequest,
} from '@tijara/testkit';
import { generateUmmahTestKeys, signUmmahPayload } from '@tijara/ummah';
import type { UmmahScenarioTarget } from '../scenarios.js';
import { BRAND_ID, readFixture, TEST_SECRET_KEY } from './fixtures.js';

export interface ScenarioRecording extends ExchangeRecording {
  readonly notes: string;
  /** The success_callback body the gateway sent for the scenario's paid purchase. */
  readonly callback?: unknown;
}

export interface ReplayTarget extends UmmahScenarioTarget {
  readonly server: LoopbackServer;
  close(): Promise<void>;
}

/** What Ummah requires of every request: its key, and an Idempotency-Key on every POST. */
function check(request: RecordedRequest): string[] {
  const found: string[] = [];
  if (request.headers.authorization !== `Bearer ${TEST_SECRET_KEY}`)
    found.push('missing or wrong Authorization');
  if (request.method === 'POST' && !request.headers['idempotency-key'])
    found.push('POST without Idempotency-Key');
  return found;
}

/**
 * A loopback gateway that plays one scenario's recorded exchanges in order. Nothing is simulated: a request that
 * is not the next recorded one gets a 418 and is reported by `end()`, as is a recording left unused.
 */
export async function startReplayTarget(): Promise<ReplayTarget> {
  const keys = generateUmmahTestKeys();
  const player = await startRecordingPlayer({
    read: (scenario) => readFixture<ScenarioRecording>(`scenarios/${scenario}.json`),
    check,
    mismatchBody: (message) => ({ error: 'replay_mismatch', message }),
  });
  const { server } = player;

  return {
    server,
    baseUrl: `${server.url}/api/v1/`,
    secretKey: TEST_SECRET_KEY,
    brandId: BRAND_ID,
    webhookPublicKeys: [keys.publicKey],
    // The recording already holds what the gateway answered after the buyer paid.
    pay: async () => undefined,
    signedCallback: async (purchaseId) => {
      const recording = player.recording;
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
    begin: async (scenario) => player.begin(scenario),
    end: async (scenario) => player.end(scenario),
    close: () => player.close(),
  };
}
