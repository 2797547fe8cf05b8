import { inspect } from 'node:util';
import type { Logger } from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { createUmmahDriver, generateUmmahTestKeys, signUmmahPayload, type UmmahDriver } from '@tijara/ummah';
import { BRAND_ID } from './support/fixtures.js';

// The transcript-scrubbing test every driver carries (activemerchant's habit): drive every operation, make the
// gateway misbehave in the ways that put secrets in front of us, and look for them everywhere.
const SECRET_KEY = 'sk_live_5cR8bBq2ZkT9wXy3LmN7pQ4rS6tU1vW0';
const CHIP_KEY = 'QmFzZTY0TG9va2luZ0NoaXBTZWNyZXRLZXk0Mg';
const signing = generateUmmahTestKeys();
const logLines: string[] = [];
const thrown: unknown[] = [];
const logger: Logger = {
  debug: (obj, msg) => void logLines.push(inspect({ obj, msg }, { depth: 10 })),
  info: (obj, msg) => void logLines.push(inspect({ obj, msg }, { depth: 10 })),
  warn: (obj, msg) => void logLines.push(inspect({ obj, msg }, { depth: 10 })),
  error: (obj, msg) => void logLines.push(inspect({ obj, msg }, { depth: 10 })),
};

let server: LoopbackServer;
beforeAll(async () => {
  // Every answer echoes the credentials the way a careless gateway or proxy might.
  server = await startLoopbackServer((request, response) => {
    const auth = String(request.headers.authorization);
    const status = request.path.includes('/refund/') ? 500 : request.method === 'GET' ? 404 : 401;
    sendJson(response, status, {
      error: 'invalid_api_key',
      message: `Key ${auth.replace('Bearer ', '')} rejected`,
      details: { authorization: [auth], header: [`Authorization: ${auth}`] },
    });
  });
});
afterAll(() => server.close());

async function exercise(driver: UmmahDriver): Promise<void> {
  const input = {
    amount: 1000,
    currency: 'MYR',
    reference: 'order-1',
    customer: { email: 'a@example.com' },
    capture: 'automatic' as const,
    returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
  };
  const calls: Array<() => Promise<unknown>> = [
    () => driver.createPayment(input),
    () => driver.retrievePayment('p1'),
    () => driver.capture('p1', 500),
    () => driver.release('p1'),
    () => driver.cancel('p1'),
    () => driver.refund('p1'),
    () => driver.chargeSavedMethod('tok', input),
    () => driver.deleteSavedMethod('tok'),
    () => Promise.resolve(driver.client.clients.list()),
    () =>
      driver.verifyWebhook('{"id":"x"}', {
        'x-signature': signUmmahPayload('{"id":"y"}', signing.privateKey),
      }),
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

it.each([
  ['an sk_live_ key', SECRET_KEY, SECRET_KEY.slice('sk_live_'.length)],
  ['an unprefixed CHIP key', CHIP_KEY, CHIP_KEY],
])(
  'never shows %s or the signing key in errors, logs or the driver object',
  async (_what, secretKey, distinctive) => {
    logLines.length = 0;
    thrown.length = 0;
    const driver = createUmmahDriver({
      secretKey,
      brandId: BRAND_ID,
      baseUrl: `${server.url}/api/v1/`,
      logger,
      backoffBaseMs: 1,
      jitterMs: 0,
      webhooks: { publicKeys: [signing.publicKey], fetchCompanyKey: false },
    });
    await exercise(driver);

    // Meaningful only if the gateway really received the key and the calls really logged and failed.
    expect(server.requests.some((r) => r.headers.authorization === `Bearer ${secretKey}`)).toBe(true);
    expect(thrown).toHaveLength(11);
    expect(thrown.every((e) => e instanceof Error && !/expected a failure/.test(e.message))).toBe(true);
    expect(logLines.length).toBeGreaterThan(5);

    const privateKeyBody = signing.privateKey.split('\n')[1]!;
    const everything = [
      ...thrown.flatMap(views),
      ...logLines,
      ...views(driver),
      inspect(driver.client, { depth: 10 }),
    ];
    for (const text of everything) {
      expect(text).not.toContain(distinctive);
      expect(text).not.toContain(privateKeyBody);
    }
  },
);
