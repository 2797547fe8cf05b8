import {
  defineNumipayDriverScenarios,
  type NumipayScenarioTarget,
} from '../../../libs/numipay/test/scenarios.js';
import { readFixture } from '../../../libs/numipay/test/support/fixtures.js';
import type { ScenarioRecording } from '../../../libs/numipay/test/support/replay-target.js';
import type { RunningSandbox } from '../src/index.js';
import { control, start, startReceiver, type Receiver } from './helpers.js';
import { startRecordingProxy, type RecordingProxy } from './uhmi-numipay-recording-proxy.js';

/**
 * The Numipay driver's own scenarios (libs/numipay/test/scenarios.ts), run a second time with the sandbox as the
 * gateway. Buyers and payees act through the control API (the pages' own code paths), webhooks travel over HTTP to
 * a loopback receiver whose bytes and headers reach the driver unchanged, and each scenario checks the sandbox
 * answered the same requests with the same statuses as the recording the other target replays.
 */
let sandbox: RunningSandbox;
let receiver: Receiver;
let proxy: RecordingProxy;

/** Transaction ids differ between targets: the tracking ids the driver makes (and Numipay's own) become {id}. */
const route = (path: string) => path.replace(/\/transactions\/[^/]+$/, '/transactions/{id}');

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await start({ gatewayOptions: { numipay: { webhookUrl: `${receiver.url}/numipay/webhooks` } } });
  proxy = await startRecordingProxy(() => `${sandbox.url}/numipay`, route);
});
afterAll(async () => {
  await proxy?.close();
  await receiver?.close();
  await sandbox?.close();
});

async function act(path: string, body: unknown = {}): Promise<void> {
  const answer = await control(sandbox, 'POST', `/numipay${path}`, body);
  if (answer.status !== 200)
    throw new Error(`${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

function sandboxTarget(): NumipayScenarioTarget {
  const handle = sandbox.gateways.numipay;
  return {
    baseUrl: `${proxy.url}/`,
    apiKey: handle.apiKey,
    signaturePassword: handle.signaturePassword,
    cashierUrl: handle.cashierUrl(sandbox.url),
    pay: async (trackingId, outcome) => {
      // A cashier session by its tracking id; a card payment waits at its 3-D Secure step instead.
      const session = await control(sandbox, 'POST', `/numipay/sessions/${trackingId}/pay`, { outcome });
      if (session.status === 404)
        await act(`/transactions/${trackingId}/3ds`, { outcome: outcome === 'success' ? 'pass' : 'fail' });
      else if (session.status !== 200)
        throw new Error(`pay ${trackingId} answered ${session.status}: ${JSON.stringify(session.body)}`);
    },
    submitPayout: (trackingId) => act(`/payouts/${trackingId}/submit`),
    webhook: async (trackingId) => {
      // Approved payouts are paid out on the sandbox clock.
      await sandbox.advanceClock(60);
      await sandbox.settle();
      const delivery = receiver.requests.filter((r) => r.json?.tracking_id === trackingId).at(-1);
      if (!delivery) throw new Error(`no webhook for ${trackingId}`);
      const signature = delivery.headers['x-signature'];
      if (typeof signature !== 'string') throw new Error('the webhook carried no x-signature');
      return {
        rawBody: delivery.body,
        headers: { 'content-type': String(delivery.headers['content-type']), 'x-signature': signature },
      };
    },
    today: () => new Date(sandbox.now() * 1000).toISOString().slice(0, 10),
    begin: async () => {
      await sandbox.reset();
      receiver.requests.length = 0;
      proxy.steps.length = 0;
    },
    end: async (scenario) => {
      const recording = readFixture<ScenarioRecording>(`scenarios/${scenario}.json`);
      const recorded = recording.exchanges.map(({ request, response }) => ({
        method: request.method,
        path: route(request.path),
        status: response.status,
      }));
      expect(proxy.steps.map(({ method, path, status }) => ({ method, path, status }))).toEqual(recorded);
    },
  };
}

defineNumipayDriverScenarios(sandboxTarget);
