/**
 * How refused webhook requests are logged: a warning that says what was wrong (bad signature, wrong content type,
 * too large), never a stack trace; a stack is for a failure on our side (5xx). Real sandbox, real plugin.
 */
import type { RunningSandbox } from '@tijara/sandbox';
import {
  capturedLogs,
  CARDS,
  eventually,
  payOnSandbox,
  postForm,
  startStore,
  startTestSandbox,
  type StoreHarness,
} from './support/harness.js';

let sandbox: RunningSandbox;
let store: StoreHarness;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  store = await startStore({ sandbox });
});
afterAll(async () => {
  await store.close();
  await sandbox.close();
});

interface LogLine {
  readonly component: string;
  readonly level: string;
  readonly msg?: string;
  readonly status?: number;
  readonly code?: string;
  readonly reason?: { name: string; message: string };
}

function pluginLines(from: number): Array<{ line: LogLine; text: string }> {
  return capturedLogs
    .slice(from)
    .map((text) => ({ line: JSON.parse(text) as LogLine, text }))
    .filter(({ line }) => line.component === 'express');
}

test.each([
  [
    'a bad signature',
    { 'content-type': 'application/json', 'x-signature': Buffer.from('forged').toString('base64') },
    '{"event_type":"purchase.paid","id":"x"}',
    403,
    'invalid_signature',
  ],
  ['no signature at all', { 'content-type': 'application/json' }, '{"id":"x"}', 403, 'invalid_signature'],
  [
    'a form body',
    { 'content-type': 'application/x-www-form-urlencoded' },
    'a=1',
    415,
    'unsupported_media_type',
  ],
  [
    'a body over the limit',
    { 'content-type': 'application/json' },
    `{"pad":"${'x'.repeat(300 * 1024)}"}`,
    413,
    'body_too_large',
  ],
])(
  '%s is refused, logged once at warn with its reason and no stack',
  async (_case, headers, body, status, code) => {
    const from = capturedLogs.length;
    const response = await fetch(`${store.url}/payments/webhook`, { method: 'POST', headers, body });
    expect(response.status).toBe(status);
    const lines = pluginLines(from).filter(({ line }) => line.msg === 'webhook refused');
    expect(lines).toHaveLength(1);
    const [{ line, text }] = lines as [{ line: LogLine; text: string }];
    expect(line).toMatchObject({ level: 'warn', status, code, reason: { message: expect.any(String) } });
    expect(text).not.toMatch(/stack|\n\s+at /);
    expect(pluginLines(from).filter(({ line }) => line.level === 'error')).toEqual([]);
  },
);

test('a delivery the store fails to handle is a 5xx, logged at error with its stack', async () => {
  const order = store.createOrder();
  await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
  const [payment] = await store.tijara.listPayments(order.id);
  const from = capturedLogs.length;
  store.failNext('payment.paid');
  await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
  const failed = await eventually(() => {
    const found = pluginLines(from).find(({ line }) => line.msg === 'payment route failed');
    if (!found) throw new Error('no failure logged yet');
    return found;
  });
  expect(failed.line).toMatchObject({ level: 'error', status: 500, code: 'store_callback_failed' });
  expect(failed.text).toContain('"stack"');
  // The gateway's retry delivers it again, and this time the store takes it.
  await eventually(() =>
    expect(store.events.map((e) => [e.orderId, e.type])).toContainEqual([order.id, 'payment.paid']),
  );
});
