import { startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import {
  defineUmmahDriverScenarios,
  type ScenarioCard,
  type UmmahScenarioTarget,
} from '../../../libs/ummah/test/scenarios.js';
import { readFixture } from '../../../libs/ummah/test/support/fixtures.js';
import type { ScenarioRecording } from '../../../libs/ummah/test/support/replay-target.js';
import type { RunningSandbox } from '../src/index.js';
import {
  DECLINED_CARD,
  pay,
  receivedCallback,
  start,
  startReceiver,
  SUCCESS_CARD,
  type Receiver,
} from './helpers.js';

/**
 * The Ummah driver's own scenarios (libs/ummah/test/scenarios.ts), run a second time with the sandbox as the
 * gateway: same tests, two targets. The module is imported by path because libs may not depend on tools.
 *
 * Nothing is replayed: the driver talks to a live sandbox, the buyer pays through the control API (the checkout
 * page's own code path), and the signed success_callback travels over HTTP to a loopback receiver whose bytes and
 * headers go to the driver unchanged. The driver reaches the sandbox through a pass-through proxy that notes each
 * exchange, so every scenario also checks that the sandbox answered the same requests with the same statuses as
 * the recording the other target replays: where the two disagree, one of them is wrong about the gateway.
 */
let sandbox: RunningSandbox;
let receiver: Receiver;
let proxy: LoopbackServer;

interface Step {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Seed 000 answers some actions with `{"status": …}` alone, others with the object: which one came. */
  readonly answer: 'status only' | 'body' | 'none';
}
let steps: Step[] = [];

const CARDS: Record<ScenarioCard, string> = { success: SUCCESS_CARD, decline: DECLINED_CARD };
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

function answerOf(body: unknown): Step['answer'] {
  if (body === undefined || body === null) return 'none';
  const keys = typeof body === 'object' ? Object.keys(body) : [];
  return keys.length === 1 && keys[0] === 'status' ? 'status only' : 'body';
}

/** Object ids differ between targets; the route does not. */
const route = (path: string) =>
  path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{id}');

beforeAll(async () => {
  sandbox = await start();
  receiver = await startReceiver();
  proxy = await startLoopbackServer(async (request, response) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = String(value);
    }
    const query = request.query.size > 0 ? `?${request.query}` : '';
    const answer = await fetch(`${sandbox.url}${request.path}${query}`, {
      method: request.method,
      headers,
      ...(request.body.length > 0 ? { body: request.body } : {}),
    });
    const text = await answer.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    steps.push({
      method: request.method,
      path: route(request.path),
      status: answer.status,
      answer: answerOf(body),
    });
    // The sandbox's own bytes and headers go back (fetch already undid any content encoding).
    const forwarded: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') forwarded[name] = value;
    });
    response.writeHead(answer.status, forwarded);
    response.end(text);
  });
});

afterAll(async () => {
  await proxy?.close();
  await receiver?.close();
  await sandbox?.close();
});

function sandboxTarget(): UmmahScenarioTarget {
  return {
    baseUrl: `${proxy.url}/api/v1/`,
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
    // Plain HTTP to 127.0.0.1 is the documented loopback allowance; the driver's own schema must let it through.
    callbackUrl: `${receiver.url}/ummah/callback`,
    webhookPublicKeys: [sandbox.publicKey],
    pay: async (purchaseId, card) => {
      const response = await pay(sandbox, purchaseId, CARDS[card]);
      if (response.status !== 200) {
        throw new Error(`pay ${purchaseId} answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
    },
    signedCallback: (purchaseId) => receivedCallback(sandbox, receiver, purchaseId),
    // Each scenario starts from an empty gateway, as each recording does.
    begin: async () => {
      await sandbox.reset();
      receiver.requests.length = 0;
      steps = [];
    },
    end: async (scenario) => {
      const recording = readFixture<ScenarioRecording>(`scenarios/${scenario}.json`);
      const recorded = recording.exchanges.map(({ request, response }) => ({
        method: request.method,
        path: route(request.path),
        status: response.status,
        answer: answerOf(response.body),
      }));
      expect(steps).toEqual(recorded);
    },
  };
}

defineUmmahDriverScenarios(sandboxTarget);
