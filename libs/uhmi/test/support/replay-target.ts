import {
  startRecordingPlayer,
  type ExchangeRecording,
  type LoopbackServer,
  type RecordedRequest,
} from '@tijara/testkit';
import type { UhmiScenarioTarget } from '../scenarios.js';
import { readFixture, TEST_API_KEY } from './fixtures.js';

export interface ScenarioRecording extends ExchangeRecording {
  readonly notes: string;
  /** payment id → the transaction id the widget posted after the buyer paid it. */
  readonly transactions: Readonly<Record<string, string>>;
}

export interface ReplayTarget extends UhmiScenarioTarget {
  readonly server: LoopbackServer;
  close(): Promise<void>;
}

/** What Uhmi requires of every request: its Bearer key, and any body as JSON. */
function check(request: RecordedRequest): string[] {
  const found: string[] = [];
  if (request.headers.authorization !== `Bearer ${TEST_API_KEY}`)
    found.push('missing or wrong Authorization');
  if (request.body.length > 0 && !/^application\/json/.test(String(request.headers['content-type']))) {
    found.push(`body sent as ${String(request.headers['content-type'])}, not JSON`);
  }
  return found;
}

/**
 * A loopback Uhmi that plays one scenario's recorded exchanges in order. Nothing is simulated: a request that is
 * not the next recorded one gets a 418 and is reported by `end()`, as is a recording left unused.
 */
export async function startReplayTarget(): Promise<ReplayTarget> {
  const player = await startRecordingPlayer({
    read: (scenario) => readFixture<ScenarioRecording>(`scenarios/${scenario}.json`),
    check,
    mismatchBody: (message) => ({ error: { code: 418, message } }),
  });
  const { server } = player;

  return {
    server,
    baseUrl: `${server.url}/api/v1/`,
    apiKey: TEST_API_KEY,
    // The recording holds the transaction the widget posted once the buyer paid.
    pay: async (paymentId) => {
      const recording = player.recording;
      const transactionId = recording?.transactions[paymentId];
      if (!transactionId) throw new Error(`${recording?.scenario}: no recorded transaction for ${paymentId}`);
      return transactionId;
    },
    begin: async (scenario) => player.begin(scenario),
    end: async (scenario) => player.end(scenario),
    close: () => player.close(),
  };
}
