import {
  assertCurrency,
  assertMinorUnits,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  InvalidRequestError,
  NotFoundError,
  recovered,
  TijaraError,
  UnsupportedOperationError,
  type Capabilities,
  type DigestSignatureVerifier,
  type ChargeSavedMethodInput,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type NextAction,
  type OperationOptions,
  type Payment,
  type Refund,
  type RefundInput,
} from '@tijara/core';
import { CardDataScrubber } from './card-data.js';
import { NumipayClient, type NumipayClientOptions, type RequestOptions } from './client.js';
import { splitDateRange } from './date-ranges.js';
import type { CardDetails, NumipayMode, TransactionStatusResponse } from './schemas.js';
import { MODES } from './schemas.js';
import { normalizePayoutStatus, type PayoutStatus } from './status-mapping.js';
import { createTrackingId, parseTrackingId, type TrackingId } from './tracking-id.js';
import {
  cashierAction,
  defaultSettings,
  rejectionReason,
  serverToServerToPayment,
  statusToPayment,
  toEnvelopeBase,
  toPayment,
  toTransaction,
  type NumipayPaymentInput,
  type NumipayTransaction,
} from './transformers.js';
import { parseNumipayEvent, parseVerifiedJson } from './webhook-events.js';
import { createNumipayWebhookVerifier } from './webhook-verifier.js';

/**
 * What Numipay does through the contract: hosted (or direct) deposits taken in one step, and signed webhooks.
 * The seed has no capture, release, cancel or refund, and no idempotency keys: a call that may have reached
 * Numipay is never sent again blindly; the driver re-reads the transaction instead.
 */
export const NUMIPAY_CAPABILITIES: Capabilities = Object.freeze({
  captureModes: Object.freeze(['automatic'] as const),
  partialCapture: false,
  release: false,
  cancel: false,
  refund: false,
  partialRefund: false,
  multipleRefunds: false,
  savedMethods: false,
  customers: false,
  signedWebhooks: true,
  // The buyer comes back with nothing to resolve: the store re-reads the payment it created (its tracking id).
  returnResolution: false,
  captureOnApproval: false,
  amountPolicy: 'exact',
  idempotencyKeys: false,
  currencies: 'any',
  testMode: true,
});

/** Unconfirmed: the seed says the cashier is reached with the token it returns, not where. */
export const DEFAULT_CASHIER_URL = 'https://cashier.numipay.co/?token={token}';

export interface NumipayWebhookOptions {
  /** The signature password(s) from the back office (Credentials); give old and new during a rotation. */
  readonly signaturePasswords: readonly string[];
}

export interface NumipayDriverOptions extends NumipayClientOptions {
  /** `test` (a DEV API key, the simulator) or `live`; sent in every request. Required: it cannot be guessed from the key. */
  readonly mode: NumipayMode;
  /** How `createPayment` sends the buyer: the hosted cashier (default) or straight to one provider. */
  readonly flow?: 'cashier' | 'direct';
  /** The provider for the direct flow (settings → providers). */
  readonly providerId?: number;
  /** The route for server-to-server card payments. */
  readonly routingId?: number;
  /** The cashier page for a token; `{token}` is replaced (default unconfirmed, see the README). */
  readonly cashierUrl?: string;
  /** The payout cashier page for a token (default: `cashierUrl`). */
  readonly payoutCashierUrl?: string;
  /** Cashier theme, e.g. `dark`. */
  readonly theme?: string;
  /** The `settings` object of each request (default: the return URLs, see `defaultSettings`). */
  readonly settings?: (input: NumipayPaymentInput) => Record<string, unknown>;
  readonly webhooks?: NumipayWebhookOptions;
  /** Declare fewer currencies than Numipay's 'any' (what your providers accept). */
  readonly currencies?: readonly string[];
}

/** A payout as the status endpoint tells it. */
export interface Payout {
  readonly id: string;
  readonly status: PayoutStatus;
  readonly rawStatus: string;
  readonly rejectedReason?: string;
  readonly raw: unknown;
}

export interface PayoutInput {
  /** Minor units. */
  readonly amount: number;
  readonly currency: string;
  readonly customer: NumipayPaymentInput['customer'];
  readonly returnUrls: NumipayPaymentInput['returnUrls'];
  readonly reference: string;
  readonly numipay?: NumipayPaymentInput['numipay'];
}

/** A created payout cashier: send the payee to `nextAction`; the payout waits for approval once they submit. */
export interface PayoutSession {
  readonly id: string;
  readonly token: string;
  readonly nextAction: NextAction;
  readonly raw: unknown;
}

export interface CardPaymentResult extends Payment {
  /** Numipay's `error` beside a `rejected` answer. */
  readonly failureReason?: string;
}

type Decision = 'approve' | 'reject';

/**
 * What a payout's state says about a decision: the payout when it already shows it, a ConflictError when it shows
 * the other one (or is otherwise final), undefined while it is still `pending` and the decision can be sent.
 */
function decided(decision: Decision, payout: Payout, cause?: unknown): Payout | undefined {
  if (payout.status === 'pending') return undefined;
  if (decision === 'approve' && (payout.status === 'processing' || payout.status === 'paid')) return payout;
  if (decision === 'reject' && payout.status === 'rejected') return payout;
  throw new ConflictError(`Numipay payout ${payout.id} is ${payout.rawStatus}; it cannot be ${decision}d`, {
    gateway: 'numipay',
    code: 'payout_already_decided',
    raw: payout.raw,
    ...(cause !== undefined ? { cause } : {}),
  });
}

function unsupported(message: string): UnsupportedOperationError {
  return new UnsupportedOperationError(message, { gateway: 'numipay', code: 'unsupported_operation' });
}

function read(options: OperationOptions | undefined): RequestOptions {
  return options?.signal ? { signal: options.signal } : {};
}

function notOurs(id: string): InvalidRequestError {
  return new InvalidRequestError(
    `Numipay transaction ${id} was not created by this driver, so its amount is unknown: read it with driver.transactionStatus(id)`,
    { gateway: 'numipay', code: 'foreign_tracking_id' },
  );
}

/**
 * The Numipay gateway behind core's GatewayDriver contract, plus what the contract has no word for: card payments
 * server to server, payouts (cashier, approve, reject), the transactions list.
 *
 * Payment ids are tracking ids the driver makes (see `tracking-id.ts`): Numipay is asked about a payment by the
 * merchant's own id, and webhooks name it by the same id.
 */
export class NumipayDriver implements GatewayDriver {
  readonly name = 'numipay';
  readonly capabilities: Capabilities;
  readonly client: NumipayClient;
  readonly mode: NumipayMode;
  readonly #options: NumipayDriverOptions;
  readonly webhookVerifier: DigestSignatureVerifier;
  /** Payout decisions in flight, so two concurrent calls for one payout send one request. */
  readonly #decisions = new Map<string, Promise<Payout>>();

  constructor(options: NumipayDriverOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('Numipay driver options are missing', {
        gateway: 'numipay',
        code: 'missing_options',
      });
    }
    this.client = new NumipayClient(options);
    if (!MODES.includes(options.mode)) {
      throw new ConfigurationError('Numipay mode must be "test" or "live" (it is sent with every request)', {
        gateway: 'numipay',
        code: 'missing_mode',
      });
    }
    this.mode = options.mode;
    for (const [name, id] of [
      ['providerId', options.providerId],
      ['routingId', options.routingId],
    ] as const) {
      if (id !== undefined && !(Number.isSafeInteger(id) && id > 0)) {
        throw new ConfigurationError(`Numipay ${name} must be a positive integer`, {
          gateway: 'numipay',
          code: `invalid_${name}`,
        });
      }
    }
    for (const [name, template] of [
      ['cashierUrl', options.cashierUrl],
      ['payoutCashierUrl', options.payoutCashierUrl],
    ] as const) {
      if (template !== undefined && !template.includes('{token}')) {
        throw new ConfigurationError(`Numipay ${name} must contain {token}`, {
          gateway: 'numipay',
          code: 'invalid_cashier_url',
        });
      }
    }
    this.#options = options;
    this.webhookVerifier = createNumipayWebhookVerifier(
      options.webhooks?.signaturePasswords ?? [],
      options.logger,
    );
    this.capabilities = Object.freeze({
      ...NUMIPAY_CAPABILITIES,
      currencies: options.currencies ? Object.freeze(options.currencies.map(assertCurrency)) : 'any',
    });
  }

  get testMode(): boolean {
    return this.mode === 'test';
  }

  /**
   * A deposit: the hosted cashier (default) or, with `flow: 'direct'`, straight to a provider. The same
   * idempotency key gives the same tracking id, so a retried creation is the same payment to Numipay.
   */
  async createPayment(input: NumipayPaymentInput, options?: OperationOptions): Promise<Payment> {
    const tracking = this.#newTracking(input, options);
    const base = this.#envelope(input, tracking);
    if (this.#options.flow === 'direct') {
      const providerId = input.numipay?.providerId ?? this.#options.providerId;
      if (providerId === undefined) {
        throw new ConfigurationError(
          'Numipay direct flow needs a providerId (driver option or input.numipay)',
          {
            gateway: 'numipay',
            code: 'missing_provider_id',
          },
        );
      }
      const response = await this.client.payments.direct(
        { request: { ...base, provider_id: providerId } },
        read(options),
      );
      const action: NextAction = response.url
        ? { type: 'redirect', method: 'GET', url: response.url }
        : cashierAction(response.token as string, this.#cashierUrl());
      return toPayment(
        response.transaction_status ?? 'created',
        this.#context(tracking, input.reference),
        action,
        response,
      );
    }
    const response = await this.client.payments.cashier(
      { request: { ...base, amount_restricted: true } },
      read(options),
    );
    return toPayment(
      'created',
      this.#context(tracking, input.reference),
      cashierAction(response.token, this.#cashierUrl()),
      response,
    );
  }

  /**
   * A card payment server to server: the merchant collects the card (PCI DSS scope). A non-empty `url` in the
   * answer is the 3-D Secure page (`nextAction`); `rejected` comes back as a failed payment with its reason.
   * Never retried blindly: with an idempotency key, a repeated call first reads the transaction and answers it if
   * Numipay already has it. Card data is never logged, kept or put in an error.
   */
  async chargeCard(
    input: NumipayPaymentInput,
    card: CardDetails,
    options?: OperationOptions,
  ): Promise<CardPaymentResult> {
    const routingId = this.#options.routingId;
    if (routingId === undefined) {
      throw new ConfigurationError('Numipay server-to-server payments need a routingId', {
        gateway: 'numipay',
        code: 'missing_routing_id',
      });
    }
    const scrubber = new CardDataScrubber(card);
    // Whatever the gateway echoed stays out of the payment a store records and out of any error.
    const safe = (payment: Payment, reason?: string): CardPaymentResult => ({
      ...payment,
      raw: scrubber.value(payment.raw),
      ...(payment.failure?.message !== undefined
        ? { failure: { ...payment.failure, message: scrubber.text(payment.failure.message) } }
        : {}),
      ...(reason !== undefined ? { failureReason: scrubber.text(reason) } : {}),
    });
    try {
      const tracking = this.#newTracking(input, options);
      const context = this.#context(tracking, input.reference);
      if (options?.idempotencyKey !== undefined) {
        const existing = await this.#statusOrUndefined(tracking.id, options);
        if (existing) {
          const payment = statusToPayment(existing, context);
          return safe(payment, payment.status === 'failed' ? rejectionReason(existing) : undefined);
        }
      }
      const base = this.#envelope(input, tracking);
      const response = await this.client.payments.serverToServer(
        { request: { ...base, routing_id: routingId, card_details: card } },
        {
          ...read(options),
          // The answer was lost after Numipay may have charged: the transaction, if it exists, is the answer (its
          // 3-D Secure URL is lost with it). If Numipay does not know it, the outcome stays unknown: never re-sent.
          recover: async () => {
            const found = await this.transactionStatus(tracking.id, options);
            return recovered({
              transaction_status: found.transaction_status,
              url: null,
              ...(found.rejected_reason ? { error: found.rejected_reason } : {}),
            });
          },
        },
      );
      const payment = serverToServerToPayment(response, context);
      return safe(payment, payment.status === 'failed' ? rejectionReason(response) : undefined);
    } catch (error) {
      throw scrubber.error(error);
    }
  }

  /** The payment as Numipay has it now: the status endpoint, called with the tracking id. */
  async retrievePayment(id: string, options?: OperationOptions): Promise<Payment> {
    const tracking = parseTrackingId(id);
    let status: TransactionStatusResponse;
    try {
      status = await this.client.transactions.status(id, read(options));
    } catch (error) {
      // A tracking id this driver made that Numipay does not know yet: the buyer has not started at the cashier.
      if (tracking && error instanceof NotFoundError) {
        return toPayment('created', this.#context(tracking), { type: 'none' }, { notFound: true });
      }
      throw error;
    }
    if (!tracking) throw notOurs(id);
    return statusToPayment(status, this.#context(tracking));
  }

  /** The raw status of any transaction (a payout, one made elsewhere). */
  async transactionStatus(id: string, options?: OperationOptions): Promise<TransactionStatusResponse> {
    return this.client.transactions.status(id, read(options));
  }

  /** A payout cashier for the payee; the payout then waits in `pending` for `approvePayout` or `rejectPayout`. */
  async createPayout(input: PayoutInput, options?: OperationOptions): Promise<PayoutSession> {
    const tracking = this.#newTracking(input, options);
    const base = this.#envelope({ ...input, capture: 'automatic' }, tracking);
    const response = await this.client.payouts.cashier({ request: base }, read(options));
    return {
      id: tracking.id,
      token: response.token,
      nextAction: cashierAction(response.token, this.#options.payoutCashierUrl ?? this.#cashierUrl()),
      raw: response,
    };
  }

  async retrievePayout(id: string, options?: OperationOptions): Promise<Payout> {
    return this.#payout(id, await this.transactionStatus(id, options));
  }

  /** Approve a pending payout, exactly once (see `#decide`). */
  approvePayout(id: string, options?: OperationOptions): Promise<Payout> {
    return this.#decide('approve', id, options);
  }

  /** Reject a pending payout, exactly once (see `#decide`). */
  rejectPayout(id: string, options?: OperationOptions): Promise<Payout> {
    return this.#decide('reject', id, options);
  }

  /**
   * Every transaction from `from` to `to` (days included, UTC), in as many calls as the seven-day limit needs;
   * without dates, today's.
   */
  async listTransactions(
    range: { readonly from?: Date | string; readonly to?: Date | string } = {},
    options?: OperationOptions,
  ): Promise<NumipayTransaction[]> {
    if (range.from === undefined && range.to === undefined) {
      return (await this.client.transactions.list({}, read(options))).map(toTransaction);
    }
    const today = new Date();
    const windows = splitDateRange(range.from ?? range.to ?? today, range.to ?? today);
    const seen = new Set<string>();
    const out: NumipayTransaction[] = [];
    for (const window of windows) {
      for (const item of await this.client.transactions.list(window, read(options))) {
        if (seen.has(item.transaction_id)) continue;
        seen.add(item.transaction_id);
        out.push(toTransaction(item));
      }
    }
    return out;
  }

  async verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent> {
    const body = await this.webhookVerifier.verify(rawBody, headers);
    return parseNumipayEvent(parseVerifiedJson(body));
  }

  async capture(_id: string, _amount?: number, _options?: OperationOptions): Promise<Payment> {
    throw unsupported('Numipay has no capture: deposits are taken in one step');
  }

  async release(_id: string, _options?: OperationOptions): Promise<Payment> {
    throw unsupported('Numipay has no holds to release');
  }

  async cancel(_id: string, _options?: OperationOptions): Promise<Payment> {
    throw unsupported('Numipay has no cancel call: an unpaid cashier session simply expires');
  }

  async refund(_id: string, _input?: RefundInput, _options?: OperationOptions): Promise<Refund> {
    throw unsupported('Numipay has no refund API: refund from the Numipay back office');
  }

  async chargeSavedMethod(
    _token: string,
    _input: ChargeSavedMethodInput,
    _options?: OperationOptions,
  ): Promise<Payment> {
    throw unsupported('Numipay does not save payment methods');
  }

  async deleteSavedMethod(_token: string, _options?: OperationOptions): Promise<void> {
    throw unsupported('Numipay does not save payment methods');
  }

  /**
   * One approval or rejection, sent at most once. The payout is read first: one that already shows the decision
   * answers it without a request, one decided the other way (or paid out) is a ConflictError, and only a `pending`
   * payout gets the request. Concurrent calls for a payout share that one request. When its outcome is unknown
   * (the connection broke after sending, a 5xx) the payout is read again; if it still reads `pending`, which
   * cannot tell, the answer is a ConnectionError with `outcomeUnknown` for a person to check in the back office —
   * never a second request.
   */
  #decide(decision: Decision, id: string, options?: OperationOptions): Promise<Payout> {
    const key = `${decision}:${id}`;
    const inflight = this.#decisions.get(key);
    if (inflight) return inflight;
    const run = this.#sendDecision(decision, id, options).finally(() => this.#decisions.delete(key));
    this.#decisions.set(key, run);
    return run;
  }

  async #sendDecision(decision: Decision, id: string, options?: OperationOptions): Promise<Payout> {
    const before = decided(decision, await this.retrievePayout(id, options));
    if (before) return before;
    try {
      const send = decision === 'approve' ? this.client.payouts.approve : this.client.payouts.reject;
      const response = await send({ transaction_id: id }, read(options));
      const answered = (response as { transaction_status?: unknown }).transaction_status;
      // Reject answers `{}`; approve answers the payout's new status (`pending` while the provider pays out).
      const raw = typeof answered === 'string' ? answered : decision === 'approve' ? 'pending' : 'rejected';
      return this.#payout(id, { transaction_status: raw }, response);
    } catch (error) {
      const unknown = error instanceof TijaraError && error.outcomeUnknown;
      const refused = error instanceof TijaraError && [400, 409, 422].includes(error.statusCode ?? 0);
      if (!unknown && !refused) throw error;
      const after = decided(decision, await this.retrievePayout(id, options), error);
      if (after) return after;
      if (refused) throw error;
      throw new ConnectionError(
        `Numipay ${decision} of payout ${id} may or may not have happened and the payout still reads pending: check it in the back office before trying again`,
        { gateway: 'numipay', code: 'payout_outcome_unknown', outcomeUnknown: true, cause: error },
      );
    }
  }

  #payout(id: string, status: TransactionStatusResponse, raw: unknown = status): Payout {
    return {
      id,
      status: normalizePayoutStatus(status.transaction_status),
      rawStatus: status.transaction_status,
      ...(status.rejected_reason ? { rejectedReason: status.rejected_reason } : {}),
      raw,
    };
  }

  async #statusOrUndefined(
    id: string,
    options?: OperationOptions,
  ): Promise<TransactionStatusResponse | undefined> {
    try {
      return await this.transactionStatus(id, options);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  #newTracking(input: { amount: number; currency: string }, options?: OperationOptions): TrackingId {
    const currency = assertCurrency(input.currency);
    assertMinorUnits(input.amount);
    const currencies = this.capabilities.currencies;
    if (currencies !== 'any' && !currencies.includes(currency)) {
      throw unsupported(`Numipay is configured without ${currency}`);
    }
    return parseTrackingId(createTrackingId(input.amount, currency, options?.idempotencyKey)) as TrackingId;
  }

  #envelope(input: NumipayPaymentInput, tracking: TrackingId) {
    if (input.capture !== 'automatic') throw unsupported('Numipay has no manual capture');
    if (input.saveMethod) throw unsupported('Numipay does not save payment methods');
    const settings = (this.#options.settings ?? defaultSettings)(input);
    const withTheme =
      this.#options.theme && !input.numipay?.theme
        ? { ...input, numipay: { ...input.numipay, theme: this.#options.theme } }
        : input;
    return toEnvelopeBase(withTheme, { mode: this.mode, trackingId: tracking.id, settings });
  }

  #context(tracking: TrackingId, reference?: string) {
    return { tracking, testMode: this.testMode, reference };
  }

  #cashierUrl(): string {
    return this.#options.cashierUrl ?? DEFAULT_CASHIER_URL;
  }
}

export function createNumipayDriver(options: NumipayDriverOptions): NumipayDriver {
  return new NumipayDriver(options);
}
