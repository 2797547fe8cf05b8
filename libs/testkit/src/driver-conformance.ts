import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import {
  assertCurrency,
  AuthenticationError,
  ConflictError,
  GatewayError,
  NotFoundError,
  PAYMENT_STATUSES,
  SignatureVerificationError,
  silentLogger,
  TijaraError,
  UnsupportedOperationError,
  type CreatePaymentInput,
  type GatewayDriver,
  type GatewayEvent,
  type Logger,
  type Payment,
  type Refund,
} from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from './loopback.js';

/** What the suite hands `createDriver`. */
export interface ConformanceContext {
  /** Where the driver must send every request: the working target, or the suite's own error target. */
  readonly baseUrl: string;
  /** Records every line; the suite looks for leaked secrets in it. Pass it as the driver's logger. */
  readonly logger: Logger;
}

export interface SignedDelivery {
  readonly rawBody: Buffer | string;
  readonly headers: Readonly<Record<string, string>>;
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
  /** A captured payment with at least `paymentInput.amount` refundable (for refunds). */
  readonly paidPaymentId?: () => Promise<string>;
  /** A payment still awaiting the buyer (for cancel). */
  readonly pendingPaymentId?: () => Promise<string>;
  /** A saved method token that can be charged and deleted. */
  readonly savedMethodToken?: () => Promise<string>;
  /** A delivery signed the way the gateway signs, that the driver is configured to accept. */
  readonly signedWebhook?: () => Promise<SignedDelivery>;
  readonly close?: () => Promise<void>;
}

export interface DriverConformanceSetup {
  /** Distinguishes several runs for one driver (e.g. with narrowed capabilities) in the test names. */
  readonly label?: string;
  /**
   * Build the driver under test pointed at `context.baseUrl`, logging to `context.logger`. Keep the retry backoff
   * at a few milliseconds: the suite answers 500, which the transport retries. Also called once while the suite
   * registers its tests (with an unused URL) to read the declared capabilities, so it must not do I/O.
   */
  createDriver(context: ConformanceContext): GatewayDriver;
  startTarget(): Promise<ConformanceTarget>;
  /** Everything secret the setup gave the driver (API keys, signing secrets); none may appear in errors or logs. */
  readonly secrets: readonly string[];
  /** An error body in the gateway's own shape (default `{ error, message }`); the suite adds an echo of the credentials. */
  errorBody?(statusCode: number): unknown;
}

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
  readonly needs?:
    'authorizedPaymentId' | 'paidPaymentId' | 'pendingPaymentId' | 'savedMethodToken' | 'signedWebhook';
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

function expectPayment(value: unknown): asserts value is Payment {
  const payment = value as Payment;
  expect(typeof payment.id).toBe('string');
  expect(payment.id).not.toBe('');
  expect(PAYMENT_STATUSES).toContain(payment.status);
  expect(typeof payment.rawStatus).toBe('string');
  for (const amount of [
    payment.amount,
    payment.capturedAmount,
    payment.refundedAmount,
    payment.refundableAmount,
  ]) {
    expect(Number.isSafeInteger(amount) && amount >= 0).toBe(true);
  }
  expect(assertCurrency(payment.currency)).toBe(payment.currency);
  expect(typeof payment.testMode).toBe('boolean');
  expect(payment.raw).toBeDefined();
}

function expectRefund(value: unknown): asserts value is Refund {
  const refund = value as Refund;
  expect(typeof refund.id).toBe('string');
  expect(typeof refund.paymentId).toBe('string');
  expect(Number.isSafeInteger(refund.amount) && refund.amount > 0).toBe(true);
  expect(['succeeded', 'pending', 'failed']).toContain(refund.status);
  expect(refund.raw).toBeDefined();
}

const half = (target: ConformanceTarget) => Math.max(1, Math.floor(target.paymentInput.amount / 2));
const manual = (driver: GatewayDriver) => driver.capabilities.captureModes.includes('manual');
/** Capture exists for manual holds, and for approvals that must be captured to become sales (Postpay). */
const captures = (driver: GatewayDriver) => manual(driver) || driver.capabilities.captureOnApproval;
const firstMode = (driver: GatewayDriver) => driver.capabilities.captureModes[0] ?? 'automatic';

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
    },
  },
  {
    label: 'createPayment with manual capture',
    operation: 'createPayment',
    declared: manual,
    run: (d, t) => d.createPayment({ ...t.paymentInput, capture: 'manual' }),
    verify: (result) => expectPayment(result),
  },
  {
    label: 'createPayment saving the method',
    operation: 'createPayment',
    declared: (d) => d.capabilities.savedMethods,
    run: (d, t) => d.createPayment({ ...t.paymentInput, capture: firstMode(d), saveMethod: true }),
    verify: (result) => expectPayment(result),
  },
  {
    label: 'capture of the whole hold',
    operation: 'capture',
    declared: captures,
    needs: 'authorizedPaymentId',
    run: (d, _t, id) => d.capture(id as string),
    verify: (result) => expectPayment(result),
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
    verify: (result) => {
      const event = result as GatewayEvent;
      expect(typeof event.id).toBe('string');
      expect(event.id).not.toBe('');
      expect(typeof event.type).toBe('string');
      expect(event.createdAt).toBeInstanceOf(Date);
    },
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
 * UnsupportedOperationError; each declared true works against the target; every HTTP operation maps 401, 404, 409
 * and 500 onto the core error classes; and no secret from the setup appears in any thrown error or log line.
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
    // Secrets shorter than this would match innocent text; real keys are far longer.
    const secrets = setup.secrets.filter((secret) => secret.length >= 8);
    // Capabilities decide which tests exist, so read them now from a driver that never sends anything.
    const declared = setup.createDriver({ baseUrl: 'http://127.0.0.1:9/', logger: silentLogger });

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

    beforeAll(async () => {
      target = await setup.startTarget();
      driver = setup.createDriver({ baseUrl: target.baseUrl, logger });
      errorServer = await startLoopbackServer((request, response: ServerResponse) => {
        const body = setup.errorBody?.(errorStatus) ?? defaultErrorBody(errorStatus);
        // A gateway that echoes the credentials back is the hardest case for redaction.
        const echo = String(request.headers.authorization ?? '');
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
      const caps = driver.capabilities;
      expect(caps.captureModes.length).toBeGreaterThan(0);
      for (const mode of caps.captureModes) expect(['automatic', 'manual']).toContain(mode);
      for (const flag of [
        caps.partialCapture,
        caps.release,
        caps.cancel,
        caps.refund,
        caps.partialRefund,
        caps.savedMethods,
        caps.signedWebhooks,
        caps.testMode,
      ]) {
        expect(typeof flag).toBe('boolean');
      }
      if (caps.partialCapture) expect(caps.captureModes).toContain('manual');
      if (caps.partialRefund) expect(caps.refund).toBe(true);
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
        let subject: unknown;
        if (check.needs) {
          const provide = target[check.needs];
          if (!provide) {
            throw new Error(
              `${name} declares ${check.label}, so the conformance target must provide ${check.needs}`,
            );
          }
          subject = await provide();
        }
        check.verify(await check.run(driver, target, subject), target);
      });
    }

    if (declared.capabilities.signedWebhooks) {
      it('verifyWebhook rejects a delivery with one flipped byte', async () => {
        if (!target.signedWebhook)
          throw new Error(`${name} declares signedWebhooks, so the target must provide signedWebhook`);
        const delivery = await target.signedWebhook();
        const bytes = Buffer.from(delivery.rawBody);
        const middle = Math.floor(bytes.length / 2);
        bytes[middle] = (bytes[middle] as number) ^ 0x01;
        const error = await failure(driver.verifyWebhook(bytes, delivery.headers));
        expect(error).toBeInstanceOf(SignatureVerificationError);
      });
    }

    const currencies = declared.capabilities.currencies;
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

    it('logged the calls it made (so the leak checks above saw something)', () => {
      expect(thrown.length).toBeGreaterThan(0);
      expect(logLines.length).toBeGreaterThan(0);
    });
  });
}
