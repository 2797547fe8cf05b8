import { randomUUID } from 'node:crypto';
import {
  assertCurrency,
  assertMinorUnits,
  ConfigurationError,
  ConflictError,
  InvalidRequestError,
  NOT_DONE,
  NotFoundError,
  recovered,
  requireCapability,
  runRepeatable,
  UnsupportedOperationError,
  type Capabilities,
  type ChargeSavedMethodInput,
  type CreatePaymentInput,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type OperationOptions,
  type Payment,
  type Refund,
  type RefundInput,
  type ReturnParams,
  type ReturnResolution,
} from '@tijara/core';
import { PostpayClient, type PostpayClientOptions } from './client.js';
import { MAX_REFERENCE_LENGTH, orderIdFor } from './order-ids.js';
import { messages, type Order, type RefundObject } from './schemas/index.js';
import { isCapturedOrderStatus } from './status-mapping.js';
import {
  checkoutPayment,
  refundedTotal,
  toCheckoutRequest,
  toPayment,
  toRefund,
  type PaymentMappingOptions,
} from './transformers.js';
import { parsePostpayEvent, parseVerifiedJson } from './webhook-events.js';
import { PostpayWebhookVerifier, type PostpayWebhookOptions } from './webhook-verifier.js';

/**
 * What Postpay can do, honestly:
 * - one capture mode, `automatic`: an approval is not a sale until captured (`captureOnApproval`), and the suite
 *   captures it at once. Seed 003 documents no way to let an approval go (no void or release) and no length for
 *   the window before it expires, so offering `manual` would promise a hold the merchant can neither release
 *   nor count on; see the README.
 * - capture takes no amount (no partial capture), and there is no cancel of a pending checkout;
 * - partial and multiple refunds, each with the merchant's refund id;
 * - no saved methods or customers; signed hooks; the buyer's return resolves to the order;
 * - no idempotency keys: a capture or refund whose answer was lost is settled by re-reading the order or the
 *   refund, never by sending it blindly again.
 */
export const POSTPAY_CAPABILITIES: Capabilities = Object.freeze({
  captureModes: Object.freeze(['automatic'] as const),
  partialCapture: false,
  release: false,
  cancel: false,
  refund: true,
  partialRefund: true,
  multipleRefunds: true,
  savedMethods: false,
  customers: false,
  signedWebhooks: true,
  returnResolution: true,
  captureOnApproval: true,
  amountPolicy: 'exact',
  idempotencyKeys: false,
  currencies: 'any',
  testMode: true,
});

export interface PostpayDriverOptions extends PostpayClientOptions {
  /** The secrets of your hooks (`POST /hooks`), which sign `X-Postpay-Signature`. */
  readonly webhooks?: PostpayWebhookOptions;
  /** The product page Postpay requires of every item, for line items without a `url` (default: the return URL's origin). */
  readonly storeUrl?: string;
  /** Fix the number of instalments for every checkout (the buyer cannot change it). */
  readonly numInstalments?: number;
  /**
   * How long an approval stays capturable under your Postpay agreement, for `authorizationExpiresAt`. Seed 003
   * documents that approvals expire (410 on capture) but not when; left out, the expiry is not reported.
   */
  readonly captureWindowMs?: number;
  /** Declare less than Postpay can do (no refunds, no partial refunds, fewer currencies). */
  readonly capabilities?: Partial<
    Pick<Capabilities, 'refund' | 'partialRefund' | 'multipleRefunds' | 'currencies'>
  >;
}

function narrowCapabilities(overrides: PostpayDriverOptions['capabilities']): Capabilities {
  const refund = POSTPAY_CAPABILITIES.refund && (overrides?.refund ?? true);
  const partialRefund = refund && (overrides?.partialRefund ?? true);
  const multipleRefunds = refund && (overrides?.multipleRefunds ?? true);
  const currencies = overrides?.currencies;
  if (currencies !== undefined && currencies !== 'any' && currencies.length === 0) {
    throw new ConfigurationError('Postpay capabilities.currencies must keep at least one currency', {
      gateway: 'postpay',
      code: 'invalid_capabilities',
    });
  }
  return Object.freeze({
    ...POSTPAY_CAPABILITIES,
    refund,
    partialRefund,
    multipleRefunds,
    currencies:
      currencies === undefined || currencies === 'any'
        ? 'any'
        : Object.freeze(currencies.map(assertCurrency)),
  });
}

function invalidInput(message: string, details: Record<string, string[]>): InvalidRequestError {
  return new InvalidRequestError(message, { gateway: 'postpay', code: 'invalid_request', details });
}

function unsupported(what: string): UnsupportedOperationError {
  return new UnsupportedOperationError(`postpay does not support ${what}`, {
    gateway: 'postpay',
    code: 'unsupported_operation',
  });
}

const read = (options: OperationOptions | undefined) => (options?.signal ? { signal: options.signal } : {});

const CLAIMS: Readonly<Record<string, ReturnResolution['claimed']>> = {
  APPROVED: 'approved',
  DENIED: 'declined',
  CANCELLED: 'canceled',
  CANCELED: 'canceled',
};

/**
 * The Postpay gateway behind core's GatewayDriver contract. `client` exposes the whole API for what the contract
 * does not cover (order and refund lists, settlement transactions, hooks).
 */
export class PostpayDriver implements GatewayDriver {
  readonly name = 'postpay';
  readonly capabilities: Capabilities;
  readonly client: PostpayClient;
  readonly webhookVerifier: PostpayWebhookVerifier;
  readonly #storeUrl: string | undefined;
  readonly #numInstalments: number | undefined;
  readonly #mapping: PaymentMappingOptions;

  constructor(options: PostpayDriverOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('Postpay driver options are missing', {
        gateway: 'postpay',
        code: 'missing_options',
      });
    }
    this.client = new PostpayClient(options);
    this.capabilities = narrowCapabilities(options.capabilities);
    if (options.storeUrl !== undefined && !URL.canParse(options.storeUrl)) {
      throw new ConfigurationError('Postpay storeUrl must be an absolute URL', {
        gateway: 'postpay',
        code: 'invalid_store_url',
      });
    }
    if (
      options.numInstalments !== undefined &&
      !(Number.isInteger(options.numInstalments) && options.numInstalments >= 1)
    ) {
      throw new ConfigurationError('Postpay numInstalments must be a whole number of at least 1', {
        gateway: 'postpay',
        code: 'invalid_instalments',
      });
    }
    if (options.captureWindowMs !== undefined && !(options.captureWindowMs > 0)) {
      throw new ConfigurationError('Postpay captureWindowMs must be a positive number of milliseconds', {
        gateway: 'postpay',
        code: 'invalid_capture_window',
      });
    }
    this.#storeUrl = options.storeUrl;
    this.#numInstalments = options.numInstalments;
    this.#mapping = {
      testMode: this.client.testMode,
      ...(options.captureWindowMs !== undefined ? { captureWindowMs: options.captureWindowMs } : {}),
    };
    this.webhookVerifier = new PostpayWebhookVerifier(options.webhooks, options.logger);
    for (const secret of options.webhooks?.secrets ?? []) this.client.protectSecret(secret);
  }

  get testMode(): boolean {
    return this.client.testMode;
  }

  /**
   * A checkout for one payment attempt. Its `order_id` comes from the reference and the idempotency key (a new key
   * when none is given), so retrying the attempt with the same key names the same order; Postpay refuses a second
   * checkout for an order id, which is then reported rather than hidden (the first answer's redirect was lost).
   */
  async createPayment(input: CreatePaymentInput, options?: OperationOptions): Promise<Payment> {
    if (!this.capabilities.captureModes.includes(input.capture))
      throw unsupported(`${input.capture} capture`);
    if (input.saveMethod) requireCapability(this, 'savedMethods');
    const currency = assertCurrency(input.currency);
    const currencies = this.capabilities.currencies;
    if (currencies !== 'any' && !currencies.includes(currency)) throw unsupported(`currency ${currency}`);
    if (typeof input.reference !== 'string' || input.reference.trim() === '') {
      throw invalidInput('Postpay checkout was not sent: reference is missing', {
        reference: [messages.required],
      });
    }
    if (input.reference.length > MAX_REFERENCE_LENGTH) {
      throw invalidInput(`Postpay checkout was not sent: reference is longer than ${MAX_REFERENCE_LENGTH}`, {
        reference: [messages.maxLength(MAX_REFERENCE_LENGTH)],
      });
    }
    const orderId = orderIdFor(input.reference, options?.idempotencyKey ?? randomUUID());
    const request = toCheckoutRequest(input, {
      orderId,
      ...(this.#storeUrl !== undefined ? { storeUrl: this.#storeUrl } : {}),
      ...(this.#numInstalments !== undefined ? { numInstalments: this.#numInstalments } : {}),
    });
    try {
      const checkout = await this.client.checkouts.create(request, {
        ...read(options),
        // The order exists when the checkout was made, but its redirect is only in the lost answer.
        recover: async () => {
          if (await this.#orderExists(orderId, options)) throw this.#lostCheckout(orderId);
          return NOT_DONE;
        },
      });
      return checkoutPayment(request, checkout, input.reference, this.client.testMode);
    } catch (error) {
      if (error instanceof ConflictError && error.code === 'conflict')
        throw this.#lostCheckout(orderId, error);
      throw error;
    }
  }

  /** The order, with what its refunds add up to when it was captured. */
  async retrievePayment(id: string, options?: OperationOptions): Promise<Payment> {
    const order = await this.client.orders.retrieve(id, read(options));
    return this.#payment(order, options);
  }

  /**
   * Finalise an approved order (capture on approval). Postpay captures the whole order: an amount is refused. A
   * captured order answers as captured; an expired approval is a ConflictError with code `expired`; a declined
   * instalment payment a CardError `capture_error`.
   */
  async capture(id: string, amount?: number, options?: OperationOptions): Promise<Payment> {
    if (amount !== undefined)
      throw unsupported('partial capture (capture without an amount captures the order)');
    return runRepeatable(
      'capture',
      async () => {
        const order = await this.client.orders.capture(id, {
          ...read(options),
          recover: async () => {
            const now = await this.client.orders.retrieve(id, read(options));
            return isCapturedOrderStatus(now.status) ? recovered(now) : NOT_DONE;
          },
        });
        // Captured just now: nothing can have been refunded yet, so the refunds need no read.
        return toPayment(order, this.#mapping);
      },
      () => this.retrievePayment(id, options),
    );
  }

  async release(_id: string, _options?: OperationOptions): Promise<Payment> {
    requireCapability(this, 'release');
    throw unsupported('release');
  }

  async cancel(_id: string, _options?: OperationOptions): Promise<Payment> {
    requireCapability(this, 'cancel');
    throw unsupported('cancel');
  }

  /**
   * A refund with the merchant's refund id: `reference`, else the idempotency key, else a new one. Refunding again
   * with the same id answers the first refund when it is the same refund (Postpay says 409 `conflict`); a lost
   * answer is settled by reading the refund by its id.
   */
  async refund(id: string, input: RefundInput = {}, options?: OperationOptions): Promise<Refund> {
    requireCapability(this, 'refund');
    if (input.amount !== undefined) {
      requireCapability(this, 'partialRefund');
      if (assertMinorUnits(input.amount, 'refund amount') === 0) {
        throw invalidInput('Postpay refund amount must be greater than 0', {
          amount: [messages.minValue(1)],
        });
      }
    }
    const refundId = input.reference ?? options?.idempotencyKey ?? randomUUID();
    // Read first: a refund of an unknown order fails before anything is sent, and the refund needs the currency.
    const order = await this.client.orders.retrieve(id, read(options));
    const body = {
      refund_id: refundId,
      ...(input.amount !== undefined ? { amount: input.amount } : {}),
      ...(input.reason !== undefined ? { description: input.reason } : {}),
    };
    const context = { paymentId: order.order_id, currency: order.currency.toUpperCase() };
    const existing = async () => {
      try {
        return await this.client.orders.refunds.retrieve(id, refundId, read(options));
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    };
    try {
      const refund = await this.client.orders.refunds.create(id, body, {
        ...read(options),
        recover: async () => {
          const found = await existing();
          return found ? recovered(found) : NOT_DONE;
        },
      });
      return toRefund(refund, context);
    } catch (error) {
      if (!(error instanceof ConflictError && error.code === 'conflict')) throw error;
      const found = await existing();
      if (found && sameRefund(found, input.amount)) return toRefund(found, context);
      throw new ConflictError(
        `Postpay refund id ${refundId} was already used on order ${id} for a different refund` +
          (found ? ` (${found.amount}${found.full ? ', full' : ''})` : ''),
        { gateway: 'postpay', code: 'conflict', statusCode: error.statusCode, raw: found, cause: error },
      );
    }
  }

  async chargeSavedMethod(
    _token: string,
    _input: ChargeSavedMethodInput,
    _options?: OperationOptions,
  ): Promise<Payment> {
    requireCapability(this, 'savedMethods');
    throw unsupported('saved methods');
  }

  async deleteSavedMethod(_token: string, _options?: OperationOptions): Promise<void> {
    requireCapability(this, 'savedMethods');
  }

  /**
   * The buyer comes back to `confirmation_url` or `cancel_url` with `order_id` and `status` in the query. The
   * status is only what the redirect claims: the payment is the order read from Postpay now.
   */
  async resolveReturn(params: ReturnParams, options?: OperationOptions): Promise<ReturnResolution> {
    requireCapability(this, 'returnResolution');
    const value = (name: string) => params.query[name] ?? params.form?.[name];
    const named = value('order_id');
    const orderId = named ?? params.paymentId;
    if (!orderId) {
      throw invalidInput('The Postpay return names no order (no order_id in the query)', {
        order_id: [messages.required],
      });
    }
    // A buyer bringing back another order's approval must not settle the order the store sent them to pay.
    if (named !== undefined && params.paymentId !== undefined && named !== params.paymentId) {
      throw new InvalidRequestError(
        `The Postpay return names order ${named}, not ${params.paymentId} which the buyer was sent to pay`,
        {
          gateway: 'postpay',
          code: 'return_payment_mismatch',
          details: { order_id: ['Does not match the payment.'] },
        },
      );
    }
    const claimed = CLAIMS[(value('status') ?? '').toUpperCase()];
    const payment = await this.retrievePayment(orderId, options);
    return claimed ? { payment, claimed } : { payment };
  }

  async verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent> {
    requireCapability(this, 'signedWebhooks');
    const bytes = await this.webhookVerifier.verify(rawBody, headers);
    return parsePostpayEvent(parseVerifiedJson(bytes), this.#mapping);
  }

  async #payment(order: Order, options: OperationOptions | undefined): Promise<Payment> {
    if (!isCapturedOrderStatus(order.status)) return toPayment(order, this.#mapping);
    const refunds: RefundObject[] = [];
    for await (const refund of this.client.orders.refunds.list(
      order.order_id,
      { page_size: 50 },
      read(options),
    )) {
      refunds.push(refund);
    }
    return toPayment(order, { ...this.#mapping, refundedAmount: refundedTotal(refunds) });
  }

  async #orderExists(orderId: string, options: OperationOptions | undefined): Promise<boolean> {
    try {
      await this.client.orders.retrieve(orderId, read(options));
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }

  #lostCheckout(orderId: string, cause?: ConflictError): ConflictError {
    return new ConflictError(
      `Postpay already has a checkout for order ${orderId}, but its redirect was lost; start a new attempt ` +
        '(a new idempotency key) so the buyer gets a checkout of their own',
      {
        gateway: 'postpay',
        code: 'checkout_exists',
        outcomeUnknown: false,
        ...(cause ? { statusCode: cause.statusCode, requestId: cause.requestId, cause } : {}),
      },
    );
  }
}

/** A refund found under the id is the one asked for: same amount, or a full refund when no amount was given. */
function sameRefund(found: RefundObject, amount: number | undefined): boolean {
  return amount === undefined ? found.full !== false : found.amount === amount;
}

export function createPostpayDriver(options: PostpayDriverOptions): PostpayDriver {
  return new PostpayDriver(options);
}
