import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import {
  definePostpayDriverScenarios,
  type BuyerAction,
  type PostpayScenarioTarget,
} from '../../../libs/postpay/test/scenarios.js';
import { HOOK_SECRET } from '../../../libs/postpay/test/support/fixtures.js';
import type {
  RecordedExchange,
  ScenarioRecording,
} from '../../../libs/postpay/test/support/replay-target.js';
import { CAPTURE_DECLINED_CARD } from '../src/gateways/postpay/cards.js';
import { DEFAULT_CAPTURE_WINDOW_HOURS } from '../src/gateways/postpay/config.js';
import { control, start, startReceiver, type Receiver } from './helpers.js';
import type { RunningSandbox } from '../src/index.js';

/**
 * The Postpay driver's own scenarios (libs/postpay/test/scenarios.ts), run a second time with the sandbox as the
 * gateway: same tests, two targets. The module is imported by path because libs may not depend on tools.
 *
 * Nothing is replayed: the driver talks to a live sandbox through a pass-through proxy that notes each exchange,
 * the buyer decides through the control API (the hosted page's own code path), hooks travel over HTTP to a
 * loopback receiver, and time moves on the sandbox clock. Each scenario then checks that the sandbox answered the
 * same requests with the same statuses as the recording the other target replays.
 */
let sandbox: RunningSandbox;
let receiver: Receiver;
let proxy: LoopbackServer;
/** The next request to this method and path has its answer lost after the sandbox acted on it. */
let loseAnswerTo: string | undefined;

interface Step {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}
let steps: Step[] = [];
/** With POSTPAY_RECORD_SCENARIOS=1 the run writes the recordings the replaying target plays, instead of comparing. */
const RECORD = process.env.POSTPAY_RECORD_SCENARIOS === '1';
let exchanges: RecordedExchange[] = [];
let returns: string[] = [];
const SCENARIOS_DIR = path.join(__dirname, '../../../libs/postpay/test/fixtures/scenarios');

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);
/** Order ids differ by nothing between targets (same reference and key); tokens and transaction ids do. */
const route = (p: string) =>
  p
    .replace(/^\/postpay/, '')
    .replace(/\/transactions\/[0-9a-f]{32}/, '/transactions/{id}')
    .replace(/\/hooks\/[0-9a-f]{32}/, '/hooks/{id}');

const ACTIONS: Record<BuyerAction, { path: string; body?: unknown }> = {
  approve: { path: 'approve' },
  'approve-capture-declines': { path: 'approve', body: { card: CAPTURE_DECLINED_CARD } },
  deny: { path: 'deny' },
  cancel: { path: 'cancel' },
};

beforeAll(async () => {
  sandbox = await start();
  receiver = await startReceiver();
  proxy = await startLoopbackServer(async (request, response, socket) => {
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
    const key = `${request.method} ${request.path}`;
    const relayed = text.split(sandbox.url).join(proxy.url);
    const recorded = {
      method: request.method,
      path: request.path.replace(/^\/postpay/, ''),
      ...(request.query.size > 0 ? { query: Object.fromEntries(request.query) } : {}),
      ...(request.json !== undefined ? { body: request.json } : {}),
    };
    if (loseAnswerTo === key) {
      loseAnswerTo = undefined;
      steps.push({ method: request.method, path: route(request.path), status: 0 });
      exchanges.push({ request: recorded, response: { status: 0, drop: true } });
      socket.destroy();
      return;
    }
    steps.push({ method: request.method, path: route(request.path), status: answer.status });
    exchanges.push({
      request: recorded,
      response: {
        status: answer.status,
        ...(relayed
          ? { body: JSON.parse(relayed.split(`${proxy.url}/postpay`).join('{base}')) as unknown }
          : {}),
      },
    });
    const forwarded: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') forwarded[name] = value;
    });
    // Links the sandbox makes point at itself; the driver must keep talking through the proxy.
    response.writeHead(answer.status, forwarded);
    response.end(relayed);
  });
});

afterAll(async () => {
  await proxy?.close();
  await receiver?.close();
  await sandbox?.close();
});

function sandboxTarget(): PostpayScenarioTarget {
  const postpay = sandbox.gateways.postpay;
  return {
    baseUrl: `${proxy.url}/postpay`,
    merchantId: postpay.merchantId,
    secretKey: postpay.secretKey,
    hookSecret: HOOK_SECRET,
    hookUrl: `${receiver.url}/postpay/hooks`,
    buyer: async (redirectUrl, action) => {
      const token = new URL(redirectUrl).pathname.split('/').pop()!;
      const { path: verb, body } = ACTIONS[action];
      const answer = await control(sandbox, 'POST', `/postpay/checkouts/${token}/${verb}`, body);
      if (answer.status !== 200)
        throw new Error(`${verb} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      returns.push(answer.body.redirect_url as string);
      return answer.body.redirect_url as string;
    },
    expireApproval: async () => {
      await sandbox.advanceClock(DEFAULT_CAPTURE_WINDOW_HOURS * 3600 + 1);
    },
    loseNextAnswer: async (method, p) => {
      loseAnswerTo = `${method} /postpay${p}`;
    },
    signedHook: async (orderId, status) => {
      await sandbox.settle();
      const found = receiver.requests.filter(
        (r) => r.json?.data?.order_id === orderId && r.json?.data?.status === status,
      );
      if (found.length !== 1)
        throw new Error(`expected one ${status} delivery for ${orderId}, got ${found.length}`);
      const { body, headers } = found[0]!;
      return {
        rawBody: body,
        headers: {
          'content-type': String(headers['content-type']),
          'x-postpay-signature': String(headers['x-postpay-signature']),
        },
      };
    },
    begin: async () => {
      await sandbox.reset();
      receiver.requests.length = 0;
      steps = [];
      exchanges = [];
      returns = [];
      loseAnswerTo = undefined;
    },
    end: async (scenario) => {
      const file = path.join(SCENARIOS_DIR, `${scenario}.json`);
      if (RECORD) {
        await sandbox.settle();
        const hooks = receiver.requests.map((r) => ({
          orderId: r.json?.data?.order_id ?? r.json?.data?.order?.order_id,
          status: r.json?.data?.status ?? r.json?.data?.type,
          body: r.json,
        }));
        const made: ScenarioRecording = {
          scenario,
          notes:
            "Recorded from the sandbox's Postpay emulation (seed 003) with POSTPAY_RECORD_SCENARIOS=1: the driver's " +
            'requests, the answers, where the buyer was sent back to, and the hook deliveries. `{base}` is the ' +
            "gateway's URL; a `drop` is an answer lost after Postpay acted.",
          exchanges,
          ...(returns.length > 0 ? { returns } : {}),
          ...(hooks.length > 0 ? { hooks } : {}),
        };
        // The hooks' URL is the replaying target's (it delivers nothing); here it was a live receiver.
        const text = JSON.stringify(made, null, 2).split(receiver.url).join('https://shop.example');
        writeFileSync(file, `${text}\n`);
        return;
      }
      const recording = JSON.parse(readFileSync(file, 'utf8')) as ScenarioRecording;
      const recorded = recording.exchanges.map(({ request, response }) => ({
        method: request.method,
        path: route(request.path),
        status: response.drop ? 0 : response.status,
      }));
      expect(steps).toEqual(recorded);
    },
  };
}

definePostpayDriverScenarios(sandboxTarget);
