import { inspect } from 'node:util';
import type { Logger } from '@tijara/core';
import { createPostpayDriver, postpayTestWebhookHeaders, type PostpayDriver } from '@tijara/postpay';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { MERCHANT_ID } from './support/fixtures.js';

// The transcript-scrubbing test every driver carries (activemerchant's habit): drive every operation, make the
// gateway misbehave in the ways that put secrets in front of us, and look for them everywhere.
const SECRET_KEY = 'sk_live_Xq7Lm2Nb9Vc4Zd8Rt1Yw6Pk3Hj5Gf0Sa';
const HOOK_SECRET = 'dolphins-are-smarter-than-they-look-42';
const logLines: string[] = [];
const thrown: unknown[] = [];
const record = (obj: object, msg?: string) => void logLines.push(inspect({ obj, msg }, { depth: 10 }));
const logger: Logger = { debug: record, info: record, warn: record, error: record };

let server: LoopbackServer;
beforeAll(async () => {
  // Every answer echoes the credentials (the Basic header and the decoded pair) the way a careless proxy might.
  server = await startLoopbackServer((request, response, socket) => {
    const auth = String(request.headers.authorization);
    const decoded = Buffer.from(auth.replace('Basic ', ''), 'base64').toString('utf8');
    if (request.path.endsWith('/refunds') && request.method === 'POST') return void socket.destroy();
    if (request.path.endsWith('/refunds')) {
      return sendJson(response, 200, {
        count: 0,
        next: `https://evil.example/steal?auth=${auth}`,
        previous: null,
        results: [],
      });
    }
    const status = request.path.includes('/capture') ? 500 : request.method === 'GET' ? 404 : 401;
    // A hook's secret travels in the body; a gateway that echoes it back in a validation error is the worst case.
    const echoed = (request.json as { secret?: string } | undefined)?.secret;
    sendJson(response, status, {
      error: {
        code: 'authentication_failed',
        message: `Credentials ${decoded} (${auth}) rejected`,
        fields: {
          authorization: [auth],
          credentials: [decoded],
          header: [`Authorization: ${auth}`],
          ...(echoed ? { secret: [`The secret ${echoed} is too weak`], note: [echoed] } : {}),
        },
      },
    });
  });
});
afterAll(() => server.close());

async function exercise(driver: PostpayDriver): Promise<void> {
  const input = {
    amount: 1000,
    currency: 'AED',
    reference: 'order-1',
    customer: {
      email: 'a@example.ae',
      name: 'A B',
      shippingAddress: { line1: 'x', city: 'Dubai', country: 'AE' },
    },
    capture: 'automatic' as const,
    returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
  };
  const body = '{"event":"order","data":{}}';
  const calls: Array<() => Promise<unknown>> = [
    () => driver.createPayment(input),
    () => driver.retrievePayment('o-1'),
    () => driver.capture('o-1'),
    () => driver.refund('o-1', { amount: 10 }),
    () => driver.resolveReturn({ query: { order_id: 'o-1', status: 'APPROVED' } }),
    () => Promise.resolve(driver.client.hooks.list()),
    () =>
      driver.client.hooks.create({ events: ['order'], url: 'https://shop.example/h', secret: HOOK_SECRET }),
    () => driver.verifyWebhook(body, postpayTestWebhookHeaders(`${body} `, HOOK_SECRET)),
    () => driver.verifyWebhook(body, postpayTestWebhookHeaders(body, `${HOOK_SECRET}-old`)),
    () => driver.verifyWebhook({ parsed: true } as unknown as Buffer, {}),
  ];
  for (const call of calls) {
    await call().then(
      () => thrown.push(new Error('expected a failure')),
      (error: unknown) => thrown.push(error),
    );
  }
}

function views(value: unknown): string[] {
  return [
    String(value),
    value instanceof Error ? String(value.stack) : '',
    JSON.stringify(value) ?? '',
    inspect(value, { depth: 10, showHidden: true }),
  ];
}

it('never shows the secret key, the Basic credentials or a hook secret in errors, logs or the driver', async () => {
  const driver = createPostpayDriver({
    merchantId: MERCHANT_ID,
    secretKey: SECRET_KEY,
    baseUrl: server.url,
    logger,
    backoffBaseMs: 1,
    jitterMs: 0,
    webhooks: { secrets: [HOOK_SECRET] },
  });
  await exercise(driver);

  const basic = Buffer.from(`${MERCHANT_ID}:${SECRET_KEY}`).toString('base64');
  // Meaningful only if the gateway really received the credentials and the calls really logged and failed.
  expect(server.requests.some((r) => r.headers.authorization === `Basic ${basic}`)).toBe(true);
  expect(
    server.requests.some((r) => (r.json as { secret?: string } | undefined)?.secret === HOOK_SECRET),
  ).toBe(true);
  expect(thrown).toHaveLength(10);
  expect(thrown.every((e) => e instanceof Error && !/expected a failure/.test(e.message))).toBe(true);
  expect(logLines.length).toBeGreaterThan(5);

  const everything = [
    ...thrown.flatMap(views),
    ...logLines,
    ...views(driver),
    inspect(driver.client, { depth: 10 }),
  ];
  for (const text of everything) {
    expect(text).not.toContain(SECRET_KEY.slice('sk_live_'.length));
    expect(text).not.toContain(basic);
    expect(text).not.toContain(HOOK_SECRET);
  }
});
