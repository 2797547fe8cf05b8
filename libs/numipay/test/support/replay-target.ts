import { signNumipayPayload } from '@tijara/numipay';
import {
  startRecordingPlayer,
  type ExchangeRecording,
  type LoopbackServer,
  type RecordedRequest,
} from '@tijara/testkit';
import type { NumipayScenarioTarget } from '../scenarios.js';
import { CASHIER_URL, readFixture, SIGNATURE_PASSWORD, TEST_API_KEY } from './fixtures.js';

export interface ScenarioRecording extends ExchangeRecording {
  readonly notes: string;
  /** tracking id → the webhook payload Numipay sent about it. */
  readonly webhooks: Readonly<Record<string, unknown>>;
}

export interface ReplayTarget extends NumipayScenarioTarget {
  readonly server: LoopbackServer;
  close(): Promise<void>;
}

/** What Numipay requires of every request: its key in `x-api-key`. */
function check(request: RecordedRequest): string[] {
  return request.headers['x-api-key'] === TEST_API_KEY ? [] : ['missing or wrong x-api-key'];
}

/** A loopback Numipay playing one scenario's recorded exchanges in order; anything else is a 418 reported by `end()`. */
export async function startReplayTarget(): Promise<ReplayTarget> {
  const player = await startRecordingPlayer({
    read: (scenario) => readFixture<ScenarioRecording>(`scenarios/${scenario}.json`),
    check,
    mismatchBody: (message) => ({ message }),
    checkQuery: true,
  });
  const { server } = player;

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
      const recording = player.recording;
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
    begin: async (scenario) => player.begin(scenario),
    end: async (scenario) => player.end(scenario),
    close: () => player.close(),
  };
}
