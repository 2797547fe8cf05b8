import { inspect } from 'node:util';
import type { Logger } from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { createNumipayDriver, signNumipayPayload, type NumipayDriver } from '@tijara/numipay';
import { order } from './scenarios.js';

// The transcript-scrubbing test: every operation against a gateway that echoes the x-api-key back, and a forged
// webhook; neither the key nor the signature password may show anywhere.
const API_KEY = 'npk_live_Zx8Qw2Er5Ty7Ui9Op1As3Df6Gh4Jk0Lm';
const PASSWORD = 'spg_live_companyPq7Wm2Xc9Vb4Nz6Lk1Jh3Gf8Ds5Aa0';
const logLines: string[] = [];
const thrown: unknown[] = [];
const line = (obj: object, msg?: string) => void logLines.push(inspect({ obj, msg }, { depth: 10 }));
const logger: Logger = { debug: line, info: line, warn: line, error: line };

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer((request, response) => {
    const key = String(request.headers['x-api-key']);
    const status = request.method === 'GET' ? 404 : request.path.includes('approve') ? 500 : 401;
    sendJson(response, status, {
      message: `Key ${key} rejected`,
      error: { code: status, message: `x-api-key: ${key}` },
    });
  });
});
afterAll(() => server.close());

async function exercise(driver: NumipayDriver): Promise<void> {
  const forged = Buffer.from('{"transaction_id":"t1","status":"successful"}');
  const calls: Array<() => Promise<unknown>> = [
    () => driver.createPayment(order('order-1', 1000)),
    () => driver.retrievePayment('someone-elses-id'),
    () => driver.createPayout(order('payout-1', 1000)),
    () => driver.approvePayout('tj1-GBP-1000-0123456789abcdef01234567'),
    () => driver.listTransactions({ from: '2024-07-01', to: '2024-07-02' }),
    () => driver.verifyWebhook(forged, { 'x-signature': signNumipayPayload(forged, 'wrong-password') }),
    () => driver.verifyWebhook(forged, {}),
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

it('never shows the API key or the signature password in errors, logs or the driver object', async () => {
  const driver = createNumipayDriver({
    apiKey: API_KEY,
    baseUrl: `${server.url}/`,
    mode: 'live',
    webhooks: { signaturePasswords: [PASSWORD] },
    logger,
    backoffBaseMs: 1,
    jitterMs: 0,
  });
  await exercise(driver);

  expect(server.requests.some((r) => r.headers['x-api-key'] === API_KEY)).toBe(true);
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
    expect(text).not.toContain(PASSWORD);
  }
});
