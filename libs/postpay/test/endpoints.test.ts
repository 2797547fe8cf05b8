import type { ServerResponse } from 'node:http';
import { type Endpoint } from '@tijara/core';
import { ENDPOINTS, listPostpayEndpoints, POSTPAY_MEDIA_TYPE, PostpayClient } from '@tijara/postpay';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import {
  loadEndpointFixtures,
  MERCHANT_ID,
  TEST_SECRET_KEY,
  type EndpointFixture,
} from './support/fixtures.js';

const fixtures = loadEndpointFixtures();
const endpoints = listPostpayEndpoints();
const BASIC = `Basic ${Buffer.from(`${MERCHANT_ID}:${TEST_SECRET_KEY}`).toString('base64')}`;

let server: LoopbackServer;
let client: PostpayClient;
let answer: ((response: ServerResponse) => void) | undefined;

beforeAll(async () => {
  server = await startLoopbackServer((_request, response) => {
    if (!answer) return sendJson(response, 500, { error: { code: 'error', message: 'no fixture armed' } });
    answer(response);
  });
  client = new PostpayClient({
    merchantId: MERCHANT_ID,
    secretKey: TEST_SECRET_KEY,
    baseUrl: server.url,
    maxAttempts: 1,
  });
});
afterAll(() => server.close());

function reply(fixture: EndpointFixture) {
  answer = (response) => {
    if (fixture.response.status === 204) {
      response.writeHead(204);
      response.end();
    } else {
      // Postpay answers with the JSON:API media type (seed 003), not application/json.
      sendJson(response, fixture.response.status, fixture.response.body, {
        'content-type': 'application/vnd.api+json',
      });
    }
  };
}

/** The generated method for a dotted endpoint name, e.g. `orders.refunds.create`. */
function methodFor(name: string): (...args: unknown[]) => unknown {
  let target: unknown = client;
  for (const part of name.split('.')) target = (target as Record<string, unknown>)[part];
  expect(typeof target).toBe('function');
  return target as (...args: unknown[]) => unknown;
}

describe('Postpay endpoint table', () => {
  it('declares every operation of seed 003, each with a recorded fixture', () => {
    expect(endpoints.map((e) => `${e.endpoint.method} /${e.endpoint.path}`)).toEqual([
      'POST /checkouts',
      'GET /orders',
      'GET /orders/{order_id}',
      'POST /orders/{order_id}/capture',
      'GET /orders/{order_id}/refunds',
      'GET /orders/{order_id}/refunds/{refund_id}',
      'POST /orders/{order_id}/refunds',
      'GET /transactions',
      'GET /transactions/{transaction_id}',
      'GET /hooks',
      'GET /hooks/{hook_id}',
      'POST /hooks',
      'PATCH /hooks/{hook_id}',
      'DELETE /hooks/{hook_id}',
    ]);
    expect([...fixtures.keys()].sort()).toEqual(endpoints.map((e) => e.name).sort());
  });

  it('marks the POSTs as not idempotent: without keys they are never re-sent blindly', () => {
    for (const { endpoint } of endpoints) expect(endpoint.idempotent).toBe(endpoint.method !== 'POST');
  });
});

describe.each(endpoints.map((e) => [e.name, e.endpoint] as const))('%s', (name, endpoint: Endpoint) => {
  const fixture = fixtures.get(name) as EndpointFixture;

  it(`sends the documented ${endpoint.method} and returns the validated response`, async () => {
    reply(fixture);
    const before = server.requests.length;
    const result = await methodFor(name)(...fixture.args);

    expect(server.requests).toHaveLength(before + 1);
    const sent = server.requests[before]!;
    expect(sent.method).toBe(fixture.request.method);
    expect(sent.path).toBe(fixture.request.path);
    expect(Object.fromEntries(sent.query)).toEqual(fixture.request.query ?? {});
    expect(sent.headers.authorization).toBe(BASIC);
    expect(sent.headers.accept).toBe(POSTPAY_MEDIA_TYPE);
    expect(sent.headers['user-agent']).toMatch(/^tijara-postpay\//);
    expect(sent.headers['idempotency-key']).toBeUndefined();
    if (fixture.request.body === undefined) {
      expect(sent.body).toHaveLength(0);
    } else {
      expect(sent.json).toEqual(fixture.request.body);
      expect(sent.headers['content-type']).toMatch(/^application\/json/);
    }
    if (fixture.response.status === 204) expect(result).toBeUndefined();
    else expect(result).toEqual(fixture.response.body);
  });

  if (endpoint.items) {
    it('iterates over every item of the list', async () => {
      reply(fixture);
      const items: unknown[] = [];
      const list = methodFor(name)(...fixture.args) as AsyncIterable<unknown>;
      for await (const item of list) items.push(item);
      expect(items).toEqual((fixture.response.body as { results: unknown[] }).results);
    });
  }
});

describe('one request path', () => {
  it('follows absolute next links page by page (Postpay’s own form); awaiting gives the first page', async () => {
    const summary = (fixtures.get('orders.list')!.response.body as { results: Record<string, unknown>[] })
      .results[0]!;
    answer = (response) => {
      const last = server.requests[server.requests.length - 1]!;
      const page = Number(last.query.get('page') ?? '1');
      sendJson(response, 200, {
        count: 3,
        next: page < 3 ? `${server.url}/orders?page=${page + 1}&page_size=1` : null,
        previous: page > 1 ? `${server.url}/orders?page_size=1` : null,
        results: [{ ...summary, order_id: `order-0${page}` }],
      });
    };
    const before = server.requests.length;
    const ids: string[] = [];
    for await (const order of client.orders.list({ page_size: 1 })) ids.push(order.order_id);
    expect(ids).toEqual(['order-01', 'order-02', 'order-03']);
    expect(server.requests.slice(before).map((r) => `${r.path}?${r.query}`)).toEqual([
      '/orders?page_size=1',
      '/orders?page=2&page_size=1',
      '/orders?page=3&page_size=1',
    ]);
    expect((await client.orders.list({ page_size: 1 })).results).toHaveLength(1);
  });

  it('encodes a path parameter as one segment and refuses what would leave it', async () => {
    reply(fixtures.get('orders.retrieve')!);
    const before = server.requests.length;
    await client.orders.retrieve('cart/1?x');
    expect(server.requests[before]!.path).toBe('/orders/cart%2F1%3Fx');
    await expect(client.orders.retrieve('..')).rejects.toMatchObject({
      details: { order_id: ['Not a valid id.'] },
    });
    await expect(client.orders.refunds.retrieve('order-01', '')).rejects.toMatchObject({
      type: 'invalid_request',
      details: { refund_id: ['This field may not be blank.'] },
    });
    expect(server.requests).toHaveLength(before + 1);
  });

  it('refuses invalid input before sending, in the gateway’s words', async () => {
    const before = server.requests.length;
    await expect(
      client.orders.refunds.create('order-01', { refund_id: '', amount: 0 } as never),
    ).rejects.toMatchObject({
      type: 'invalid_request',
      details: {
        refund_id: ['This field may not be blank.'],
        amount: ['Ensure this value is greater than or equal to 1.'],
      },
    });
    await expect(
      client.hooks.create({ events: ['refund'], url: 'ftp://x', secret: 's' } as never),
    ).rejects.toMatchObject({
      details: { 'events.0': ['"refund" is not a valid choice.'], url: ['Enter a valid URL.'] },
    });
    expect(server.requests).toHaveLength(before);
  });

  it('is the same call() the generated methods use', async () => {
    reply(fixtures.get('transactions.retrieve')!);
    const viaCall = await client.call(ENDPOINTS.transactions.retrieve, {
      transaction_id: '09737e0fa4ef47ba855bdd59f172318b',
    });
    expect(viaCall).toEqual(await client.transactions.retrieve('09737e0fa4ef47ba855bdd59f172318b'));
  });

  it('defaults to Postpay’s sandbox for a test key and to the live API for a live key', () => {
    expect(new PostpayClient({ merchantId: MERCHANT_ID, secretKey: TEST_SECRET_KEY }).baseUrl).toBe(
      'https://sandbox.postpay.io',
    );
    expect(new PostpayClient({ merchantId: MERCHANT_ID, secretKey: 'sk_live_0a1b2c3d4e5f' }).baseUrl).toBe(
      'https://api.postpay.io',
    );
  });
});

/** Compile-time checks of the generated signatures: typecheck fails if they loosen. Never called. */
export function generatedSignatures(c: PostpayClient): unknown[] {
  return [
    // @ts-expect-error the refund id is required
    c.orders.refunds.create('order-01', { amount: 100 }),
    // @ts-expect-error both path parameters are required
    c.orders.refunds.retrieve('order-01'),
    // @ts-expect-error amounts are integers, not strings
    c.orders.refunds.create('order-01', { refund_id: 'r', amount: '10.00' }),
    // @ts-expect-error not a filter of GET /orders
    c.orders.list({ state: 'captured' }),
    c.orders.capture('order-01'),
    c.orders.list({ status__in: ['captured', 'denied'], ordering: '-created' }),
    c.hooks.list(undefined, { signal: AbortSignal.timeout(1000) }),
  ];
}
