import { startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { ummahWebhooks } from '../src/gateways/ummah-webhooks.js';
import { startWebhookRelay, type RelayedDelivery, type WebhookRelay } from '../src/webhook-relay.js';

/**
 * `webhooks listen` forwards to the app under the sandbox's outbound rule, judged for every delivery: a forward
 * target whose name comes to point at a private or metadata address is refused then, and nothing is sent.
 */
let app: LoopbackServer;
let relay: WebhookRelay;
const relayed: RelayedDelivery[] = [];
let answers: Array<{ address: string; family: number }> = [];

beforeAll(async () => {
  app = await startLoopbackServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('ok');
  });
  relay = await startWebhookRelay({
    forwardTo: `http://store.example.test:${new URL(app.url).port}/webhooks/ummah`,
    signatureHeader: 'x-signature',
    describe: ummahWebhooks.describe,
    resolver: (hostname) =>
      hostname === 'store.example.test'
        ? Promise.resolve(answers)
        : Promise.reject(Object.assign(new Error(`unknown host ${hostname}`), { code: 'ENOTFOUND' })),
    onDelivery: (delivery) => relayed.push(delivery),
  });
});
afterAll(async () => {
  await relay?.close();
  await app?.close();
});

const deliver = (body: string) =>
  fetch(relay.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': 'c2lnbmVk' },
    body,
  });

test('a name on this machine is forwarded; the same name pointing inward later is refused', async () => {
  answers = [{ address: '127.0.0.1', family: 4 }];
  const ok = await deliver('{"type":"purchase.paid","object":{"id":"p1"}}');
  expect(ok.status).toBe(200);
  expect(app.requests).toHaveLength(1);
  expect(app.requests[0]!.headers['x-signature']).toBe('c2lnbmVk');

  answers = [{ address: '10.1.1.1', family: 4 }];
  const refused = await deliver('{"type":"purchase.paid","object":{"id":"p2"}}');
  expect(refused.status).toBe(502);
  expect(app.requests).toHaveLength(1);
  expect(relayed.at(-1)).toMatchObject({ objectId: 'p2', status: undefined });
  expect(relayed.at(-1)!.error).toMatch(
    /refused to connect to 10\.1\.1\.1 \(store\.example\.test is a private/,
  );

  answers = [{ address: '169.254.169.254', family: 4 }];
  expect((await deliver('{"type":"purchase.paid","object":{"id":"p3"}}')).status).toBe(502);
  expect(relayed.at(-1)!.error).toMatch(/cloud metadata address/);
  expect(app.requests).toHaveLength(1);
});
