import { inspect } from 'node:util';
import type { Logger } from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { createUhmiDriver, type UhmiDriver } from '@tijara/uhmi';

// The transcript-scrubbing test every driver carries: drive every operation against a gateway that echoes the
// credentials back, and look for the key everywhere.
const API_KEY = 'UhmiLiveKey7f3Kq9ZpR2xW8vN4mT6yB1cD5eF0gH';
const logLines: string[] = [];
const thrown: unknown[] = [];
const line = (obj: object, msg?: string) => void logLines.push(inspect({ obj, msg }, { depth: 10 }));
const logger: Logger = { debug: line, info: line, warn: line, error: line };

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer((request, response) => {
    const auth = String(request.headers.authorization);
    const status = request.path.includes('/transactions/') ? 500 : request.method === 'GET' ? 404 : 401;
    sendJson(response, status, {
      error: { code: status, message: `Key ${auth.replace('Bearer ', '')} rejected (${auth})` },
      echo: { authorization: auth },
    });
  });
});
afterAll(() => server.close());

async function exercise(driver: UhmiDriver): Promise<void> {
  const input = {
    amount: 1000,
    currency: 'EUR',
    reference: 'order-1',
    customer: { email: 'a@example.com' },
    capture: 'automatic' as const,
    returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
  };
  const calls: Array<() => Promise<unknown>> = [
    () => driver.createPayment(input),
    () => driver.retrievePayment('p1'),
    () => driver.resolveReturn({ query: { transaction_id: 'T1' } }),
    () => driver.client.payments.update('p1', { title: 'x' }),
    () => driver.client.payments.delete('p1'),
    () => driver.capture('p1'),
    () => driver.refund('p1'),
  ];
  for (const call of calls) {
    await call().then(
      () => thrown.push(new Error('expected a failure')),
      (error: unknown) => thrown.push(error),
    );
  }
}

const views = (value: unknown) => [
  String(value),
  value instanceof Error ? String(value.stack) : '',
  JSON.stringify(value) ?? '',
  inspect(value, { depth: 10, showHidden: true }),
];

it('never shows the API key in errors, logs or the driver object', async () => {
  const driver = createUhmiDriver({
    apiKey: API_KEY,
    baseUrl: `${server.url}/api/v1/`,
    logger,
    backoffBaseMs: 1,
    jitterMs: 0,
  });
  await exercise(driver);

  // Meaningful only if the gateway really received the key and the calls really logged and failed.
  expect(server.requests.some((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
  expect(thrown).toHaveLength(7);
  expect(thrown.every((e) => e instanceof Error && !/expected a failure/.test(e.message))).toBe(true);
  expect(logLines.length).toBeGreaterThan(3);
  for (const text of [
    ...thrown.flatMap(views),
    ...logLines,
    ...views(driver),
    inspect(driver.client, { depth: 10 }),
  ]) {
    expect(text).not.toContain(API_KEY);
  }
});
