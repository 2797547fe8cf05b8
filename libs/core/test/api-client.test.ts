import { inspect } from 'node:util';
import { z } from 'zod';
import {
  sendJson,
  startLoopbackServer,
  type LoopbackHandler,
  type LoopbackServer,
} from '../../testkit/src/loopback.js';
import { ApiClient, type ApiClientOptions } from '../src/api/client.js';
import { defineEndpoint, isEndpoint, listEndpoints } from '../src/api/endpoint.js';
import {
  ConflictError,
  errorFromHttpStatus,
  GatewayError,
  InvalidRequestError,
  TijaraError,
  type FieldDetails,
} from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { NOT_DONE, recovered } from '../src/transport.js';
import type { ErrorResponse } from '../src/transport-types.js';

const MERCHANT = 'id_merchant_7f3a';
const SECRET_KEY = 'sk_test_apiClientSecret0123456789abcdef';

let servers: LoopbackServer[] = [];
let logLines: string[] = [];
const logger: Logger = {
  debug: (obj, msg) => void logLines.push(inspect({ obj, msg }, { depth: 8 })),
  info: (obj, msg) => void logLines.push(inspect({ obj, msg }, { depth: 8 })),
  warn: (obj, msg) => void logLines.push(inspect({ obj, msg }, { depth: 8 })),
  error: (obj, msg) => void logLines.push(inspect({ obj, msg }, { depth: 8 })),
};

async function serve(handler: LoopbackHandler): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  logLines = [];
});

async function failure(promise: PromiseLike<unknown>): Promise<TijaraError> {
  const error = await Promise.resolve(promise).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TijaraError);
  return error as TijaraError;
}

/** `{"error": {"code", "message", "fields"}}`, the error body of Postpay and Uhmi. */
function mapErrorBody(gateway: string) {
  return (response: ErrorResponse) => {
    const error = (response.body as { error?: { code?: string; message?: string; fields?: FieldDetails } })
      ?.error;
    return errorFromHttpStatus({
      statusCode: response.statusCode,
      message: error?.message ?? `${gateway} answered ${response.statusCode}`,
      code: error?.code,
      details: error?.fields,
      raw: response.body,
      gateway,
    });
  };
}

// --- a Postpay-like API: Basic auth, a versioned media type, page/page_size lists, no idempotency keys --------

const order = z.looseObject({ order_id: z.string(), status: z.string(), total_amount: z.int() });
const refund = z.looseObject({ refund_id: z.string(), amount: z.int() });
const page = <T extends z.ZodType>(item: T) =>
  z.looseObject({ count: z.int(), next: z.string().nullable(), results: z.array(item) });

const POSTPAY = {
  orders: {
    retrieve: defineEndpoint({ method: 'GET', path: '/orders/{order_id}', response: order }),
    list: defineEndpoint({
      method: 'GET',
      path: '/orders',
      request: z.object({ page: z.int().min(1).optional(), page_size: z.int().max(50).optional() }),
      response: page(order),
      items: (p) => p.results,
    }),
    capture: defineEndpoint({ method: 'POST', path: '/orders/{order_id}/capture', response: order }),
    refunds: {
      create: defineEndpoint({
        method: 'POST',
        path: '/orders/{order_id}/refunds',
        request: z.object({ refund_id: z.string().min(1), amount: z.int().positive().optional() }),
        response: refund,
      }),
      list: defineEndpoint({
        method: 'GET',
        path: '/orders/{order_id}/refunds',
        request: z.object({ refund_id: z.string().optional() }),
        response: page(refund),
        items: (p) => p.results,
      }),
    },
  },
} as const;

function postpay(baseUrl: string, extra: Partial<ApiClientOptions> = {}) {
  const api = new ApiClient({
    baseUrl,
    gateway: 'postpay',
    gatewayName: 'Postpay',
    auth: { type: 'basic', username: MERCHANT, password: SECRET_KEY },
    accept: 'application/vnd.postpay+json; version=v1',
    idempotencyKeys: false,
    secrets: [SECRET_KEY],
    backoffBaseMs: 5,
    jitterMs: 0,
    logger,
    mapError: mapErrorBody('postpay'),
    ...extra,
  });
  return { api, orders: api.bind(POSTPAY.orders) };
}

describe('ApiClient for a Postpay-like gateway', () => {
  const ord = { order_id: 'ord_1', status: 'approved', total_amount: 25000 };

  it('sends Basic credentials and the versioned media type, and validates the response', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, ord));
    const { orders } = postpay(server.url);
    await expect(orders.retrieve('ord_1')).resolves.toEqual(ord);
    const sent = server.requests[0]!;
    expect(sent.path).toBe('/orders/ord_1');
    expect(sent.headers.authorization).toBe(
      `Basic ${Buffer.from(`${MERCHANT}:${SECRET_KEY}`).toString('base64')}`,
    );
    expect(sent.headers.accept).toBe('application/vnd.postpay+json; version=v1');
  });

  it('puts GET input in the query and iterates page/page_size lists by their next links', async () => {
    const server = await serve((req, res) => {
      const n = Number(req.query.get('page') ?? '1');
      const next = n < 3 ? `${server.url}/orders?page=${n + 1}&page_size=2` : null;
      sendJson(res, 200, { count: 5, next, results: [{ ...ord, order_id: `ord_${n}` }] });
    });
    const { orders } = postpay(server.url);
    const ids: string[] = [];
    for await (const found of orders.list({ page_size: 2 })) ids.push(found.order_id);
    expect(ids).toEqual(['ord_1', 'ord_2', 'ord_3']);
    expect(server.requests.map((r) => r.query.toString())).toEqual([
      'page_size=2',
      'page=2&page_size=2',
      'page=3&page_size=2',
    ]);
    const first = await orders.list();
    expect(first.results).toHaveLength(1);
  });

  it('validates input before sending, naming the field', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const { orders } = postpay(server.url);
    const error = await failure(orders.list({ page_size: 51 }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.details).toEqual({ page_size: [expect.stringContaining('50')] });
    expect(error.message).toMatch(/^Postpay GET \/orders request was not sent: page_size: /);
    const missing = await failure(orders.refunds.create('ord_1', {} as never));
    expect(Object.keys(missing.details ?? {})).toEqual(['refund_id']);
    expect(server.requests).toHaveLength(0);
  });

  it('encodes path parameters as one segment and refuses missing, blank and dot ones', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, ord));
    const { orders } = postpay(server.url);
    await orders.retrieve('a/b?c#d');
    expect(server.requests[0]?.path).toBe('/orders/a%2Fb%3Fc%23d');
    for (const [value, message] of [
      [undefined, 'This field is required.'],
      [' ', 'This field may not be blank.'],
      ['..', 'Not a valid id.'],
    ] as const) {
      const error = await failure(orders.retrieve(value as string));
      expect(error.details).toEqual({ order_id: [message] });
    }
    expect(server.requests).toHaveLength(1);
  });

  it('maps error bodies with the driver mapping, field details included', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 409, { error: { code: 'invalid_status', message: 'Order is not approved.' } }),
    );
    const error = await failure(postpay(server.url).orders.capture('ord_1'));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'invalid_status', gateway: 'postpay', statusCode: 409 });
  });

  it('sends no idempotency key and re-reads instead of re-sending a refund whose answer was lost', async () => {
    const created = { refund_id: 'rf_order42_1', amount: 5000 };
    const server = await serve((req, res, socket) => {
      if (req.method === 'POST') return void socket.destroy();
      const found = req.query.get('refund_id') === created.refund_id ? [created] : [];
      sendJson(res, 200, { count: found.length, next: null, results: found });
    });
    const { orders } = postpay(server.url);
    const result = await orders.refunds.create(
      'ord_1',
      { refund_id: created.refund_id, amount: 5000 },
      {
        idempotencyKey: 'ignored-here',
        recover: async () => {
          const listed = await orders.refunds.list('ord_1', { refund_id: created.refund_id });
          const match = listed.results.find((r) => r.refund_id === created.refund_id);
          return match ? recovered(match) : NOT_DONE;
        },
      },
    );
    expect(result).toEqual(created);
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(server.requests[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('never re-sends a capture without recover, saying the outcome is unknown', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 502, { error: { code: 'error', message: 'Oops!!' } }),
    );
    const error = await failure(postpay(server.url).orders.capture('ord_1'));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
  });
});

// --- a Uhmi-like API: Bearer, form or JSON bodies ------------------------------------------------------------

const payment = z.looseObject({ id: z.string(), title: z.string() });
const UHMI = {
  create: defineEndpoint({
    method: 'POST',
    path: 'payments',
    encoding: 'form',
    request: z.object({
      type: z.enum(['content', 'donation']),
      title: z.string().max(160),
      price: z.number(),
    }),
    response: payment,
  }),
  update: defineEndpoint({
    method: 'PATCH',
    path: 'payments/{id}',
    request: z.object({ title: z.string().max(160) }),
    response: payment,
  }),
  remove: defineEndpoint({ method: 'DELETE', path: 'payments/{id}', response: z.unknown() }),
} as const;

describe('ApiClient for a Uhmi-like gateway', () => {
  it('sends a Bearer token, form bodies where declared and JSON elsewhere', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'DELETE') {
        res.writeHead(204);
        return void res.end();
      }
      sendJson(res, 200, { id: 'pay_1', title: 'Essay' });
    });
    const api = new ApiClient({
      baseUrl: `${server.url}/api/v1/`,
      gateway: 'uhmi',
      auth: { type: 'bearer', token: SECRET_KEY },
      idempotencyKeys: false,
      mapError: mapErrorBody('uhmi'),
    });
    const uhmi = api.bind(UHMI);
    await uhmi.create({ type: 'content', title: 'Essay', price: 1.5 });
    await uhmi.update('pay_1', { title: 'Essay, revised' });
    await expect(uhmi.remove('pay_1')).resolves.toBeUndefined();
    const [create, update, remove] = server.requests;
    expect(create?.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(create?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(create?.body.toString()).toBe('type=content&title=Essay&price=1.5');
    expect(update?.headers['content-type']).toMatch(/^application\/json/);
    expect(update?.json).toEqual({ title: 'Essay, revised' });
    expect(remove?.path).toBe('/api/v1/payments/pay_1');
    expect(server.requests.every((r) => r.headers['idempotency-key'] === undefined)).toBe(true);
  });
});

// --- a Numipay-like API: x-api-key, configurable paths, wrapped requests -------------------------------------

describe('ApiClient for a Numipay-like gateway', () => {
  function numipayEndpoints(paths: { status: string }) {
    return {
      status: defineEndpoint({
        method: 'POST',
        path: paths.status,
        // A status read is a POST that changes nothing.
        idempotent: true,
        request: z
          .object({ transaction_id: z.string().min(1) })
          .transform((fields) => ({ request: { mode: 'test', ...fields } })),
        response: z.looseObject({ transaction_status: z.string() }),
      }),
    };
  }

  it('sends the key in its header, on the configured path, wrapped the way the gateway wants', async () => {
    let calls = 0;
    const server = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) return sendJson(res, 502, {});
      sendJson(res, 200, { transaction_status: 'approved' });
    });
    const api = new ApiClient({
      baseUrl: server.url,
      gateway: 'numipay',
      auth: { type: 'header', name: 'x-api-key', value: SECRET_KEY },
      idempotencyKeys: false,
      backoffBaseMs: 1,
      jitterMs: 0,
      mapError: mapErrorBody('numipay'),
    });
    const numipay = api.bind(numipayEndpoints({ status: '/v2/transactions/status' }));
    await expect(numipay.status({ transaction_id: 'tx_1' })).resolves.toEqual({
      transaction_status: 'approved',
    });
    const sent = server.requests[1]!;
    expect(sent.path).toBe('/v2/transactions/status');
    expect(sent.headers['x-api-key']).toBe(SECRET_KEY);
    expect(sent.json).toEqual({ request: { mode: 'test', transaction_id: 'tx_1' } });
    // Declared idempotent, so the 502 was retried although it is a POST on a gateway without keys.
    expect(server.requests).toHaveLength(2);
  });
});

describe('redaction of every auth form', () => {
  const echo: LoopbackHandler = (req, res) =>
    sendJson(res, 401, {
      error: {
        code: 'authentication_failed',
        message: `bad credentials: ${String(req.headers.authorization)}`,
      },
      key: req.headers['x-api-key'],
      secret: SECRET_KEY,
    });

  it.each([
    ['Basic', { type: 'basic', username: MERCHANT, password: SECRET_KEY }],
    ['Bearer', { type: 'bearer', token: SECRET_KEY }],
    ['x-api-key', { type: 'header', name: 'x-api-key', value: SECRET_KEY }],
  ] as const)('keeps %s credentials out of errors and logs', async (_label, auth) => {
    const server = await serve(echo);
    const api = new ApiClient({
      baseUrl: server.url,
      gateway: 'any',
      auth,
      logger,
      mapError: mapErrorBody('any'),
    });
    const orders = api.bind(POSTPAY.orders);
    const errors = [await failure(orders.retrieve('ord_1')), await failure(orders.list({ page_size: 99 }))];
    const basic = Buffer.from(`${MERCHANT}:${SECRET_KEY}`).toString('base64');
    const views = [
      ...errors.flatMap((e) => [String(e), e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 8 })]),
      ...logLines,
    ];
    expect(logLines.length).toBeGreaterThan(0);
    for (const view of views) {
      expect(view).not.toContain(SECRET_KEY.slice('sk_test_'.length));
      expect(view).not.toContain(basic);
    }
  });
});

describe('endpoint declarations', () => {
  it('default idempotency and encoding by method, and list in declaration order', () => {
    expect(POSTPAY.orders.retrieve).toMatchObject({ idempotent: true, encoding: 'query' });
    expect(POSTPAY.orders.capture).toMatchObject({ idempotent: false, encoding: 'json' });
    expect(UHMI.update).toMatchObject({ idempotent: false, encoding: 'json' });
    expect(UHMI.remove).toMatchObject({ idempotent: true, encoding: 'query' });
    expect(isEndpoint(POSTPAY.orders)).toBe(false);
    expect(listEndpoints(POSTPAY).map((e) => e.name)).toEqual([
      'orders.retrieve',
      'orders.list',
      'orders.capture',
      'orders.refunds.create',
      'orders.refunds.list',
    ]);
  });

  it('follows a next link found elsewhere in the page, and honours a per-endpoint key override', async () => {
    const server = await serve((req, res) => {
      if (req.method === 'POST') return sendJson(res, 200, { id: 'x', title: 't' });
      const second = req.query.get('cursor') === 'c2';
      sendJson(res, 200, {
        data: [{ id: second ? 'b' : 'a' }],
        links: { next: second ? null : '?cursor=c2' },
      });
    });
    const api = new ApiClient({
      baseUrl: server.url,
      gateway: 'any',
      idempotencyKeys: false,
      mapError: mapErrorBody('any'),
    });
    const cursorList = defineEndpoint({
      method: 'GET',
      path: 'items',
      response: z.looseObject({
        data: z.array(z.object({ id: z.string() })),
        links: z.object({ next: z.string().nullable() }),
      }),
      items: (p) => p.data,
      next: (p) => p.links.next,
    });
    const ids: string[] = [];
    for await (const found of api.iterate(cursorList)) ids.push(found.id);
    expect(ids).toEqual(['a', 'b']);

    const keyed = defineEndpoint({ method: 'POST', path: 'keyed', response: payment, idempotencyKeys: true });
    await api.call(keyed, {}, undefined, { idempotencyKey: 'op-1' });
    expect(server.requests.at(-1)?.headers['idempotency-key']).toBe('op-1');
  });
});
