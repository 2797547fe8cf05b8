import { z } from 'zod';
import {
  sendJson,
  startLoopbackServer,
  type LoopbackHandler,
  type LoopbackServer,
} from '../../testkit/src/loopback.js';
import {
  ConflictError,
  ConnectionError,
  errorFromHttpStatus,
  GatewayError,
  RateLimitError,
  TijaraError,
} from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import { NOT_DONE, recovered, Transport } from '../src/transport.js';
import type { RecoveryContext, TransportOptions, TransportRequest } from '../src/transport-types.js';

const API_KEY = 'sk_test_retrySafetyKey0123456789';
const item = z.looseObject({ id: z.string() });

let servers: LoopbackServer[] = [];
let logs: Array<{ level: string; msg: string | undefined }> = [];
const logger: Logger = {
  debug: (_obj, msg) => void logs.push({ level: 'debug', msg }),
  info: (_obj, msg) => void logs.push({ level: 'info', msg }),
  warn: (_obj, msg) => void logs.push({ level: 'warn', msg }),
  error: (_obj, msg) => void logs.push({ level: 'error', msg }),
};

async function serve(handler: LoopbackHandler): Promise<LoopbackServer> {
  const server = await startLoopbackServer(handler);
  servers.push(server);
  return server;
}

/** A gateway that plays `steps` in order, then answers 200 `{ id: 'late' }` to anything more. */
async function scripted(...steps: LoopbackHandler[]): Promise<LoopbackServer> {
  const server = await serve(async (req, res, socket) => {
    const step = steps[server.requests.length - 1];
    if (step) await step(req, res, socket);
    else sendJson(res, 200, { id: 'late' });
  });
  return server;
}

const ok =
  (id = 'itm_1'): LoopbackHandler =>
  (_req, res) =>
    sendJson(res, 200, { id });
const status =
  (
    code: number,
    body: unknown = { code: `e${code}` },
    headers: Record<string, string> = {},
  ): LoopbackHandler =>
  (_req, res) =>
    sendJson(res, code, body, headers);
const reset: LoopbackHandler = (_req, _res, socket) => void socket.destroy();

/** A transport for a gateway without idempotency keys, fast timings. */
function keyless(baseUrl: string, options: Partial<TransportOptions> = {}): Transport {
  return new Transport({
    baseUrl,
    gateway: 'keyless',
    idempotencyKeys: false,
    headers: { Authorization: `Basic ${Buffer.from(`merchant:${API_KEY}`).toString('base64')}` },
    timeoutMs: 500,
    backoffBaseMs: 5,
    jitterMs: 2,
    logger,
    isRetryableConflict: (response) => (response.body as { code?: string })?.code === 'locked',
    mapError: (response) =>
      errorFromHttpStatus({
        statusCode: response.statusCode,
        message: `keyless answered ${response.statusCode}`,
        raw: response.body,
        retryAfterMs: response.retryAfterMs,
      }),
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

const capture = (
  extra: Partial<TransportRequest<{ id: string }>> = {},
): TransportRequest<{ id: string }> => ({
  method: 'POST',
  path: 'orders/o1/capture',
  body: { amount: 1000 },
  schema: item,
  ...extra,
});

beforeEach(() => {
  logs = [];
});

afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
});

describe('a gateway without idempotency keys', () => {
  it('is sent no Idempotency-Key on any method, even one the caller gave', async () => {
    const server = await scripted();
    const client = keyless(server.url);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'GET'] as const) {
      const response = await client.request({
        method,
        path: 'x',
        idempotencyKey: 'caller-key',
        headers: { 'Idempotency-Key': 'header-key' },
      });
      expect(response.idempotencyKey).toBeUndefined();
    }
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it.each([
    ['429 with Retry-After', status(429, { code: 'throttled' }, { 'retry-after': '0' })],
    ['503', status(503)],
    ['a recognised 409 lock', status(409, { code: 'locked' })],
  ])('retries a POST refused with %s: the gateway did not act', async (_label, refusal) => {
    const server = await scripted(refusal, refusal, ok());
    const response = await keyless(server.url).request(capture());
    expect(response.data).toEqual({ id: 'itm_1' });
    expect(response.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up on refusals after maxAttempts, with a known outcome', async () => {
    const server = await scripted(status(503), status(503), status(503));
    const error = await failure(keyless(server.url).request(capture()));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.outcomeUnknown).toBe(false);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 409 state conflict', async () => {
    const server = await scripted(status(409, { code: 'invalid_status' }));
    const error = await failure(keyless(server.url).request(capture()));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.outcomeUnknown).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a POST that never left (connection refused), saying nothing was sent', async () => {
    const dead = await startLoopbackServer(() => undefined);
    await dead.close();
    const error = await failure(keyless(dead.url).request(capture()));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.outcomeUnknown).toBe(false);
    expect(logs.filter((line) => line.msg === 'gateway request failed, retrying')).toHaveLength(2);
  });

  it.each([
    ['the connection is reset', reset, ConnectionError, 'ECONNRESET'],
    ['500', status(500), GatewayError, undefined],
    ['502', status(502), GatewayError, undefined],
    ['504', status(504), GatewayError, undefined],
  ] as const)(
    'never re-sends a POST after %s, and says the outcome is unknown',
    async (_label, fault, errorClass, code) => {
      const server = await scripted(fault, ok());
      const error = await failure(keyless(server.url).request(capture()));
      expect(error).toBeInstanceOf(errorClass);
      expect(error.outcomeUnknown).toBe(true);
      expect(error.toJSON()).toMatchObject({ outcomeUnknown: true });
      if (code) expect(error.code).toBe(code);
      expect(server.requests).toHaveLength(1);
    },
  );

  it('never re-sends a PATCH that timed out after sending', async () => {
    const server = await scripted(async (_req, _res, socket) => {
      await new Promise((resolve) => socket.once('close', resolve));
    });
    const error = await failure(
      keyless(server.url, { timeoutMs: 150 }).request(capture({ method: 'PATCH' })),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it.each(['GET', 'PUT', 'DELETE'] as const)(
    'retries an idempotent %s after a reset and a 502',
    async (method) => {
      const server = await scripted(reset, status(502), ok());
      const response = await keyless(server.url).request({ method, path: 'orders/o1', schema: item });
      expect(response.attempts).toBe(3);
      expect(server.requests).toHaveLength(3);
    },
  );

  it('retries a POST the caller declares idempotent (a search), and keeps a PUT the caller says is not', async () => {
    const search = await scripted(status(500), ok());
    const found = await keyless(search.url).request(capture({ idempotent: true }));
    expect(found.attempts).toBe(2);

    const put = await scripted(status(502), ok());
    const error = await failure(keyless(put.url).request(capture({ method: 'PUT', idempotent: false })));
    expect(error.outcomeUnknown).toBe(true);
    expect(put.requests).toHaveLength(1);
  });
});

describe('recover()', () => {
  it('answers the recovered result when the operation happened, without re-sending', async () => {
    const server = await scripted(reset);
    const contexts: RecoveryContext[] = [];
    const response = await keyless(server.url).request(
      capture({
        recover: async (context) => {
          contexts.push(context);
          return recovered({ id: 'itm_captured' });
        },
      }),
    );
    expect(response).toMatchObject({
      data: { id: 'itm_captured' },
      recovered: true,
      attempts: 1,
      statusCode: 200,
    });
    expect(contexts).toEqual([{ attempt: 1, reason: 'ECONNRESET', signal: undefined }]);
    expect(server.requests).toHaveLength(1);
  });

  it('re-sends once recover says the operation did not happen, counting the attempt', async () => {
    const server = await scripted(status(502), ok('itm_second'));
    const reasons: string[] = [];
    const response = await keyless(server.url).request(
      capture({
        recover: async ({ reason }) => {
          reasons.push(reason);
          return NOT_DONE;
        },
      }),
    );
    expect(response.data).toEqual({ id: 'itm_second' });
    expect(response.attempts).toBe(2);
    expect(response.recovered).toBeUndefined();
    expect(reasons).toEqual(['502']);
    expect(server.requests).toHaveLength(2);
  });

  it('stops at maxAttempts, and then the outcome is known: it did not happen', async () => {
    const server = await scripted(status(500), reset, status(504));
    let calls = 0;
    const error = await failure(
      keyless(server.url).request(
        capture({
          recover: async () => {
            calls += 1;
            return NOT_DONE;
          },
        }),
      ),
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.statusCode).toBe(504);
    expect(error.outcomeUnknown).toBe(false);
    expect(calls).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('keeps the outcome unknown when re-reading the state fails', async () => {
    const server = await scripted(reset, ok());
    const error = await failure(
      keyless(server.url).request(
        capture({
          recover: async () => {
            throw new Error('the gateway is down');
          },
        }),
      ),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(logs.some((line) => line.msg?.includes('re-reading the state failed'))).toBe(true);
  });

  it('is not consulted for refusals, idempotent requests or gateways with keys', async () => {
    let calls = 0;
    const recover = async () => {
      calls += 1;
      return NOT_DONE;
    };
    const refused = await scripted(status(503), ok());
    await keyless(refused.url).request(capture({ recover }));
    const read = await scripted(status(502), ok());
    await keyless(read.url).request({ method: 'GET', path: 'orders/o1', recover });
    const keyed = await scripted(reset, ok());
    await keyless(keyed.url, { idempotencyKeys: true }).request(capture({ recover }));
    expect(calls).toBe(0);
    expect(keyed.requests.map((r) => r.headers['idempotency-key'])).toHaveLength(2);
    expect(new Set(keyed.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
  });

  it('gives up with an unknown outcome when the caller aborts while waiting to re-read', async () => {
    const server = await scripted(status(502));
    const controller = new AbortController();
    let calls = 0;
    const pending = keyless(server.url, { backoffBaseMs: 60_000 }).request(
      capture({
        signal: controller.signal,
        recover: async () => {
          calls += 1;
          return NOT_DONE;
        },
      }),
    );
    setTimeout(() => controller.abort(new Error('shopper left')), 50);
    const error = await failure(pending);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.outcomeUnknown).toBe(true);
    expect(calls).toBe(0);
  });
});

describe('per-request override of idempotency keys', () => {
  it('sends a key on a keyless gateway for the one endpoint that honours it, and then retries', async () => {
    const server = await scripted(status(500), ok());
    const response = await keyless(server.url).request(
      capture({ idempotencyKeys: true, idempotencyKey: 'cap-1' }),
    );
    expect(response.attempts).toBe(2);
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['cap-1', 'cap-1']);
  });

  it('sends none and never re-sends on a keyed gateway for the odd endpoint that ignores keys', async () => {
    const server = await scripted(status(500), ok());
    const error = await failure(
      keyless(server.url, { idempotencyKeys: true }).request(capture({ idempotencyKeys: false })),
    );
    expect(error.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('marks a keyed POST that ends on a 500 as of unknown outcome too', async () => {
    const server = await scripted(status(500), status(500), status(500));
    const error = await failure(keyless(server.url, { idempotencyKeys: true }).request(capture()));
    expect(error.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(3);
    const rateLimited = await scripted(status(429), status(429), status(429));
    const refused = await failure(
      keyless(rateLimited.url, { idempotencyKeys: true }).request({ method: 'GET', path: 'orders/o1' }),
    );
    expect(refused).toBeInstanceOf(RateLimitError);
    expect(refused.outcomeUnknown).toBe(false);
  });
});

describe('response shapes', () => {
  it('takes a plain-text 2xx body where the schema takes text, and refuses it where JSON is expected', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('Payment deleted');
    });
    const client = keyless(server.url);
    const text = await client.request({ method: 'DELETE', path: 'payments/p1', schema: z.string() });
    expect(text.data).toBe('Payment deleted');
    const error = await failure(client.request({ method: 'DELETE', path: 'payments/p1', schema: item }));
    expect(error.code).toBe('invalid_json');
  });
});

describe('request shapes', () => {
  it('sends a form body without its undefined fields, and the configured Accept', async () => {
    const server = await scripted();
    await keyless(server.url, { accept: 'application/vnd.postpay+json; version=v1' }).request({
      method: 'POST',
      path: 'payments',
      form: { title: 'Article', price: 1.5, pwyw: false, category: undefined },
    });
    const sent = server.requests[0]!;
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.body.toString()).toBe('title=Article&price=1.5&pwyw=false');
    expect(sent.headers.accept).toBe('application/vnd.postpay+json; version=v1');
  });
});
