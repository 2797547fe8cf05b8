import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createNumipayDriver, type NumipayDriver } from '@tijara/numipay';
import type { RunningSandbox } from '../src/index.js';
import { control, start, startReceiver, type Json, type Receiver } from './helpers.js';

/** The Numipay emulation over plain HTTP: the request envelope, its errors, webhooks and retries, payouts, faults. */
let sandbox: RunningSandbox;
let receiver: Receiver;
let dir: string;
let base: string;
let apiKey: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-numipay-'));
  receiver = await startReceiver();
  sandbox = await start({
    dbFile: join(dir, 'sandbox.db'),
    gatewayOptions: { numipay: { webhookUrl: `${receiver.url}/hooks` } },
  });
  base = sandbox.gateways.numipay.baseUrl(sandbox.url);
  apiKey = sandbox.gateways.numipay.apiKey;
});
afterAll(async () => {
  await receiver?.close();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await sandbox.reset();
  receiver.requests.length = 0;
  receiver.respondWith(200);
});

async function call(method: string, path: string, body?: unknown, key = apiKey) {
  const response = await fetch(`${base}api/v1/${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

const envelope = (tracking: string, extra: Record<string, unknown> = {}) => ({
  request: {
    mode: 'test',
    user_id: '128',
    tracking_id: tracking,
    ip: '127.34.125.54',
    amount: 10.05,
    currency: 'EUR',
    customer: { first_name: 'John', last_name: 'Doe', email: 'user@example.com', country_code: 'GB' },
    ...extra,
  },
});

const driver = (): NumipayDriver =>
  createNumipayDriver({
    apiKey,
    baseUrl: base,
    mode: 'test',
    routingId: 210,
    cashierUrl: sandbox.gateways.numipay.cashierUrl(sandbox.url),
    webhooks: { signaturePasswords: [sandbox.gateways.numipay.signaturePassword] },
    backoffBaseMs: 5,
    jitterMs: 0,
  });
const order = (reference: string, amount = 1005) => ({
  amount,
  currency: 'EUR',
  reference,
  customer: { email: 'jane@example.com', reference: 'U1' },
  capture: 'automatic' as const,
  returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
});

describe('requests', () => {
  it('the seed’s cashier request answers a token; a wrong key is 401', async () => {
    const answer = await call(
      'POST',
      'cashier/deposit',
      envelope('fb832194-34e1-4e6c-8494-d88034cf3e47', { amount_restricted: true }),
    );
    expect(answer).toEqual({ status: 200, body: { token: expect.stringMatching(/^[A-Za-z0-9]{50}$/) } });
    expect(await call('POST', 'cashier/deposit', envelope('t-1'), 'wrong')).toEqual({
      status: 401,
      body: { message: 'Invalid API key' },
    });
  });

  it('refuses what the envelope cannot be: an inexact amount, no user, live mode with a DEV key', async () => {
    const inexact = await call('POST', 'cashier/deposit', envelope('t-2', { amount: 10.055 }));
    expect(inexact.status).toBe(400);
    expect(inexact.body.errors).toHaveProperty(['request.amount']);
    expect(
      (await call('POST', 'cashier/deposit', { request: { ...envelope('t-3').request, user_id: undefined } }))
        .body.errors,
    ).toHaveProperty(['request.user_id']);
    expect((await call('POST', 'cashier/deposit', envelope('t-4', { mode: 'live' }))).body.message).toMatch(
      /DEV API key/,
    );
  });

  it('lists at most seven days at a time', async () => {
    expect((await call('GET', 'transactions?from=01-08-2024&to=09-08-2024')).body).toEqual({
      message: "Maximum range between dates it's 7 days",
    });
    expect(await call('GET', 'transactions?from=01-08-2024&to=08-08-2024')).toEqual({
      status: 200,
      body: [],
    });
  });

  it('is listed in /__sandbox/info', async () => {
    const info = await control(sandbox, 'GET', '/info');
    expect(info.body.gateways.numipay).toMatchObject({
      baseUrl: base,
      apiKey,
      webhookUrl: `${receiver.url}/hooks`,
    });
  });
});

describe('webhooks', () => {
  it('signs the compact JSON with the password and retries until answered 2xx', async () => {
    receiver.respondWith(500, 200);
    const payment = await driver().createPayment(order('order-w1'), { idempotencyKey: 'order-w1' });
    await control(sandbox, 'POST', `/numipay/sessions/${payment.id}/pay`, { outcome: 'success' });
    await sandbox.settle();
    expect(receiver.requests).toHaveLength(1);
    await sandbox.advanceClock(61);
    await sandbox.settle();
    expect(receiver.requests).toHaveLength(2);
    const [first, second] = receiver.requests;
    expect(second!.body.equals(first!.body)).toBe(true);
    const password = sandbox.gateways.numipay.signaturePassword;
    const expected = createHash('sha1').update(second!.body).update(password).digest('hex').toUpperCase();
    expect(second!.headers['x-signature']).toBe(expected);
    expect(second!.body.toString()).toBe(JSON.stringify(JSON.parse(second!.body.toString())));
    expect(second!.json).toMatchObject({
      tracking_id: payment.id,
      status: 'successful',
      amount: '10.05',
      currency: 'EUR',
      transaction_type: 'deposit',
      user_id: 'U1',
    });

    const event = await driver().verifyWebhook(second!.body, second!.headers as Record<string, string>);
    expect(event).toMatchObject({ type: 'payment.paid', paymentId: payment.id });
    const log = await control(sandbox, 'GET', '/deliveries?gateway=numipay');
    expect(log.body.results ?? log.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: 'delivered', attempt_count: 2 })]),
    );
  });
});

describe('payouts', () => {
  it('wait for one decision; a second is refused; an approved payout is paid out on the clock', async () => {
    const numipay = driver();
    const session = await numipay.createPayout(order('p-1', 5000), { idempotencyKey: 'p-1' });
    await control(sandbox, 'POST', `/numipay/payouts/${session.id}/submit`);
    expect(await call('POST', 'payouts/approve', { transaction_id: session.id })).toEqual({
      status: 200,
      body: {
        message: 'Transaction Withdrawal has been approved successfully',
        transaction_status: 'pending',
      },
    });
    expect((await call('POST', 'payouts/approve', { transaction_id: session.id })).status).toBe(400);
    expect((await call('POST', 'payouts/reject', { transaction_id: session.id })).status).toBe(400);
    expect((await numipay.retrievePayout(session.id)).status).toBe('pending');
    await sandbox.advanceClock(31);
    expect((await numipay.retrievePayout(session.id)).status).toBe('paid');
  });
});

describe('faults and card data', () => {
  it('a card payment whose answer is lost is read back, not charged again, and the card is stored nowhere', async () => {
    await control(sandbox, 'POST', '/numipay/faults', {
      type: 'error',
      status: 502,
      when: 'after',
      method: 'POST',
      path: '/numipay/api/v1/payments/s2s',
      count: 1,
    });
    const card = {
      holder_name: 'Ada Lovelace',
      card_number: '4917610000000000',
      cvc: '737',
      exp_month: '03',
      exp_year: '2031',
    };
    const charged = await driver().chargeCard(order('order-f1', 2000), card, { idempotencyKey: 'order-f1' });
    expect(charged).toMatchObject({ status: 'paid', nextAction: { type: 'none' } });
    const list = await call('GET', 'transactions');
    expect(list.body.filter((t: Json) => t.transaction_type === 'deposit')).toHaveLength(1);

    await sandbox.settle();
    // The database and its write-ahead log, wherever SQLite put the rows; the scan means something only if the
    // transaction itself is in there.
    const stored = Buffer.concat(
      ['sandbox.db', 'sandbox.db-wal']
        .filter((f) => existsSync(join(dir, f)))
        .map((f) => readFileSync(join(dir, f))),
    );
    expect(stored.includes(Buffer.from(charged.id))).toBe(true);
    for (const secret of [card.card_number, `"cvc":"${card.cvc}"`, card.holder_name]) {
      expect(stored.includes(Buffer.from(secret))).toBe(false);
    }
  });

  it('a dropped connection on a status read is retried by the driver', async () => {
    const payment = await driver().createPayment(order('order-f2'), { idempotencyKey: 'order-f2' });
    await control(sandbox, 'POST', '/numipay/faults', {
      type: 'drop',
      method: 'GET',
      path: '/numipay/api/v1/transactions/*',
      count: 1,
    });
    expect((await driver().retrievePayment(payment.id)).status).toBe('pending');
  });
});
