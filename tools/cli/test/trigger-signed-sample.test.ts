import { createHmac, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { parseUmmahEvent, UMMAH_EVENT_TYPES } from '@tijara/ummah';
import { runTijara } from './run-tijara.js';

let dir: string;
let publicKey: string;
let receiver: LoopbackServer;
let answer = 200;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-trigger-'));
  await runTijara(['keys', 'generate', '--out', '.'], { cwd: dir });
  publicKey = readFileSync(join(dir, 'public.pem'), 'utf8');
  receiver = await startLoopbackServer((_request, response) => {
    response.writeHead(answer, { 'content-type': 'text/plain' });
    response.end('ok');
  });
});
afterAll(async () => {
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

function verifies(body: Buffer, signature: string): boolean {
  return verify('sha256', body, createPublicKey(publicKey), Buffer.from(signature, 'base64'));
}

test.each([
  ['purchase.paid', 'paid', 'paid'],
  ['purchase.payment_failure', 'error', 'failed'],
  ['purchase.hold', 'hold', 'authorized'],
  ['purchase.refunded', 'refunded', 'refunded'],
  ['purchase.cancelled', 'cancelled', 'canceled'],
])(
  'trigger %s --key: a signed envelope that verifies and parses as the driver expects',
  async (event, rawStatus, status) => {
    answer = 200;
    const before = receiver.requests.length;
    const result = await runTijara(
      ['webhooks', 'trigger', event, '--key', 'private.pem', '--to', `${receiver.url}/webhooks/ummah`],
      { cwd: dir },
    );
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: `${event}  -> 200\n` });

    expect(receiver.requests).toHaveLength(before + 1);
    const request = receiver.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/webhooks/ummah' });
    expect(request.headers['content-type']).toBe('application/json');
    expect(verifies(request.body, String(request.headers['x-signature']))).toBe(true);

    const body = request.json as {
      id: string;
      type: string;
      object: { status: string; purchase: { total: number } };
    };
    expect(body).toMatchObject({ type: event, object: { status: rawStatus, purchase: { total: 2999 } } });
    const parsed = parseUmmahEvent(body, true);
    expect(parsed).toMatchObject({
      id: body.id,
      rawType: event,
      payment: { status, amount: 2999, currency: 'USD' },
    });
  },
);

test('trigger payment.refunded --key sends a refund Payment the driver reads as a refund', async () => {
  answer = 200;
  const result = await runTijara(
    ['webhooks', 'trigger', 'payment.refunded', '--key', 'private.pem', '--to', receiver.url],
    { cwd: dir },
  );
  expect(result.code).toBe(0);
  const request = receiver.requests.at(-1)!;
  expect(verifies(request.body, String(request.headers['x-signature']))).toBe(true);
  expect(parseUmmahEvent(request.json, true)).toMatchObject({
    rawType: 'payment.refunded',
    refund: { amount: 2999 },
  });
});

test('every documented event has a sample that is signed and delivered', async () => {
  answer = 204;
  const results = await Promise.all(
    UMMAH_EVENT_TYPES.map((event) =>
      runTijara(['webhooks', 'trigger', event, '--key', 'private.pem', '--to', receiver.url], { cwd: dir }),
    ),
  );
  results.forEach((result, index) => {
    expect(result).toMatchObject({ code: 0, stdout: `${UMMAH_EVENT_TYPES[index]}  -> 204\n` });
  });
  const types = receiver.requests
    .slice(-UMMAH_EVENT_TYPES.length)
    .map((r) => (r.json as { type: string }).type);
  expect(types.sort()).toEqual([...UMMAH_EVENT_TYPES].sort());
});

test('a non-2xx answer is printed, then reported as a failure (exit 1)', async () => {
  answer = 401;
  const result = await runTijara(
    ['webhooks', 'trigger', 'purchase.paid', '--key', 'private.pem', '--to', receiver.url],
    { cwd: dir },
  );
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('purchase.paid  -> 401\n');
  expect(result.stderr).toBe(
    `tijara: error: ${receiver.url}/ answered 401; the gateway would retry this delivery\n`,
  );
});

test('trigger --gateway postpay --secret --file: the body, signed the way Postpay signs', async () => {
  answer = 200;
  const body = '{"type":"order","data":{"order_id":"ord_9","status":"captured"}}';
  writeFileSync(join(dir, 'order.json'), body);
  const before = receiver.requests.length;
  const result = await runTijara(
    [
      'webhooks',
      'trigger',
      'order',
      '--gateway',
      'postpay',
      '--secret',
      'whsec_trigger',
      '--file',
      'order.json',
      '--to',
      `${receiver.url}/webhooks/postpay`,
    ],
    { cwd: dir },
  );
  expect(result).toMatchObject({ code: 0, stderr: '', stdout: 'order  -> 200\n' });
  const request = receiver.requests[before]!;
  expect(request.body.toString('utf8')).toBe(body);
  const [stamp, hex] = String(request.headers['x-postpay-signature']).split(':');
  expect(hex).toBe(createHmac('sha256', 'whsec_trigger').update(`${stamp}:${body}`).digest('hex'));
  expect(request.headers['x-signature']).toBeUndefined();

  // Without --file the event is made to happen for real: 'order' is no event Postpay's sandbox can be made to send.
  const noBody = await runTijara(
    ['webhooks', 'trigger', 'order', '--gateway', 'postpay', '--secret', 's', '--to', receiver.url],
    { cwd: dir },
  );
  expect(noBody.code).toBe(2);
  expect(noBody.stderr).toMatch(
    /^tijara: error: order cannot be caused on Postpay from here \(possible: order\.approved, .*\); pass --file body\.json --secret … --to URL to send a signed body instead\n$/,
  );
});
