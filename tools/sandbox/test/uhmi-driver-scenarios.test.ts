import { defineUhmiDriverScenarios, type UhmiScenarioTarget } from '../../../libs/uhmi/test/scenarios.js';
import { readFixture } from '../../../libs/uhmi/test/support/fixtures.js';
import type { ScenarioRecording } from '../../../libs/uhmi/test/support/replay-target.js';
import type { RunningSandbox } from '../src/index.js';
import { control, start } from './helpers.js';
import { startRecordingProxy, type RecordingProxy } from './uhmi-numipay-recording-proxy.js';

/**
 * The Uhmi driver's own scenarios (libs/uhmi/test/scenarios.ts), run a second time with the sandbox as the gateway.
 * The buyer pays through the control API (the widget page's own code path); the driver talks to the sandbox through
 * a proxy that notes every exchange, and each scenario checks the sandbox answered the same requests with the same
 * statuses as the recording the other target replays.
 */
let sandbox: RunningSandbox;
let proxy: RecordingProxy;

/** Payment ids are 30 letters and digits, transaction ids 17 capitals and digits, on both targets. */
const route = (path: string) =>
  path
    .replace(/\/payments\/[A-Za-z0-9]{30}$/, '/payments/{id}')
    .replace(/\/transactions\/[A-Z0-9]{17}$/, '/transactions/{id}');

beforeAll(async () => {
  sandbox = await start();
  proxy = await startRecordingProxy(() => `${sandbox.url}/uhmi`, route);
});
afterAll(async () => {
  await proxy?.close();
  await sandbox?.close();
});

function sandboxTarget(): UhmiScenarioTarget {
  return {
    baseUrl: `${proxy.url}/api/v1/`,
    apiKey: sandbox.gateways.uhmi.apiKey,
    pay: async (paymentId, outcome, price) => {
      const answer = await control<{ transaction_id: string }>(
        sandbox,
        'POST',
        `/uhmi/payments/${paymentId}/pay`,
        {
          outcome,
          ...(price !== undefined ? { price } : {}),
        },
      );
      if (answer.status !== 200)
        throw new Error(`pay ${paymentId} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      return answer.body.transaction_id;
    },
    begin: async () => {
      await sandbox.reset();
      proxy.steps.length = 0;
    },
    end: async (scenario) => {
      const recording = readFixture<ScenarioRecording>(`scenarios/${scenario}.json`);
      const recorded = recording.exchanges.map(({ request, response }) => ({
        method: request.method,
        path: route(request.path.replace(/^\/api\/v1/, '/api/v1')),
        status: response.status,
      }));
      expect(proxy.steps.map(({ method, path, status }) => ({ method, path, status }))).toEqual(recorded);
    },
  };
}

defineUhmiDriverScenarios(sandboxTarget);
