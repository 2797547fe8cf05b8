import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import {
  AuthenticationError,
  CardError,
  ConflictError,
  ConnectionError,
  GatewayError,
  IdempotencyError,
  InvalidRequestError,
  InvalidResponseError,
  NotFoundError,
  PermissionError,
  type Logger,
  type TijaraError,
  type TransportRequest,
  type TransportResponse,
} from '@tijara/core';
import { z } from 'zod';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from './loopback.js';

/** Anything with the core Transport's `request()`: the Transport itself or a driver's wrapper around it. */
export interface TransportLike {
  request<T>(req: TransportRequest<T>): Promise<TransportResponse<T>>;
}

/**
 * What the battery hands the factory. Apply all of it: the key where the driver puts its key, the logger as the
 * transport's logger, and the timings, which keep the battery at a few seconds instead of minutes. Leave
 * `maxAttempts` at its default (3): the battery checks the attempt counts of the documented policy.
 */
export interface TransportBatteryContext {
  /** An `sk_test_…` key; the battery checks the gateway receives it and that no error or log line repeats it. */
  readonly apiKey: string;
  /** Records every log line so the battery can look for leaked secrets. */
  readonly logger: Logger;
  /** Total time per attempt; the battery's slow endpoint never answers. */
  readonly timeoutMs: number;
  readonly backoffBaseMs: number;
  readonly jitterMs: number;
}

export type TransportFactory = (baseUrl: string, context: TransportBatteryContext) => TransportLike;

export interface TransportBatteryOptions {
  /** The body the fake gateway sends with an error status, in the driver's shape (default `{ error: { code, message } }`). */
  readonly errorBody?: (statusCode: number) => unknown;
  /**
   * 409 bodies that the driver's `isRetryableConflict` must accept as a lock and reject as a state conflict. A
   * gateway whose 409s are all states (Postpay) gives `lock: null`: the lock checks are then left out.
   */
  readonly conflictBodies?: { readonly lock: unknown; readonly invalidState: unknown };
  /**
   * The error class a status maps to where the gateway reads it differently from core's default (Postpay's 422 is
   * `unprocessable` input, not an idempotency-key mismatch: `{ 422: InvalidRequestError }`).
   */
  readonly errorClasses?: Readonly<
    Partial<Record<400 | 401 | 402 | 403 | 404 | 422, abstract new (...args: never[]) => TijaraError>>
  >;
  /** Header the driver sends the idempotency key in (default `Idempotency-Key`). */
  readonly idempotencyHeader?: string;
  /** Path, relative to the base URL, that the battery calls (default `battery/items/`). */
  readonly path?: string;
  /**
   * Whether the transport is configured for a gateway that honours idempotency keys (default true). With keys the
   * battery checks the same key on every attempt; without, that a POST is never re-sent once the gateway may have
   * received it, that `recover()` is consulted, and that refusals are still retried.
   */
  readonly idempotencyKeys?: boolean;
}

const CONTEXT_TIMINGS = { timeoutMs: 500, backoffBaseMs: 20, jitterMs: 10 } as const;

/** Generous for a loaded CI machine, yet each test stays far below it. */
const SLOW_TEST_MS = 20_000;

type Step = (request: RecordedRequest, response: ServerResponse, socket: Socket) => void | Promise<void>;

const defaultErrorBody = (statusCode: number): unknown => ({
  error: { code: `battery_${statusCode}`, message: `battery error ${statusCode}` },
});

const itemSchema = z.looseObject({ id: z.string(), amount: z.number().int() });

/**
 * Registers Jest tests that hold a transport to the retry, idempotency, timeout, error-mapping and redaction
 * policy, against a real loopback server that injects faults. Call it at the top level of a test file:
 *
 * ```ts
 * runTransportBattery('ummah', (baseUrl, ctx) => createUmmahTransport({ baseUrl, apiKey: ctx.apiKey, logger: ctx.logger,
 *   timeoutMs: ctx.timeoutMs, backoffBaseMs: ctx.backoffBaseMs, jitterMs: ctx.jitterMs }));
 * ```
 */
export function runTransportBattery(
  name: string,
  createTransport: TransportFactory,
  options: TransportBatteryOptions = {},
): void {
  const errorBody = options.errorBody ?? defaultErrorBody;
  const conflictBodies = options.conflictBodies ?? {
    lock: { error: { code: 'locked', message: 'the object is locked by another request' } },
    invalidState: {
      error: { code: 'invalid_state', message: 'the object cannot be captured in this state' },
    },
  };
  const idempotencyHeader = (options.idempotencyHeader ?? 'Idempotency-Key').toLowerCase();
  const path = options.path ?? 'battery/items/';
  const keyed = options.idempotencyKeys ?? true;

  describe(`transport battery: ${name} (${keyed ? 'with' : 'without'} idempotency keys)`, () => {
    const apiKey = `sk_test_${randomBytes(18).toString('hex')}`;
    // The distinctive part: a leak that mangled the prefix would still show it.
    const keyTail = apiKey.slice('sk_test_'.length);
    let server: LoopbackServer;
    let steps: Step[] = [];
    let logLines: string[] = [];
    let thrown: unknown[] = [];
    let transport: TransportLike;

    const logger: Logger = {
      debug: (obj, msg) => void logLines.push(inspect({ level: 'debug', obj, msg }, { depth: 10 })),
      info: (obj, msg) => void logLines.push(inspect({ level: 'info', obj, msg }, { depth: 10 })),
      warn: (obj, msg) => void logLines.push(inspect({ level: 'warn', obj, msg }, { depth: 10 })),
      error: (obj, msg) => void logLines.push(inspect({ level: 'error', obj, msg }, { depth: 10 })),
      child: () => logger,
    };

    /** The fake gateway plays the steps in order, then answers 200 so an extra attempt shows as a wrong result. */
    const script = (...next: Step[]): void => {
      steps = next;
    };
    const ok =
      (body: unknown = { id: 'itm_1', amount: 1000, extra: 'kept' }): Step =>
      (_req, res) =>
        sendJson(res, 200, body, { 'x-request-id': 'req_ok' });
    const status =
      (
        statusCode: number,
        body: unknown = errorBody(statusCode),
        headers: Record<string, string> = {},
      ): Step =>
      (_req, res) =>
        sendJson(res, statusCode, body, { 'x-request-id': `req_${statusCode}`, ...headers });
    const reset: Step = (_req, _res, socket) => void socket.destroy();
    // Never answers; returns once the client gives up so no timer outlives the test.
    const hang: Step = async (_req, _res, socket) => {
      if (!socket.destroyed) await once(socket, 'close');
    };

    const attempts = (): readonly RecordedRequest[] => server.requests;
    const keysSent = (): Array<string | string[] | undefined> =>
      attempts().map((r) => r.headers[idempotencyHeader]);

    async function failure(promise: Promise<unknown>): Promise<TijaraError> {
      try {
        await promise;
      } catch (error) {
        thrown.push(error);
        return error as TijaraError;
      }
      throw new Error('expected the request to fail, but it succeeded');
    }

    const post = <T = unknown>(extra: Partial<TransportRequest<T>> = {}): Promise<TransportResponse<T>> =>
      transport.request<T>({ method: 'POST', path, body: { amount: 1000, currency: 'MYR' }, ...extra });

    beforeAll(async () => {
      server = await startLoopbackServer(async (req, res, socket) => {
        const step = steps[server.requests.length - 1] ?? ok({ id: 'itm_unscripted', amount: 0 });
        await step(req, res, socket);
      });
    });

    afterAll(async () => {
      await server.close();
    });

    beforeEach(() => {
      server.requests.length = 0;
      steps = [];
      logLines = [];
      thrown = [];
      transport = createTransport(server.url, { apiKey, logger, ...CONTEXT_TIMINGS });
    });

    // Every test doubles as a leak check on whatever it made the transport throw and log.
    afterEach(() => {
      for (const error of thrown) {
        const views = [
          String(error),
          error instanceof Error ? (error.stack ?? '') : '',
          JSON.stringify(error) ?? '',
          inspect(error, { depth: 10, showHidden: true }),
        ];
        for (const view of views) {
          expect(view).not.toContain(keyTail);
        }
      }
      for (const line of logLines) expect(line).not.toContain(keyTail);
    });

    it('sends the key and returns the validated body with unknown fields kept', async () => {
      script(ok());
      const response = await transport.request({ method: 'GET', path, schema: itemSchema });
      expect(response.statusCode).toBe(200);
      expect(response.data).toEqual({ id: 'itm_1', amount: 1000, extra: 'kept' });
      expect(response.attempts).toBe(1);
      expect(response.requestId).toBe('req_ok');
      // Otherwise the leak checks below would pass for a transport that never sent the key at all. HTTP Basic
      // carries it base64-encoded.
      const headers = attempts()[0]?.headers ?? {};
      const basic = /^Basic\s+(\S+)$/i.exec(String(headers.authorization ?? ''))?.[1];
      const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
      expect(`${JSON.stringify(headers)} ${decoded}`).toContain(keyTail);
    });

    it(
      'retries a 429 once Retry-After has passed',
      async () => {
        script(status(429, errorBody(429), { 'retry-after': '1' }), ok());
        const response = await post();
        expect(response.attempts).toBe(2);
        expect(attempts()).toHaveLength(2);
        const [first, second] = attempts();
        // Timer and clock granularity can shave a few ms; a backoff-only retry would come after ~20 ms.
        expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
      },
      SLOW_TEST_MS,
    );

    it('retries 503 twice, then succeeds on the third attempt', async () => {
      script(status(503), status(503), ok());
      const response = await post({ schema: itemSchema });
      expect(response.attempts).toBe(3);
      expect(response.data.id).toBe('itm_1');
      expect(attempts()).toHaveLength(3);
    });

    it('gives up with a GatewayError after exactly 3 attempts of 503', async () => {
      script(status(503), status(503), status(503));
      const error = await failure(post());
      expect(error).toBeInstanceOf(GatewayError);
      expect(error.statusCode).toBe(503);
      expect(attempts()).toHaveLength(3);
    });

    it(
      'reports a read slower than the timeout as a ConnectionError with an unknown outcome, after retrying',
      async () => {
        script(hang, hang, hang);
        const error = await failure(transport.request({ method: 'GET', path }));
        expect(error).toBeInstanceOf(ConnectionError);
        expect((error as ConnectionError).outcomeUnknown).toBe(true);
        // Timeouts are network failures, and a read is safe to repeat.
        expect(attempts()).toHaveLength(3);
      },
      SLOW_TEST_MS,
    );

    it('retries a read after a reset and a 502', async () => {
      script(reset, status(502), ok());
      const response = await transport.request({ method: 'GET', path, schema: itemSchema });
      expect(response.attempts).toBe(3);
      expect(attempts()).toHaveLength(3);
    });

    it('retries a POST refused before reaching the gateway (connection refused)', async () => {
      const dead = await startLoopbackServer(() => undefined);
      await dead.close();
      const offline = createTransport(dead.url, { apiKey, logger, ...CONTEXT_TIMINGS });
      const error = await failure(
        offline.request({ method: 'POST', path, body: { amount: 1000, currency: 'MYR' } }),
      );
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error.outcomeUnknown).toBe(false);
      expect(logLines.filter((line) => line.includes('retrying'))).toHaveLength(2);
    });

    if (keyed) registerKeyedTests();
    else registerKeylessTests();

    function registerKeyedTests(): void {
      it(
        'reports a POST slower than the timeout as a ConnectionError with an unknown outcome',
        async () => {
          script(hang, hang, hang);
          const error = await failure(post());
          expect(error).toBeInstanceOf(ConnectionError);
          expect((error as ConnectionError).outcomeUnknown).toBe(true);
          // With a key the gateway answers a re-send with the first result, so timeouts are retried.
          expect(attempts()).toHaveLength(3);
        },
        SLOW_TEST_MS,
      );

      it('sends the same idempotency key on every attempt of one POST', async () => {
        script(status(503), reset, status(502), ok());
        const error = await failure(post());
        expect(error).toBeInstanceOf(GatewayError);
        const keys = keysSent();
        expect(keys).toHaveLength(3);
        expect(typeof keys[0]).toBe('string');
        expect(keys[0]).not.toBe('');
        expect(new Set(keys).size).toBe(1);

        server.requests.length = 0;
        script(status(500), ok());
        const response = await post();
        expect(keysSent()).toEqual([response.idempotencyKey, response.idempotencyKey]);
      });

      it('uses a different idempotency key for each call', async () => {
        script(ok(), ok());
        const first = await post();
        const second = await post();
        const keys = keysSent();
        expect(keys).toHaveLength(2);
        expect(keys[0]).toBe(first.idempotencyKey);
        expect(keys[1]).toBe(second.idempotencyKey);
        expect(keys[0]).not.toBe(keys[1]);
      });

      it("sends the caller's idempotency key, on retries too", async () => {
        script(status(503), ok());
        const response = await post({ idempotencyKey: 'order-42-capture-1' });
        expect(keysSent()).toEqual(['order-42-capture-1', 'order-42-capture-1']);
        expect(response.idempotencyKey).toBe('order-42-capture-1');
      });

      it('retries a POST after a reset or a 500, with the same key', async () => {
        script(reset, status(500), ok());
        const response = await post({ schema: itemSchema });
        expect(response.attempts).toBe(3);
        expect(new Set(keysSent()).size).toBe(1);
      });
    }

    function registerKeylessTests(): void {
      it("sends no idempotency key, not even the caller's", async () => {
        script(ok(), ok());
        const first = await post();
        const second = await post({ idempotencyKey: 'order-42-capture-1' });
        expect(keysSent()).toEqual([undefined, undefined]);
        expect(first.idempotencyKey).toBeUndefined();
        expect(second.idempotencyKey).toBeUndefined();
      });

      it.each([
        ['429', () => status(429, errorBody(429), { 'retry-after': '0' })],
        ['503', () => status(503)],
        ...(conflictBodies.lock === null
          ? []
          : [['a 409 lock', () => status(409, conflictBodies.lock)] as const]),
      ] as const)('retries a POST refused with %s: the gateway did not act', async (_label, refusal) => {
        script(refusal(), refusal(), ok());
        const response = await post({ schema: itemSchema });
        expect(response.attempts).toBe(3);
        expect(attempts()).toHaveLength(3);
      });

      it.each([
        ['the connection is reset', () => reset],
        ['500', () => status(500)],
        ['502', () => status(502)],
        ['504', () => status(504)],
      ] as const)(
        'never re-sends a POST after %s, and reports the outcome as unknown',
        async (_label, fault) => {
          script(fault(), ok());
          const error = await failure(post());
          expect(error.outcomeUnknown).toBe(true);
          expect(attempts()).toHaveLength(1);
        },
      );

      it(
        'never re-sends a POST that timed out after sending',
        async () => {
          script(hang, ok());
          const error = await failure(post());
          expect(error).toBeInstanceOf(ConnectionError);
          expect(error.outcomeUnknown).toBe(true);
          expect(attempts()).toHaveLength(1);
        },
        SLOW_TEST_MS,
      );

      it('consults recover() and answers what it found, without re-sending', async () => {
        script(reset, ok());
        const reasons: string[] = [];
        const response = await post({
          schema: itemSchema,
          recover: async ({ reason }) => {
            reasons.push(reason);
            return { happened: true, data: { id: 'itm_recovered', amount: 1000 } };
          },
        });
        expect(response.data).toEqual({ id: 'itm_recovered', amount: 1000 });
        expect(response.recovered).toBe(true);
        expect(reasons).toEqual(['ECONNRESET']);
        expect(attempts()).toHaveLength(1);
      });

      it('re-sends once recover() says the operation did not happen, counting the attempt', async () => {
        script(status(502), ok());
        let calls = 0;
        const response = await post({
          schema: itemSchema,
          recover: async () => {
            calls += 1;
            return { happened: false };
          },
        });
        expect(response.attempts).toBe(2);
        expect(calls).toBe(1);
        expect(attempts()).toHaveLength(2);
      });

      it('keeps the outcome unknown when recover() fails', async () => {
        script(status(504), ok());
        const error = await failure(
          post({
            recover: async () => {
              throw new Error('cannot read the state either');
            },
          }),
        );
        expect(error.outcomeUnknown).toBe(true);
        expect(attempts()).toHaveLength(1);
      });
    }

    it.each([
      [400, InvalidRequestError],
      [401, AuthenticationError],
      [402, CardError],
      [403, PermissionError],
      [404, NotFoundError],
      [422, IdempotencyError],
    ] as const)(
      'does not retry %i and maps it to the right error class',
      async (statusCode, defaultClass) => {
        const errorClass = options.errorClasses?.[statusCode] ?? defaultClass;
        script(status(statusCode), ok());
        const error = await failure(post());
        expect(error).toBeInstanceOf(errorClass);
        expect(error.statusCode).toBe(statusCode);
        expect(error.requestId).toBe(`req_${statusCode}`);
        expect(attempts()).toHaveLength(1);
      },
    );

    if (conflictBodies.lock !== null) {
      it('retries a 409 that the conflict predicate calls a lock', async () => {
        script(status(409, conflictBodies.lock), ok());
        const response = await post();
        expect(response.attempts).toBe(2);
        expect(attempts()).toHaveLength(2);
      });
    }

    it('does not retry a 409 state conflict', async () => {
      script(status(409, conflictBodies.invalidState), ok());
      const error = await failure(post());
      expect(error).toBeInstanceOf(ConflictError);
      expect(attempts()).toHaveLength(1);
    });

    it('turns a body that fails the schema into an InvalidResponseError', async () => {
      script(ok({ id: 42, amount: 'ten' }));
      const error = await failure(post({ schema: itemSchema }));
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.statusCode).toBe(200);
      expect(error.raw).toEqual({ id: 42, amount: 'ten' });
      expect(attempts()).toHaveLength(1);
    });

    it(
      'keeps the key out of errors and logs, even when the gateway echoes it back',
      async () => {
        const echo = { error: { message: `Invalid API key: ${apiKey}`, authorization: `Bearer ${apiKey}` } };
        script(status(401, echo));
        await failure(post());
        server.requests.length = 0;
        script(status(500, echo), status(500, echo), status(500, echo));
        await failure(transport.request({ method: 'GET', path: `${path}${apiKey}/` }));
        server.requests.length = 0;
        script(reset, reset, reset);
        await failure(post());
        server.requests.length = 0;
        script(ok({ token: apiKey }));
        await failure(post({ schema: itemSchema }));

        expect(thrown).toHaveLength(4);
        // The leak check in afterEach is only meaningful if the transport logged these calls.
        expect(logLines.length).toBeGreaterThanOrEqual(4);
      },
      SLOW_TEST_MS,
    );
  });
}
