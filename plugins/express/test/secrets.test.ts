import type { RunningSandbox } from '@tijara/sandbox';
import { createUmmahDriver } from '@tijara/ummah';
import {
  capturedLogs,
  captureLogger,
  CARDS,
  payOnSandbox,
  startStore,
  startTestSandbox,
} from './support/harness.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

/** Every response the test saw, status line, headers and body, as text. */
const seen: string[] = [];
async function record(response: Response): Promise<Response> {
  const body = await response.clone().text();
  seen.push(`${response.status} ${JSON.stringify([...response.headers])} ${body}`);
  return response;
}
const post = (
  url: string,
  body: string,
  type = 'application/x-www-form-urlencoded',
  headers: Record<string, string> = {},
) =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': type, ...headers },
    body,
  }).then(record);

test('no secret key in any response or log line, on the happy path and when things fail', async () => {
  const store = await startStore({ sandbox });
  const wrongKey = 'sk_test_ThisKeyIsWrongAndMustNeverBeEchoed0001';
  const broken = await startStore({
    sandbox,
    registerWebhook: false,
    plugin: {
      driver: createUmmahDriver({
        secretKey: wrongKey,
        brandId: sandbox.brandId,
        baseUrl: sandbox.apiBase,
        logger: captureLogger('ummah-wrong-key'),
      }),
      secrets: [],
    },
  });
  try {
    const order = store.createOrder({ capture: 'manual' });
    await post(`${store.url}/payments/checkout`, `orderId=${order.id}`);
    const [payment] = await store.tijara.listPayments(order.id);
    await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
    await record(await fetch(`${store.url}/payments/return/${order.id}/1/success`, { redirect: 'manual' }));
    await post(`${store.url}/payments/admin/orders/${order.id}/capture`, '');
    await post(`${store.url}/payments/admin/orders/${order.id}/refund`, 'amount=100');
    await post(`${store.url}/payments/admin/orders/${order.id}/refund`, 'amount=99999999');
    await record(await fetch(`${store.url}/payments/admin/orders/${order.id}`));
    await post(`${store.url}/payments/webhook`, '{"forged":true}', 'application/json', {
      'x-signature': 'AAAA',
    });
    await sandbox.settle();

    // The gateway rejects the key: the buyer gets a generic 502, the log says why, neither shows the key.
    const other = broken.createOrder();
    const failed = await post(`${broken.url}/payments/checkout`, `orderId=${other.id}`);
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ error: 'gateway_error', message: expect.any(String) });
    expect(capturedLogs.some((line) => line.includes('authentication'))).toBe(true);
  } finally {
    await broken.close();
    await store.close();
  }

  expect(seen.length).toBe(8);
  for (const text of [...seen, ...capturedLogs]) {
    expect(text).not.toContain(sandbox.secretKey);
    expect(text).not.toContain(wrongKey);
    expect(text).not.toMatch(/sk_(test|live)_[A-Za-z0-9]/);
  }
});
