import { ConnectionError, GatewayError } from '@tijara/core';
import { createUhmiDriver } from '@tijara/uhmi';
import type { RunningSandbox } from '../src/index.js';
import { control, start, type Json } from './helpers.js';

/** The Uhmi emulation over plain HTTP: the seed's requests, answers and errors, then its control API and faults. */
let sandbox: RunningSandbox;
let apiBase: string;
let apiKey: string;

beforeAll(async () => {
  sandbox = await start();
  apiKey = sandbox.gateways.uhmi.apiKey;
  apiBase = sandbox.gateways.uhmi.apiBase(sandbox.url);
});
afterAll(() => sandbox?.close());
beforeEach(() => sandbox.reset());

async function call(
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${apiBase}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

const json = (value: unknown) => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
});
const create = (value: unknown) => {
  const { body, headers } = json(value);
  return call('POST', 'payments', body, headers);
};

describe('the seed’s requests', () => {
  it('creates a payment from the curl example (form fields, metadata[...]) and answers its response shape', async () => {
    const form = new URLSearchParams({
      type: 'content',
      title: 'My video',
      price: '0.25',
      pwyw: 'true',
      category: 'video',
      refundable: 'true',
      repeatable: 'false',
      cover: 'https://yourwebsite.com/images/image.png',
      'metadata[video_id]': '8690',
      success_url: 'https://yourwebsite.com/success',
    }).toString();
    const created = await call('POST', 'payments', form, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      payment_id: expect.stringMatching(/^[A-Za-z0-9]{30}$/),
      status: 'active',
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/),
      type: 'content',
      title: 'My video',
      price: 0.25,
      pwyw: true,
      category: 'video',
      refundable: true,
      repeatable: false,
      cover: 'https://yourwebsite.com/images/image.png',
      metadata: { video_id: '8690' },
      success_url: 'https://yourwebsite.com/success',
    });
    const read = await call('GET', `payments/${created.body.payment_id}`);
    expect(read).toEqual({ status: 200, body: created.body });
  });

  it('updates only what is given, deletes with the seed’s text, then 404', async () => {
    const created = await create({
      type: 'subscription',
      title: 'Letter',
      price: 4.5,
      interval: 'month',
      interval_count: 3,
    });
    const id = created.body.payment_id as string;
    const patch = json({ title: 'Quarterly letter' });
    const updated = await call('PATCH', `payments/${id}`, patch.body, patch.headers);
    expect(updated.body).toMatchObject({
      title: 'Quarterly letter',
      price: 4.5,
      interval: 'month',
      interval_count: 3,
    });
    expect(await call('DELETE', `payments/${id}`)).toEqual({ status: 200, body: 'Payment deleted' });
    expect(await call('GET', `payments/${id}`)).toEqual({
      status: 404,
      body: { error: { code: 404, message: 'The requested resource could not be found.' } },
    });
  });
});

describe('the seed’s errors', () => {
  it('401 without the key or with another', async () => {
    for (const authorization of ['', 'Bearer wrong-key', `Basic ${apiKey}`]) {
      const response = await fetch(`${apiBase}payments/x`, {
        headers: authorization ? { authorization } : {},
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: 401, message: 'The authentication has failed. Check your API key.' },
      });
    }
  });

  it("400 with the seed's message for a missing or invalid price", async () => {
    expect(await create({ type: 'content', title: 'A' })).toEqual({
      status: 400,
      body: { error: { code: 400, message: "The 'price' parameter is invalid or missing." } },
    });
    expect((await create({ type: 'content', title: 'A', price: 150.01 })).status).toBe(400);
    expect(
      (await create({ type: 'subscription', title: 'A', price: 1, interval: 'week', interval_count: 53 }))
        .body.error.message,
    ).toMatch(/interval_count/);
  });

  it('415 for a body that is not UTF-8', async () => {
    const latin1 = Buffer.from('{"type":"content","title":"Caf\xe9","price":1}', 'latin1');
    expect(await call('POST', 'payments', latin1, { 'content-type': 'application/json' })).toEqual({
      status: 415,
      body: {
        error: {
          code: 415,
          message:
            'The encoding of your request has a media type which is not supported. Make sure you use UTF-8.',
        },
      },
    });
  });

  it('405 for a method the path does not have, 404 for a path that does not exist', async () => {
    expect((await call('PUT', 'payments/x', '{}', { 'content-type': 'application/json' })).status).toBe(405);
    expect((await call('POST', 'transactions/x')).status).toBe(405);
    expect((await call('GET', 'refunds')).status).toBe(404);
  });
});

describe('the widget and the control API', () => {
  it('pay what you want: at least the price; a one-time payment is paid once', async () => {
    const created = await create({ type: 'donation', title: 'Tip', price: 2, pwyw: true });
    const id = created.body.payment_id as string;
    expect((await control(sandbox, 'POST', `/uhmi/payments/${id}/pay`, { price: 150 })).status).toBe(400);
    const paid = await control(sandbox, 'POST', `/uhmi/payments/${id}/pay`, { price: 350 });
    expect(paid.body).toMatchObject({
      payment_id: id,
      status: 'paid',
      price: 3.5,
      transaction_id: expect.stringMatching(/^[A-Z0-9]{17}$/),
    });
    expect((await control(sandbox, 'POST', `/uhmi/payments/${id}/pay`, {})).status).toBe(400);
    expect((await call('GET', `transactions/${paid.body.transaction_id}`)).body).toMatchObject({
      status: 'paid',
      price: 3.5,
    });

    // A buyer's refund within the window reads as refunded.
    await control(sandbox, 'POST', `/uhmi/transactions/${paid.body.transaction_id}/status`, {
      status: 'refunded',
    });
    expect((await call('GET', `transactions/${paid.body.transaction_id}`)).body.status).toBe('refunded');
  });

  it('decline makes a failed transaction', async () => {
    const id = (await create({ type: 'content', title: 'A', price: 1 })).body.payment_id as string;
    expect((await control(sandbox, 'POST', `/uhmi/payments/${id}/decline`)).body).toMatchObject({
      status: 'failed',
    });
  });

  it('is listed in /__sandbox/info', async () => {
    const info = await control(sandbox, 'GET', '/info');
    expect(info.body.gateways.uhmi).toEqual({
      baseUrl: `${sandbox.url}/uhmi`,
      apiBase,
      apiKey,
      widgetScript: `${sandbox.url}/uhmi/widget.js`,
      widgetPage: `${sandbox.url}/uhmi/widget/{payment_id}`,
    });
  });
});

describe('fault injection', () => {
  const driver = () => createUhmiDriver({ apiKey, baseUrl: apiBase, backoffBaseMs: 5, jitterMs: 0 });
  const order = {
    amount: 100,
    currency: 'EUR',
    reference: 'o-1',
    customer: { email: 'a@example.com' },
    capture: 'automatic' as const,
    returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
  };

  it('a 503 is a refusal: the create is sent again and makes one payment', async () => {
    await control(sandbox, 'POST', '/uhmi/faults', {
      type: 'error',
      status: 503,
      method: 'POST',
      path: '/uhmi/api/v1/payments',
      count: 1,
    });
    expect((await driver().createPayment(order)).status).toBe('pending');
    expect((await control(sandbox, 'GET', '/uhmi/payments')).body.results).toHaveLength(1);
  });

  it('an answer lost after the payment was made is an unknown outcome, never a second payment', async () => {
    await control(sandbox, 'POST', '/uhmi/faults', {
      type: 'error',
      status: 502,
      when: 'after',
      method: 'POST',
      path: '/uhmi/api/v1/payments',
      count: 1,
    });
    const error = await driver()
      .createPayment(order)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ outcomeUnknown: true });
    expect((await control(sandbox, 'GET', '/uhmi/payments')).body.results).toHaveLength(1);
  });

  it('a dropped connection on a read is retried', async () => {
    const created = await driver().createPayment(order);
    await control(sandbox, 'POST', '/uhmi/faults', {
      type: 'drop',
      method: 'GET',
      path: '/uhmi/api/v1/payments/*',
      count: 1,
    });
    expect((await driver().retrievePayment(created.id)).status).toBe('pending');
    await control(sandbox, 'POST', '/uhmi/faults', {
      type: 'drop',
      method: 'GET',
      path: '/uhmi/api/v1/payments/*',
      count: 3,
    });
    expect(
      await driver()
        .retrievePayment(created.id)
        .catch((e: unknown) => e),
    ).toBeInstanceOf(ConnectionError);
  });
});
