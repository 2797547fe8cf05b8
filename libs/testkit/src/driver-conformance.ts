import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import {
  assertCurrency,
  AuthenticationError,
  ConflictError,
  GatewayError,
  NotFoundError,
  SIGNATURE_ERROR_CODES,
  SignatureVerificationError,
  silentLogger,
  TijaraError,
  UnsupportedOperationError,
  type CreatePaymentInput,
  type GatewayDriver,
  type Logger,
  type ReturnParams,
} from '@tijara/core';
import { expectCaptured, expectEvent, expectPayment, expectRefund } from './conformance-expect.js';
import { startFaultProxy } from './fault-proxy.js';
import { startLoopbackServer, sendJson, type LoopbackServer } from './loopback.js';

export {
  expectCaptured,
  expectEvent,
  expectNextAction,
  expectPayment,
  expectRefund,
} from './conformance-expect.js';

/** What the suite hands `createDriver`. */
export interface ConformanceContext {
  /** Where the driver must send every request: the working target, the suite's error target, or its proxy. */
  readonly baseUrl: string;
  /** Records every line; the suite looks for leaked secrets in it. Pass it as the driver's logger. */
  readonly logger: Logger;
}

export interface SignedDelivery {
  readonly rawBody: Buffer | string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What a buyer brought back from paying `paymentId`, as the store would hand it to `resolveReturn`. */
export interface ConformanceReturn {
  readonly params: ReturnParams;
  readonly paymentId: string;
}

/**
 * A gateway (recorded fixtures, a sandbox, a live test account) and the objects the operations need. Each
 * provider is called once per use, so a stateful target can create a fresh object every time. Every capability
 * the driver declares must be backed by the provider its checks need: declared means demonstrated.
 */
export interface ConformanceTarget {
  readonly baseUrl: string;
  /** A payment the target accepts; `capture` and `saveMethod` are set by the suite. */
  readonly paymentInput: CreatePaymentInput;
  /** A payment whose funds are held (for capture and release). */
  readonly authorizedPaymentId?: () => Promise<string>;
  /**
   * For `captureOnApproval`: a payment the buyer approved that is not captured yet (`authorized`); the suite
   * captures it.
   */
  readonly approvedPaymentId?: () => Promise<string>;
  /** A captured payment with at least `paymentInput.amount` refundable (for refunds). */
  readonly paidPaymentId?: () => Promise<string>;
  /** A payment still awaiting the buyer (for cancel). */
  readonly pendingPaymentId?: () => Promise<string>;
  /** A saved method token that can be charged and deleted. */
  readonly savedMethodToken?: () => Promise<string>;
  /** A delivery signed the way the gateway signs, that the driver is configured to accept. */
  readonly signedWebhook?: () => Promise<SignedDelivery>;
  /** For timestamped verifiers (`setup.timestampedWebhooks`): a delivery signed as if at `unixSeconds`. */
  readonly signedWebhookAt?: (unixSeconds: number) => Promise<SignedDelivery>;
  /**
   * For `returnResolution`: what the buyer brings back after approving or paying a payment (query or form, and
   * the payment the store expects in `params.paymentId` when it would pass one).
   */
  readonly returnParams?: () => Promise<ConformanceReturn>;
  /**
   * For `returnResolution`: a return that must be refused — it names another payment than the store expects (a
   * buyer bringing back someone else's approval), or its fields or signature were tampered with.
   */
  readonly mismatchedReturnParams?: () => Promise<ReturnParams>;
  readonly close?: () => Promise<void>;
}

export interface DriverConformanceSetup {
  /** Distinguishes several runs for one driver (e.g. with narrowed capabilities) in the test names. */
  readonly label?: string;
  /**
   * Build the driver under test pointed at `context.baseUrl`, logging to `context.logger`. Keep the retry backoff
   * at a few milliseconds: the suite answers 500 and 503, which the transport retries. Also called once while the
   * suite registers its tests (with an unused URL) to read the declared capabilities, so it must not do I/O.
   */
  createDriver(context: ConformanceContext): GatewayDriver;
  startTarget(): Promise<ConformanceTarget>;
  /** Everything secret the setup gave the driver (API keys, signing secrets); none may appear in errors or logs. */
  readonly secrets: readonly string[];
  /** An error body in the gateway's own shape (default `{ error, message }`); the suite adds an echo of the credentials. */
  errorBody?(statusCode: number): unknown;
  /**
   * The driver's webhook signatures carry a timestamp that must be within `toleranceSeconds` of now, both ways
   * (Postpay: 300). The target must then provide `signedWebhookAt`.
   */
  readonly timestampedWebhooks?: { readonly toleranceSeconds: number };
  /** Header a driver declaring `idempotencyKeys` sends its key in (default `Idempotency-Key`). */
  readonly idempotencyHeader?: string;
  /** Request headers that carry credentials (default `authorization`, `proxy-authorization`, `x-api-key`). */
  readonly credentialHeaders?: readonly string[];
}

type ProviderName =
  | 'authorizedPaymentId'
  | 'approvedPaymentId'
  | 'paidPaymentId'
  | 'pendingPaymentId'
  | 'savedMethodToken'
  | 'signedWebhook';

type OperationName =
  | 'createPayment'
  | 'retrievePayment'
  | 'capture'
  | 'release'
  | 'cancel'
  | 'refund'
  | 'chargeSavedMethod'
  | 'deleteSavedMethod'
  | 'verifyWebhook';

interface Check {
  readonly label: string;
  readonly operation: OperationName;
  readonly declared: (driver: GatewayDriver) => boolean;
  /** Which target provider the check needs when declared. */
  readonly needs?: ProviderName | ((driver: GatewayDriver) => ProviderName);
  readonly run: (driver: GatewayDriver, target: ConformanceTarget, subject: unknown) => Promise<unknown>;
  readonly verify: (result: unknown, target: ConformanceTarget) => void;
}

const ERROR_STATUSES = [
  [401, AuthenticationError],
  [404, NotFoundError],
  [409, ConflictError],
  [500, GatewayError],
] as const;

const SLOW_TEST_MS = 20_000;
const PLACEHOLDER_ID = 'conformance_object_1';
const DEFAULT_CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key'];

const half = (target: ConformanceTarget) => Math.max(1, Math.floor(target.paymentInput.amount / 2));
const manual = (driver: GatewayDriver) => driver.capabilities.captureModes.includes('manual');
const firstMode = (driver: GatewayDriver) => driver.capabilities.captureModes[0] ?? 'automatic';
/** Capture is something the merchant (manual holds) or the suite (approvals that are not sales) does. */
const captures = (driver: GatewayDriver) => manual(driver) || driver.capabilities.captureOnApproval;
/** What capture is tried on: a hold where the driver has holds, else an approval. */
const captureSubject = (driver: GatewayDriver): 'authorizedPaymentId' | 'approvedPaymentId' =>
  manual(driver) ? 'authorizedPaymentId' : 'approvedPaymentId';
const uniqueReference = () => `conformance-${randomBytes(6).toString('hex')}`;

/** A refund input for the driver: part of the payment where partial refunds are declared, else all of it. */
const refundOf = (driver: GatewayDriver, target: ConformanceTarget, reference: string) => ({
  reference,
  ...(driver.capabilities.partialRefund ? { amount: half(target) } : {}),
});

const CHECKS: readonly Check[] = [
  {
    label: 'createPayment with automatic capture',
    operation: 'createPayment',
    declared: (d) => d.capabilities.captureModes.includes('automatic'),
    run: (d, t) => d.createPayment({ ...t.paymentInput, capture: 'automatic' }),
    verify: (result, t) => {
      expectPayment(result);
      expect(result.amount).toBe(t.paymentInput.amount);
      expect(result.currency).toBe(t.paymentInput.currency.toUpperCase());
      // A hosted payment waits for the buyer, and the store must be told where to send them.
      if (result.status === 'pending') expect(result.nextAction.type).not.toBe('none');
    },
  },
  {
    label: 'createPayment with manual capture',
    operation: 'createPayment',
    declared: manual,
    run: (d, t) => d.createPayment({ ...t.paymentInput, capture: 'manual' }),
    verify: (result) => {
      expectPayment(result);
      if (result.status === 'pending') expect(result.nextAction.type).not.toBe('none');
    },
  },
  {
    label: 'createPayment saving the method',
    operation: 'createPayment',
    declared: (d) => d.capabilities.savedMethods,
    run: (d, t) => d.createPayment({ ...t.paymentInput, capture: firstMode(d), saveMethod: true }),
    verify: (result) => expectPayment(result),
  },
  {
    label: 'capture of the whole hold or approval',
    operation: 'capture',
    declared: captures,
    needs: captureSubject,
    run: (d, _t, id) => d.capture(id as string),
    verify: (result) => expectCaptured(result),
  },
  {
    label: 'partial capture',
    operation: 'capture',
    declared: (d) => manual(d) && d.capabilities.partialCapture,
    needs: 'authorizedPaymentId',
    run: (d, t, id) => d.capture(id as string, half(t)),
    verify: (result) => {
      expectPayment(result);
      expect(result.capturedAmount).toBeLessThanOrEqual(result.amount);
    },
  },
  {
    label: 'release',
    operation: 'release',
    declared: (d) => d.capabilities.release,
    needs: 'authorizedPaymentId',
    run: (d, _t, id) => d.release(id as string),
    verify: (result) => expectPayment(result),
  },
  {
    label: 'cancel',
    operation: 'cancel',
    declared: (d) => d.capabilities.cancel,
    needs: 'pendingPaymentId',
    run: (d, _t, id) => d.cancel(id as string),
    verify: (result) => expectPayment(result),
  },
  {
    label: 'full refund',
    operation: 'refund',
    declared: (d) => d.capabilities.refund,
    needs: 'paidPaymentId',
    run: (d, _t, id) => d.refund(id as string),
    verify: (result) => expectRefund(result),
  },
  {
    label: 'partial refund',
    operation: 'refund',
    declared: (d) => d.capabilities.refund && d.capabilities.partialRefund,
    needs: 'paidPaymentId',
    run: (d, t, id) => d.refund(id as string, { amount: half(t) }),
    verify: (result, t) => {
      expectRefund(result);
      expect(result.amount).toBe(half(t));
    },
  },
  {
    label: 'chargeSavedMethod',
    operation: 'chargeSavedMethod',
    declared: (d) => d.capabilities.savedMethods,
    needs: 'savedMethodToken',
    run: (d, t, token) => d.chargeSavedMethod(token as string, { ...t.paymentInput }),
    verify: (result) => expectPayment(result),
  },
  {
    label: 'deleteSavedMethod',
    operation: 'deleteSavedMethod',
    declared: (d) => d.capabilities.savedMethods,
    needs: 'savedMethodToken',
    run: (d, _t, token) => d.deleteSavedMethod(token as string),
    verify: (result) => expect(result).toBeUndefined(),
  },
  {
    label: 'verifyWebhook',
    operation: 'verifyWebhook',
    declared: (d) => d.capabilities.signedWebhooks,
    needs: 'signedWebhook',
    run: (d, _t, delivery) =>
      d.verifyWebhook((delivery as SignedDelivery).rawBody, (delivery as SignedDelivery).headers),
    verify: (result) => expectEvent(result),
  },
];

/** The HTTP operations, each called with placeholder arguments against the error target. */
const HTTP_CALLS: ReadonlyArray<{
  readonly label: string;
  readonly declared: (driver: GatewayDriver) => boolean;
  readonly run: (driver: GatewayDriver, input: CreatePaymentInput) => Promise<unknown>;
}> = [
  {
    label: 'createPayment',
    declared: () => true,
    run: (d, input) => d.createPayment({ ...input, capture: firstMode(d) }),
  },
  { label: 'retrievePayment', declared: () => true, run: (d) => d.retrievePayment(PLACEHOLDER_ID) },
  { label: 'capture', declared: captures, run: (d) => d.capture(PLACEHOLDER_ID) },
  { label: 'release', declared: (d) => d.capabilities.release, run: (d) => d.release(PLACEHOLDER_ID) },
  { label: 'cancel', declared: (d) => d.capabilities.cancel, run: (d) => d.cancel(PLACEHOLDER_ID) },
  { label: 'refund', declared: (d) => d.capabilities.refund, run: (d) => d.refund(PLACEHOLDER_ID) },
  {
    label: 'chargeSavedMethod',
    declared: (d) => d.capabilities.savedMethods,
    run: (d, input) => d.chargeSavedMethod(PLACEHOLDER_ID, input),
  },
  {
    label: 'deleteSavedMethod',
    declared: (d) => d.capabilities.savedMethods,
    run: (d) => d.deleteSavedMethod(PLACEHOLDER_ID),
  },
];

/** Operations whose one mutating request the suite cuts off after the gateway acted, to see what the driver does. */
const RETRY_OPERATIONS: ReadonlyArray<{
  readonly label: string;
  readonly declared: (driver: GatewayDriver) => boolean;
  readonly needs?: (driver: GatewayDriver) => ProviderName;
  readonly run: (driver: GatewayDriver, target: ConformanceTarget, subject: string) => Promise<unknown>;
  readonly verify: (result: unknown) => void;
}> = [
  {
    label: 'createPayment',
    declared: () => true,
    run: (d, t) => d.createPayment({ ...t.paymentInput, capture: firstMode(d) }),
    verify: (result) => expectPayment(result),
  },
  {
    label: 'capture',
    declared: captures,
    needs: captureSubject,
    run: (d, _t, id) => d.capture(id),
    verify: (result) => expectCaptured(result),
  },
  {
    label: 'refund with a reference',
    declared: (d) => d.capabilities.refund,
    needs: () => 'paidPaymentId',
    run: (d, t, id) => d.refund(id, refundOf(d, t, uniqueReference())),
    verify: (result) => expectRefund(result),
  },
];

const defaultErrorBody = (statusCode: number): unknown => ({
  error: `conformance_${statusCode}`,
  message: `conformance error ${statusCode}`,
});

/**
 * Registers the Jest suite every gateway driver must pass. Call it at the top level of a test file:
 *
 * ```ts
 * runDriverConformance('ummah', {
 *   secrets: [secretKey],
 *   createDriver: ({ baseUrl, logger }) => createUmmahDriver({ secretKey, brandId, baseUrl, logger, backoffBaseMs: 1 }),
 *   startTarget: () => startRecordedUmmahTarget(),
 * });
 * ```
 *
 * It checks that what the driver declares is what works: each capability declared false makes its operation throw
 * UnsupportedOperationError; each declared true works against the target; a payment's next action is something a
 * store can act on; repeating a capture, release, cancel or a refund with the same reference is answered as done;
 * a return is resolved by reading the gateway and a mismatched one refused; an approval is captured once; a
 * request whose answer was lost after the gateway acted is never blindly re-sent on a gateway without idempotency
 * keys (and re-sent with the same key on one with keys); timestamped signatures outside the tolerance are refused
 * both ways; every HTTP operation maps 401, 404, 409 and 500 onto the core error classes; and no secret — API
 * keys, and every credential header the driver sends (Bearer, Basic, `x-api-key`) — appears in any thrown error or
 * log line.
 */
export function runDriverConformance(name: string, setup: DriverConformanceSetup): void {
  describe(`driver conformance: ${name}${setup.label ? ` (${setup.label})` : ''}`, () => {
    const logLines: string[] = [];
    const thrown: unknown[] = [];
    const record = (level: string) => (obj: object, msg?: string) =>
      void logLines.push(inspect({ level, obj, msg }, { depth: 10 }));
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
      child: () => logger,
    };
    const credentialHeaders = (setup.credentialHeaders ?? DEFAULT_CREDENTIAL_HEADERS).map((h) =>
      h.toLowerCase(),
    );
    const idempotencyHeader = (setup.idempotencyHeader ?? 'Idempotency-Key').toLowerCase();
    // Secrets shorter than this would match innocent text; real keys are far longer.
    const secrets = new Set(setup.secrets.filter((secret) => secret.length >= 8));
    // Capabilities decide which tests exist, so read them now from a driver that never sends anything.
    const declared = setup.createDriver({ baseUrl: 'http://127.0.0.1:9/', logger: silentLogger });
    const caps = declared.capabilities;

    let target: ConformanceTarget;
    let driver: GatewayDriver;
    let errorServer: LoopbackServer;
    let errorDriver: GatewayDriver;
    let errorStatus = 500;

    async function failure(promise: Promise<unknown>): Promise<unknown> {
      try {
        await promise;
      } catch (error) {
        thrown.push(error);
        return error;
      }
      throw new Error('expected the operation to fail, but it succeeded');
    }

    /** The outcome of an operation either way, recording what it threw for the leak checks. */
    async function settle(
      promise: Promise<unknown>,
    ): Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> {
      try {
        return { ok: true, value: await promise };
      } catch (error) {
        thrown.push(error);
        return { ok: false, error };
      }
    }

    async function provide<K extends keyof ConformanceTarget>(
      provider: K,
      why: string,
    ): Promise<Awaited<ReturnType<Extract<NonNullable<ConformanceTarget[K]>, () => unknown>>>> {
      const fn = target[provider];
      if (typeof fn !== 'function') {
        throw new Error(
          `${name} declares ${why}, so the conformance target must provide ${String(provider)}`,
        );
      }
      return (await (fn as () => Promise<unknown>)()) as Awaited<
        ReturnType<Extract<NonNullable<ConformanceTarget[K]>, () => unknown>>
      >;
    }

    /** Every credential form the driver sent the error target: the header value and its token part. */
    function learnCredentials(headers: Record<string, string | string[] | undefined>): void {
      for (const name of credentialHeaders) {
        const value = headers[name];
        if (typeof value !== 'string' || value.length < 8) continue;
        secrets.add(value);
        const token = /^\S+\s+(\S{8,})$/.exec(value)?.[1];
        if (token) secrets.add(token);
      }
    }

    beforeAll(async () => {
      target = await setup.startTarget();
      driver = setup.createDriver({ baseUrl: target.baseUrl, logger });
      errorServer = await startLoopbackServer((request, response: ServerResponse) => {
        learnCredentials(request.headers);
        const body = setup.errorBody?.(errorStatus) ?? defaultErrorBody(errorStatus);
        // A gateway that echoes the credentials back, in a field of no telling name, is the hardest case.
        const echo = credentialHeaders
          .filter((header) => request.headers[header] !== undefined)
          .map((header) => `${header}: ${String(request.headers[header])}`)
          .join('; ');
        const echoed =
          typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, echo } : body;
        sendJson(response, errorStatus, echoed, { 'x-request-id': `req_conformance_${errorStatus}` });
      });
      errorDriver = setup.createDriver({ baseUrl: `${errorServer.url}/`, logger });
    });

    afterAll(async () => {
      await errorServer?.close();
      await target?.close?.();
    });

    afterEach(() => {
      for (const error of thrown) {
        const views = [
          String(error),
          error instanceof Error ? (error.stack ?? '') : '',
          JSON.stringify(error) ?? '',
          inspect(error, { depth: 10, showHidden: true }),
        ];
        for (const view of views) for (const secret of secrets) expect(view).not.toContain(secret);
      }
      for (const line of logLines) for (const secret of secrets) expect(line).not.toContain(secret);
    });

    it('declares well-formed capabilities', () => {
      expect(driver.name).toBe(name);
      expect(caps.captureModes.length).toBeGreaterThan(0);
      for (const mode of caps.captureModes) expect(['automatic', 'manual']).toContain(mode);
      for (const flag of [
        caps.partialCapture,
        caps.release,
        caps.cancel,
        caps.refund,
        caps.partialRefund,
        caps.multipleRefunds,
        caps.savedMethods,
        caps.customers,
        caps.signedWebhooks,
        caps.returnResolution,
        caps.captureOnApproval,
        caps.idempotencyKeys,
        caps.testMode,
      ]) {
        expect(typeof flag).toBe('boolean');
      }
      expect(['exact', 'at_least']).toContain(caps.amountPolicy);
      if (caps.partialCapture) expect(caps.captureModes).toContain('manual');
      if (caps.partialRefund || caps.multipleRefunds) expect(caps.refund).toBe(true);
      if (caps.currencies !== 'any') {
        expect(caps.currencies.length).toBeGreaterThan(0);
        for (const code of caps.currencies) expect(assertCurrency(code)).toBe(code);
      }
    });

    it('retrievePayment returns the payment createPayment made', async () => {
      const created = await driver.createPayment({ ...target.paymentInput, capture: firstMode(driver) });
      expectPayment(created);
      const retrieved = await driver.retrievePayment(created.id);
      expectPayment(retrieved);
      expect(retrieved.id).toBe(created.id);
      expect(retrieved.amount).toBe(created.amount);
      expect(retrieved.currency).toBe(created.currency);
    });

    for (const check of CHECKS) {
      if (!check.declared(declared)) {
        it(`${check.label}: not declared, so it throws UnsupportedOperationError`, async () => {
          const error = await failure(check.run(driver, target, PLACEHOLDER_ID));
          expect(error).toBeInstanceOf(UnsupportedOperationError);
        });
        continue;
      }
      it(`${check.label}: declared, so it works against the target`, async () => {
        const needs = typeof check.needs === 'function' ? check.needs(driver) : check.needs;
        const subject = needs ? await provide(needs, check.label) : undefined;
        check.verify(await check.run(driver, target, subject), target);
      });
    }

    describe('already done is success', () => {
      if (captures(declared)) {
        it('capturing a captured payment answers it captured, without capturing again', async () => {
          const id = await provide(captureSubject(declared), 'capture');
          const first = await driver.capture(id);
          expectCaptured(first);
          const again = await driver.capture(id);
          expectCaptured(again);
          expect(again.id).toBe(first.id);
          expect(again.capturedAmount).toBe(first.capturedAmount);
        });
      }
      if (caps.release) {
        it('releasing a released hold answers it released', async () => {
          const id = await provide('authorizedPaymentId', 'release');
          const first = await driver.release(id);
          const again = await driver.release(id);
          for (const payment of [first, again]) {
            expectPayment(payment);
            expect(payment.status).toBe('canceled');
            expect(payment.capturedAmount).toBe(0);
          }
        });
      }
      if (caps.cancel) {
        it('cancelling a cancelled payment answers it cancelled', async () => {
          const id = await provide('pendingPaymentId', 'cancel');
          for (const payment of [await driver.cancel(id), await driver.cancel(id)]) {
            expectPayment(payment);
            expect(['canceled', 'expired']).toContain(payment.status);
          }
        });
      }
      if (caps.refund) {
        it('refunding again with the same reference answers the first refund', async () => {
          const id = await provide('paidPaymentId', 'refund');
          const input = refundOf(driver, target, uniqueReference());
          const first = await driver.refund(id, input);
          expectRefund(first);
          const afterFirst = await driver.retrievePayment(id);
          const again = await driver.refund(id, input);
          expectRefund(again);
          expect(again.id).toBe(first.id);
          expect(again.amount).toBe(first.amount);
          expect((await driver.retrievePayment(id)).refundedAmount).toBe(afterFirst.refundedAmount);
        });
      }
    });

    if (caps.captureOnApproval) {
      it('an approval is not a sale until captured, and is captured once', async () => {
        const id = await provide('approvedPaymentId', 'captureOnApproval');
        const approved = await driver.retrievePayment(id);
        expectPayment(approved);
        expect(approved.status).toBe('authorized');
        expect(approved.capturedAmount).toBe(0);
        const captured = await driver.capture(id);
        expectCaptured(captured);
        expect(captured.capturedAmount).toBe(approved.amount);
        const again = await driver.capture(id);
        expect(again.status).toBe(captured.status);
        expect(again.capturedAmount).toBe(captured.capturedAmount);
      });
    }

    if (caps.returnResolution) {
      describe('return resolution', () => {
        it('resolveReturn answers the payment as the gateway has it, not as the return claims', async () => {
          if (!driver.resolveReturn)
            throw new Error(`${name} declares returnResolution without resolveReturn`);
          const { params, paymentId } = await provide('returnParams', 'returnResolution');
          const resolution = await driver.resolveReturn(params);
          expectPayment(resolution.payment);
          expect(resolution.payment.id).toBe(paymentId);
          if (resolution.claimed !== undefined) {
            expect(['approved', 'declined', 'canceled']).toContain(resolution.claimed);
          }
          const truth = await driver.retrievePayment(paymentId);
          expect(resolution.payment.status).toBe(truth.status);
          expect(resolution.payment.amount).toBe(truth.amount);
          expect(resolution.payment.currency).toBe(truth.currency);
        });

        it('resolveReturn refuses a return that does not match the payment the store expects', async () => {
          const params = await provide('mismatchedReturnParams', 'returnResolution');
          const error = await failure(driver.resolveReturn!(params));
          expect(error).toBeInstanceOf(TijaraError);
          expect(error).not.toBeInstanceOf(UnsupportedOperationError);
        });

        it('resolveReturn refuses a return that carries nothing', async () => {
          const error = await failure(driver.resolveReturn!({ query: {} }));
          expect(error).toBeInstanceOf(TijaraError);
        });
      });
    } else {
      it('resolveReturn: not declared, so it is absent or throws UnsupportedOperationError', async () => {
        if (!driver.resolveReturn) return expect(driver.resolveReturn).toBeUndefined();
        const error = await failure(driver.resolveReturn({ query: { id: PLACEHOLDER_ID } }));
        expect(error).toBeInstanceOf(UnsupportedOperationError);
      });
    }

    if (caps.customers) {
      it('ensureCustomer makes a customer once and finds it again; listSavedMethods lists its methods', async () => {
        if (!driver.ensureCustomer || !driver.listSavedMethods) {
          throw new Error(`${name} declares customers without ensureCustomer and listSavedMethods`);
        }
        const customer = target.paymentInput.customer;
        const made = await driver.ensureCustomer(customer);
        expect(typeof made.id).toBe('string');
        expect(made.id).not.toBe('');
        const found = await driver.ensureCustomer({ ...customer, gatewayCustomerId: made.id });
        expect(found.id).toBe(made.id);
        const methods = await driver.listSavedMethods(made.id);
        expect(Array.isArray(methods)).toBe(true);
        for (const method of methods) {
          expect(typeof method.token).toBe('string');
          expect(method.token).not.toBe('');
          if (method.customerId !== undefined) expect(method.customerId).toBe(made.id);
        }
      });
    } else {
      it('customers: not declared, so ensureCustomer and listSavedMethods are absent or refuse', async () => {
        const customer = target.paymentInput.customer;
        const calls = [
          driver.ensureCustomer?.bind(driver, customer),
          driver.listSavedMethods?.bind(driver, PLACEHOLDER_ID),
        ];
        for (const call of calls) {
          if (call) expect(await failure(call())).toBeInstanceOf(UnsupportedOperationError);
        }
      });
    }

    describe(
      caps.idempotencyKeys
        ? 'retry safety: a lost answer is re-sent with the same idempotency key'
        : 'retry safety: a request the gateway may have acted on is never sent again',
      () => {
        for (const operation of RETRY_OPERATIONS.filter((op) => op.declared(declared))) {
          const subject = async () =>
            operation.needs ? ((await provide(operation.needs(driver), operation.label)) as string) : '';

          it(
            `${operation.label}: a refusal (503) is retried`,
            async () => {
              const proxy = await startFaultProxy(target.baseUrl);
              try {
                const proxied = setup.createDriver({ baseUrl: proxy.baseUrl, logger });
                const id = await subject();
                proxy.inject({ kind: 'refuse', status: 503, body: setup.errorBody?.(503) });
                operation.verify(await operation.run(proxied, target, id));
              } finally {
                await proxy.close();
              }
            },
            SLOW_TEST_MS,
          );

          it(
            `${operation.label}: the answer is lost after the gateway acted`,
            async () => {
              const proxy = await startFaultProxy(target.baseUrl);
              try {
                const proxied = setup.createDriver({ baseUrl: proxy.baseUrl, logger });
                const id = await subject();
                proxy.inject({ kind: 'drop-response' });
                const outcome = await settle(operation.run(proxied, target, id));
                const dropped = proxy.forwarded.find((request) => request.dropped);
                expect(dropped).toBeDefined();
                const same = proxy.forwarded.filter(
                  (request) => request.method === dropped!.method && request.url === dropped!.url,
                );
                if (caps.idempotencyKeys) {
                  expect(outcome.ok).toBe(true);
                  expect(same.length).toBeGreaterThanOrEqual(2);
                  const keys = new Set(same.map((request) => request.headers[idempotencyHeader]));
                  expect(keys.size).toBe(1);
                  expect(typeof [...keys][0]).toBe('string');
                } else {
                  expect(same).toHaveLength(1);
                  if (!outcome.ok) {
                    // Without a result recovered by re-reading, the caller must be told it may have happened.
                    expect(outcome.error).toBeInstanceOf(TijaraError);
                    expect((outcome.error as TijaraError).outcomeUnknown).toBe(true);
                  }
                }
                if (outcome.ok) operation.verify(outcome.value);
              } finally {
                await proxy.close();
              }
            },
            SLOW_TEST_MS,
          );
        }
      },
    );

    if (caps.signedWebhooks) {
      it('verifyWebhook rejects a delivery with one flipped byte', async () => {
        const delivery = await provide('signedWebhook', 'signedWebhooks');
        const bytes = Buffer.from(delivery.rawBody);
        const middle = Math.floor(bytes.length / 2);
        bytes[middle] = (bytes[middle] as number) ^ 0x01;
        const error = await failure(driver.verifyWebhook(bytes, delivery.headers));
        expect(error).toBeInstanceOf(SignatureVerificationError);
      });
    }

    const timestamped = setup.timestampedWebhooks;
    if (caps.signedWebhooks && timestamped) {
      describe(`webhook timestamps (±${timestamped.toleranceSeconds} s)`, () => {
        const signedAt = async (offsetSeconds: number) => {
          if (!target.signedWebhookAt) {
            throw new Error(`${name} has timestamped webhooks, so the target must provide signedWebhookAt`);
          }
          return target.signedWebhookAt(Math.floor(Date.now() / 1000) + offsetSeconds);
        };
        const margin = 60;

        it('accepts a delivery signed within the tolerance, either way', async () => {
          const within = Math.min(30, Math.floor(timestamped.toleranceSeconds / 2));
          for (const offset of [-within, within]) {
            const delivery = await signedAt(offset);
            expectEvent(await driver.verifyWebhook(delivery.rawBody, delivery.headers));
          }
        });

        it.each([
          ['stale', -1],
          ['future', 1],
        ] as const)('refuses a %s delivery outside the tolerance', async (_label, direction) => {
          const delivery = await signedAt(direction * (timestamped.toleranceSeconds + margin));
          const error = await failure(driver.verifyWebhook(delivery.rawBody, delivery.headers));
          expect(error).toBeInstanceOf(SignatureVerificationError);
          expect((error as SignatureVerificationError).code).toBe(SIGNATURE_ERROR_CODES.expired);
        });
      });
    }

    const currencies = caps.currencies;
    const outside =
      currencies === 'any'
        ? undefined
        : ['USD', 'EUR', 'MYR', 'JPY', 'KWD', 'GBP'].find((c) => !currencies.includes(c));
    if (outside) {
      it(`createPayment in ${outside}, outside the declared currencies, throws UnsupportedOperationError`, async () => {
        const error = await failure(
          driver.createPayment({ ...target.paymentInput, currency: outside, capture: firstMode(driver) }),
        );
        expect(error).toBeInstanceOf(UnsupportedOperationError);
      });
    }

    describe.each(ERROR_STATUSES.map(([status, errorClass]) => [status, errorClass] as const))(
      'HTTP %i from the gateway',
      (status, errorClass) => {
        const calls = HTTP_CALLS.filter((call) => call.declared(declared));
        it.each(calls.map((call) => [call.label, call] as const))(
          '%s maps it to the right error class',
          async (_label, call) => {
            errorStatus = status;
            const error = await failure(call.run(errorDriver, target.paymentInput));
            expect(error).toBeInstanceOf(errorClass);
            expect(error).toBeInstanceOf(TijaraError);
            expect((error as TijaraError).statusCode).toBe(status);
            expect((error as TijaraError).gateway).toBe(name);
          },
          SLOW_TEST_MS,
        );
      },
    );

    it('sent its credentials, and logged the calls it made (so the leak checks above saw something)', () => {
      expect(errorServer.requests.length).toBeGreaterThan(0);
      expect(
        errorServer.requests.every((request) =>
          credentialHeaders.some((h) => request.headers[h] !== undefined),
        ),
      ).toBe(true);
      expect(thrown.length).toBeGreaterThan(0);
      expect(logLines.length).toBeGreaterThan(0);
    });
  });
}
