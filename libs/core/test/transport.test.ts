import { inspect } from 'node:util';
import { z } from 'zod';
import {
  sendJson,
  startLoopbackServer,
  type LoopbackHandler,
  type LoopbackServer,
} from '../../testkit/src/loopback.js';
import {
  ConfigurationError,
  ConnectionError,
  errorFromHttpStatus,
  GatewayError,
  InvalidResponseError,
  RateLimitError,
  TijaraError,
} from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { resultsPage, Transport } from '../src/transport.js';
import type { ErrorResponse, TransportOptions } from '../src/transport-types.js';

const API_KEY = 'sk_test_transportUnitKey0123456789';

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

let servers: LoopbackServer[] = [];
let logs: LogLine[] = [];
let mapped: ErrorResponse[] = [];

const logger: Logger = {
  debug: (obj, msg) => void logs.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
  info: (obj, msg) => void logs.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
  warn: (obj, msg) => void logs.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  error: (obj, msg) => void logs.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
};

async function serve(handler: LoopbackHandler): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
}

/** A URL nothing listens on: the port of a server that has been closed. */
async function deadUrl(): Promise<string> {
  const server = await startLoopbackServer(() => undefined);
  await server.close();
  return server.url;
}

function transport(baseUrl: string, options: Partial<TransportOptions> = {}): Transport {
  return new Transport({
    baseUrl,
    gateway: 'unit',
    headers: { Authorization: `Bearer ${API_KEY}` },
    timeoutMs: 2_000,
    backoffBaseMs: 10,
    jitterMs: 5,
    logger,
    mapError: (response) => {
      mapped.push(response);
      return errorFromHttpStatus({
        statusCode: response.statusCode,
        message: `unit answered ${response.statusCode}`,
        raw: response.body,
        retryAfterMs: response.retryAfterMs,
      });
    },
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<TijaraError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TijaraError);
    return error as TijaraError;
  }
  throw new Error('expected the request to fail, but it succeeded');
}

beforeEach(() => {
  logs = [];
  mapped = [];
});

afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

describe('URLs', () => {
  it.each([
    ['http://h/api/v1/', 'purchases/', '/api/v1/purchases/'],
    ['http://h/api/v1', '/purchases/', '/api/v1/purchases/'],
    ['http://h/api/v1//', '//purchases', '/api/v1/purchases'],
    ['http://h/api/v1', 'purchases/abc/capture/', '/api/v1/purchases/abc/capture/'],
  ])(
    'joins %s and %s with exactly one slash, keeping the trailing slash as given',
    async (base, path, expected) => {
      const server = await serve((_req, res) => sendJson(res, 200, {}));
      await transport(base.replace('http://h', server.url)).request({ method: 'GET', path });
      expect(server.requests[0]?.path).toBe(expected);
    },
  );

  it('encodes the query and drops undefined values', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    await transport(server.url).request({
      method: 'GET',
      path: 'purchases/',
      query: { q: 'a b&c=d', name: 'عائشة', limit: 50, paid: false, cursor: undefined },
    });
    const query = server.requests[0]!.query;
    expect([...query.keys()]).toEqual(['q', 'name', 'limit', 'paid']);
    expect(query.get('q')).toBe('a b&c=d');
    expect(query.get('name')).toBe('عائشة');
    expect(query.get('limit')).toBe('50');
    expect(query.get('paid')).toBe('false');
  });

  it('sends each path with its own query, and none when the next call has none', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const client = transport(`${server.url}/api/v1/`);
    await client.request({ method: 'GET', path: 'purchases/' });
    await client.request({ method: 'GET', path: 'purchases/', query: { page: 2, brand: undefined } });
    await client.request({ method: 'GET', path: 'purchases/', query: { brand: undefined } });
    await client.request({ method: 'GET', path: 'purchases/p1/' });
    expect(server.requests.map((r) => `${r.path}?${r.query}`)).toEqual([
      '/api/v1/purchases/?',
      '/api/v1/purchases/?page=2',
      '/api/v1/purchases/?',
      '/api/v1/purchases/p1/?',
    ]);
  });

  it('asks for no compression and sends no cookie', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    await transport(server.url).request({ method: 'GET', path: 'x' });
    expect(server.requests[0]?.headers['accept-encoding']).toBeUndefined();
    expect(server.requests[0]?.headers.cookie).toBeUndefined();
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('refuses a baseUrl that is not absolute', () => {
    expect(() => transport('gate.example.com/api')).toThrow(ConfigurationError);
  });
});

describe('pagination', () => {
  const item = z.looseObject({ id: z.string() });

  it('follows absolute and relative next links until next is null', async () => {
    const server = await serve((req, res) => {
      const page = req.query.get('page') ?? '1';
      if (page === '1')
        sendJson(res, 200, {
          results: [{ id: 'a' }, { id: 'b' }],
          next: `${server.url}/api/v1/items/?page=2`,
          count: 5,
        });
      else if (page === '2')
        sendJson(res, 200, { results: [{ id: 'c' }], next: '/api/v1/items/?page=3', previous: 'x' });
      else if (page === '3') sendJson(res, 200, { results: [{ id: 'd' }], next: '?page=4' });
      else sendJson(res, 200, { results: [{ id: 'e' }], next: null });
    });
    const page = resultsPage(item);
    const ids: string[] = [];
    for await (const found of transport(`${server.url}/api/v1/`).paginate(
      { method: 'GET', path: 'items/', query: { status: 'paid' }, schema: page.schema },
      page,
    )) {
      ids.push(found.id);
    }
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(server.requests.map((r) => `${r.path}?${r.query.toString()}`)).toEqual([
      '/api/v1/items/?status=paid',
      '/api/v1/items/?page=2',
      '/api/v1/items/?page=3',
      '/api/v1/items/?page=4',
    ]);
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${API_KEY}`)).toBe(true);
  });

  it('takes any page shape through the extractor', async () => {
    const server = await serve((req, res) => {
      if (req.query.get('cursor') === 'p2') sendJson(res, 200, { data: { rows: [3] }, links: {} });
      else sendJson(res, 200, { data: { rows: [1, 2] }, links: { after: 'items?cursor=p2' } });
    });
    const numbers: number[] = [];
    const pages = transport(server.url).paginate(
      { method: 'GET', path: 'items' },
      {
        extract: (page) => {
          const body = page as { data: { rows: number[] }; links: { after?: string } };
          return { items: body.data.rows, next: body.links.after };
        },
      },
    );
    for await (const n of pages) numbers.push(n);
    expect(numbers).toEqual([1, 2, 3]);
  });

  it('stops requesting when the caller stops iterating', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, { results: [{ id: 'a' }, { id: 'b' }], next: '?more=1' }),
    );
    const page = resultsPage(item);
    for await (const found of transport(server.url).paginate(
      { method: 'GET', path: 'items/', schema: page.schema },
      page,
    )) {
      expect(found.id).toBe('a');
      break;
    }
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a next link to another origin, which would carry the key away', async () => {
    const elsewhere = await serve((_req, res) => sendJson(res, 200, { results: [], next: null }));
    const server = await serve((_req, res) =>
      sendJson(res, 200, { results: [{ id: 'a' }], next: `${elsewhere.url}/steal` }),
    );
    const page = resultsPage(item);
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const found of transport(server.url).paginate(
          { method: 'GET', path: 'items/', schema: page.schema },
          page,
        )) {
          seen.push(found.id);
        }
      })(),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.code).toBe('invalid_pagination');
    expect(seen).toEqual(['a']);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('refuses a next link that points back to a page already read', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, { results: [{ id: 'a' }], next: '/items/' }),
    );
    const page = resultsPage(item);
    const error = await failure(
      (async () => {
        for await (const _ of transport(server.url).paginate(
          { method: 'GET', path: 'items/', schema: page.schema },
          page,
        )) {
          // drain
        }
      })(),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(server.requests).toHaveLength(1);
  });

  it('validates every page with the schema', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, { results: [{ id: 7 }], next: null }));
    const page = resultsPage(item);
    const error = await failure(
      (async () => {
        for await (const _ of transport(server.url).paginate(
          { method: 'GET', path: 'items/', schema: page.schema },
          page,
        )) {
          // drain
        }
      })(),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.details).toHaveProperty(['results.0.id']);
  });
});

describe('abort', () => {
  it('reports an abort after the request was sent as an unknown outcome, without retrying', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const pending = transport(server.url).request({
      method: 'POST',
      path: 'pay',
      body: {},
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('checkout closed')), 100);
    const error = await failure(pending);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).outcomeUnknown).toBe(true);
    expect(error.message).toContain('after the request was sent');
    expect(error.message).toContain('checkout closed');
    expect(error.cause).toEqual(new Error('checkout closed'));
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const error = await failure(
      transport(server.url).request({ method: 'POST', path: 'pay', body: {}, signal: AbortSignal.abort() }),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).outcomeUnknown).toBe(false);
    expect(error.message).toContain('before the gateway could act');
    expect(server.requests).toHaveLength(0);
  });

  it('cuts a backoff wait short', async () => {
    const controller = new AbortController();
    // Aborted once the 503 has been answered, so the abort lands in the backoff wait and not in the request
    // itself, however slow the machine.
    const server = await serve((_req, res) => {
      res.once('finish', () => setTimeout(() => controller.abort(), 50));
      sendJson(res, 503, {});
    });
    const started = Date.now();
    const pending = transport(server.url, { backoffBaseMs: 60_000 }).request({
      method: 'POST',
      path: 'pay',
      signal: controller.signal,
    });
    const error = await failure(pending);
    expect(error).toBeInstanceOf(ConnectionError);
    // A 503 is a refusal, so nothing can have happened at the gateway.
    expect((error as ConnectionError).outcomeUnknown).toBe(false);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(server.requests).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('honours an HTTP date, capped by maxRetryAfterMs, and hands the raw value to mapError', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    const server = await serve((req, res) => {
      if (server.requests.length === 1) sendJson(res, 503, {}, { 'retry-after': inAnHour });
      else sendJson(res, 429, {}, { 'retry-after': '120' });
    });
    const error = await failure(
      transport(server.url, { maxRetryAfterMs: 300, maxAttempts: 2 }).request({ method: 'GET', path: 'x' }),
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(120_000);
    expect(mapped[0]?.retryAfterMs).toBe(120_000);
    const [first, second] = server.requests;
    const waited = second!.receivedAt - first!.receivedAt;
    // Backoff alone would be ~10 ms; an uncapped date would be an hour.
    expect(waited).toBeGreaterThanOrEqual(280);
    expect(waited).toBeLessThan(60_000);
  });
});

describe('connection failures', () => {
  it('retries a refused connection and reports that nothing was sent', async () => {
    const error = await failure(
      transport(await deadUrl()).request({ method: 'POST', path: 'pay', body: {} }),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('ECONNREFUSED');
    expect((error as ConnectionError).outcomeUnknown).toBe(false);
    expect(error.message).toContain('never reached the gateway');
    expect(logs.filter((line) => line.level === 'warn').map((line) => line.obj.attempt)).toEqual([1, 2, 3]);
  });

  it('keeps the outcome unknown when a later attempt is refused after an earlier one was cut off', async () => {
    const server = await serve((_req, _res, socket) => {
      // Stop listening, then drop this request mid-flight: attempt 1 may have been acted on, attempts 2–3 are refused.
      server.server.close();
      socket.destroy();
    });
    const error = await failure(transport(server.url).request({ method: 'POST', path: 'pay', body: {} }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('ECONNREFUSED');
    expect((error as ConnectionError).outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('does not follow redirects, so a payment call is never replayed elsewhere', async () => {
    const elsewhere = await serve((_req, res) => sendJson(res, 200, {}));
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/pay` });
      res.end();
    });
    const error = await failure(transport(server.url).request({ method: 'POST', path: 'pay', body: {} }));
    expect(error.statusCode).toBe(302);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('never exposes got, its options or the key through the error', async () => {
    const error = await failure(
      transport(await deadUrl(), { maxAttempts: 1 }).request({ method: 'GET', path: 'x' }),
    );
    expect(error.cause).toBeUndefined();
    const text = inspect(error, { depth: 10, showHidden: true });
    expect(text).not.toContain('transportUnitKey');
    expect(text).not.toMatch(/RequestError|authorization/i);
  });
});

describe('idempotency keys', () => {
  it('sends a fresh UUID on every mutating method and none on GET', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const client = transport(server.url);
    const keys: Array<string | undefined> = [];
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] as const) {
      keys.push((await client.request({ method, path: 'x' })).idempotencyKey);
    }
    const sent = server.requests.map((r) => r.headers['idempotency-key']);
    expect(sent).toEqual(keys);
    expect(
      keys
        .slice(0, 4)
        .every((key) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(key!)),
    ).toBe(true);
    expect(new Set(keys.slice(0, 4)).size).toBe(4);
    expect(keys[4]).toBeUndefined();
  });

  it('uses the configured header, and takes a key set there by the caller without sending it twice', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}));
    const response = await transport(server.url, { idempotencyHeader: 'X-Idempotency-Key' }).request({
      method: 'POST',
      path: 'x',
      headers: { 'x-idempotency-key': 'refund-77' },
    });
    expect(response.idempotencyKey).toBe('refund-77');
    expect(server.requests[0]?.headers['x-idempotency-key']).toBe('refund-77');
    expect(server.requests[0]?.headers['idempotency-key']).toBeUndefined();
  });
});

describe('response bodies', () => {
  it('allows an empty 2xx body without a schema, or with one that accepts undefined', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const client = transport(server.url);
    expect((await client.request({ method: 'DELETE', path: 'x' })).data).toBeUndefined();
    expect(
      (await client.request({ method: 'DELETE', path: 'x', schema: z.object({}).optional() })).data,
    ).toBeUndefined();
    const error = await failure(
      client.request({ method: 'DELETE', path: 'x', schema: z.object({ id: z.string() }) }),
    );
    expect(error).toBeInstanceOf(InvalidResponseError);
  });

  it('rejects a non-JSON 2xx body when a schema expects JSON, and returns the text when none does', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    });
    const client = transport(server.url);
    const error = await failure(client.request({ method: 'GET', path: 'x', schema: z.looseObject({}) }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.code).toBe('invalid_json');
    expect(error.raw).toBe('<html>maintenance</html>');
    expect((await client.request({ method: 'GET', path: 'x' })).data).toBe('<html>maintenance</html>');
    // An endpoint whose schema takes text (Uhmi's `Payment deleted`) gets it.
    expect((await client.request({ method: 'GET', path: 'x', schema: z.string() })).data).toBe(
      '<html>maintenance</html>',
    );
  });

  it('reports every schema issue by path and keeps the body, redacted', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, { id: 1, client: { email: 5 }, note: `key ${API_KEY}`, card: '4111111111111111' }),
    );
    const schema = z.looseObject({ id: z.string(), client: z.looseObject({ email: z.string() }) });
    const error = await failure(transport(server.url).request({ method: 'GET', path: 'x', schema }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(Object.keys(error.details ?? {})).toEqual(['id', 'client.email']);
    expect(error.message).toContain('id:');
    // The whole key is a known secret (from the Authorization header), so it goes before the shape rules apply.
    expect(error.raw).toEqual({ id: 1, client: { email: 5 }, note: 'key [REDACTED]', card: '**** 1111' });
  });

  it('passes an error body that is not JSON (a proxy page) to mapError as text', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(400, { 'content-type': 'text/html', 'x-request-id': 'req_html' });
      res.end('<h1>Bad Request</h1>');
    });
    const error = await failure(transport(server.url).request({ method: 'GET', path: 'x' }));
    expect(mapped).toHaveLength(1);
    expect(mapped[0]).toMatchObject({ statusCode: 400, body: '<h1>Bad Request</h1>', requestId: 'req_html' });
    expect(error.requestId).toBe('req_html');
    expect(error.gateway).toBe('unit');
  });

  it('validates synchronously, and still parses a schema with async refinements asynchronously', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, { id: 'p_1' }));
    const client = transport(server.url);
    const refined = (expected: string) =>
      z.looseObject({ id: z.string().refine(async (id) => id === expected, { error: 'unexpected id' }) });
    expect((await client.request({ method: 'GET', path: 'x', schema: refined('p_1') })).data).toEqual({
      id: 'p_1',
    });
    const error = await failure(client.request({ method: 'GET', path: 'x', schema: refined('p_2') }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.details).toEqual({ id: ['unexpected id'] });
  });

  it('reads the request id from request-id too', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, {}, { 'request-id': 'req_alt' }));
    expect((await transport(server.url).request({ method: 'GET', path: 'x' })).requestId).toBe('req_alt');
  });
});

describe('connections', () => {
  it('reuses one keep-alive connection for calls one after another', async () => {
    const sockets = new Set<unknown>();
    const server = await serve((_req, res, socket) => {
      sockets.add(socket);
      sendJson(res, 200, { ok: true });
    });
    const client = transport(server.url);
    for (let i = 0; i < 10; i++) {
      await client.request(i % 2 ? { method: 'GET', path: 'x' } : { method: 'POST', path: 'x', body: {} });
    }
    expect(server.requests).toHaveLength(10);
    expect(sockets.size).toBe(1);
  });
});

describe('logging and secrets', () => {
  it('logs each attempt with what support needs and nothing secret', async () => {
    const server = await serve((req, res) => {
      if (server.requests.length === 1) sendJson(res, 503, {}, { 'x-request-id': 'req_1' });
      else sendJson(res, 200, { ok: true }, { 'x-request-id': 'req_2' });
    });
    const response = await transport(server.url).request({
      method: 'POST',
      path: 'purchases/',
      query: { token: 'secret-in-query' },
      body: { password: 'hunter2' },
    });
    expect(logs.map((line) => [line.level, line.obj.status, line.obj.attempt])).toEqual([
      ['warn', 503, 1],
      ['debug', 200, 2],
    ]);
    for (const line of logs) {
      expect(line.obj).toMatchObject({
        gateway: 'unit',
        method: 'POST',
        path: '/purchases/',
        idempotencyKey: response.idempotencyKey,
      });
      expect(typeof line.obj.durationMs).toBe('number');
    }
    expect(logs[0]?.obj).toMatchObject({ requestId: 'req_1', retryInMs: expect.any(Number) });
    expect(logs[1]?.obj.requestId).toBe('req_2');
    const text = inspect(logs, { depth: 10 });
    expect(text).not.toMatch(/transportUnitKey|hunter2|secret-in-query|authorization/i);
  });

  it('scrubs credential header values that have no known shape, and the secrets option', async () => {
    const opaque = 'opaque0123456789abcdef';
    const other = 'another-literal-secret';
    const server = await serve((_req, res) => sendJson(res, 200, { echo: `${opaque} ${other}` }));
    const client = transport(server.url, { headers: { 'X-Api-Key': opaque }, secrets: [other] });
    const error = await failure(
      client.request({ method: 'GET', path: 'x', schema: z.object({ id: z.string() }) }),
    );
    expect(server.requests[0]?.headers['x-api-key']).toBe(opaque);
    expect(JSON.stringify(error)).not.toContain(opaque);
    expect(JSON.stringify(error)).not.toContain(other);
    expect(error.raw).toEqual({ echo: '[REDACTED] [REDACTED]' });
  });

  it("finds the driver's own key in HTTP Basic credentials, so no driver has to list it", async () => {
    const merchantSecret = 'pp_opaque_merchant_secret_42';
    const basic = Buffer.from(`merchant_1:${merchantSecret}`).toString('base64');
    const server = await serve((_req, res) => sendJson(res, 401, { error: `bad key ${merchantSecret}` }));
    const client = transport(server.url, { headers: { Authorization: `Basic ${basic}` }, maxAttempts: 1 });
    expect(client.secrets).toEqual(expect.arrayContaining([merchantSecret, `merchant_1:${merchantSecret}`]));
    const error = await failure(client.request({ method: 'GET', path: 'x' }));
    expect(server.requests[0]?.headers.authorization).toBe(`Basic ${basic}`);
    const text = `${JSON.stringify(error)} ${error.message} ${inspect(logs, { depth: 10 })}`;
    expect(text).not.toContain(merchantSecret);
    expect(text).not.toContain(basic);
  });

  it('builds no log line for a level the logger reports as off', async () => {
    const server = await serve((_req, res) => {
      if (server.requests.length === 1) sendJson(res, 503, {});
      else sendJson(res, 200, { ok: true });
    });
    const calls: string[] = [];
    const quiet: Logger = {
      ...logger,
      debug: () => void calls.push('debug'),
      isLevelEnabled: (level) => {
        calls.push(`enabled? ${level}`);
        return level !== 'debug';
      },
    };
    await transport(server.url, { logger: quiet }).request({ method: 'GET', path: 'x' });
    // The retry's warning is written; the success line at debug is dropped before any redaction.
    expect(logs.map((line) => [line.level, line.obj.status])).toEqual([['warn', 503]]);
    expect(calls).toEqual(['enabled? warn', 'enabled? debug']);
  });

  it('gives a mapped error the gateway name when the driver left it out', async () => {
    const server = await serve((_req, res) => sendJson(res, 500, {}));
    const error = await failure(
      transport(server.url, { maxAttempts: 1 }).request({ method: 'GET', path: 'x' }),
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.gateway).toBe('unit');
  });
});
