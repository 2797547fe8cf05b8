import { randomUUID } from 'node:crypto';
import {
  assertCurrency,
  assertMinorUnits,
  ConfigurationError,
  InvalidRequestError,
  requireCapability,
  runRepeatable,
  UnsupportedOperationError,
  type Capabilities,
  type CaptureMode,
  type ChargeSavedMethodInput,
  type CreatePaymentInput,
  type Customer,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type VerifiedWebhook,
  type OperationOptions,
  type Payment,
  type Refund,
  type RefundInput,
  type SavedMethod,
} from '@tijara/core';
import { UmmahClient, type RequestOptions, type UmmahClientOptions } from './client.js';
import { PURCHASE_VIEW } from './endpoints.js';
import { purchaseSchema, type PurchaseActionResponse } from './schemas/index.js';
import {
  cardDisplayOf,
  DEFAULT_HOLD_VALIDITY_DAYS,
  type CardDisplayFields,
  toCreatePurchaseRequest,
  toPayment,
  toRefund,
  type PaymentMappingOptions,
} from './transformers.js';
import { parseUmmahEvent, parseVerifiedJson, ummahEventId, ummahEventPaymentId } from './webhook-events.js';
import { UmmahWebhookVerifier, type UmmahWebhookKeyOptions } from './webhook-verifier.js';

/** Everything Ummah can do. A deployment or merchant account that lacks something narrows it via `capabilities`. */
export const UMMAH_CAPABILITIES: Capabilities = Object.freeze({
  captureModes: Object.freeze(['automatic', 'manual'] as const),
  partialCapture: true,
  release: true,
  cancel: true,
  refund: true,
  partialRefund: true,
  multipleRefunds: true,
  savedMethods: true,
  customers: true,
  signedWebhooks: true,
  // The buyer returns to success_redirect with nothing to resolve: the store re-reads the purchase it created.
  returnResolution: false,
  captureOnApproval: false,
  amountPolicy: 'exact',
  idempotencyKeys: true,
  currencies: 'any',
  testMode: true,
});

const DEFAULT_CREATOR_AGENT = 'tijara-ummah/0.1.0';

export interface UmmahDriverOptions extends UmmahClientOptions {
  /** The brand purchases are created for (dashboard → Developers). */
  readonly brandId: string;
  /** Sent as `creator_agent` (max 32 characters). */
  readonly creatorAgent?: string;
  /** Which keys verify `X-Signature`, and how they are refreshed. */
  readonly webhooks?: UmmahWebhookKeyOptions;
  /**
   * Declare less than Ummah can do, e.g. an account without `skip_capture` (`{ captureModes: ['automatic'] }`)
   * or restricted currencies. Operations outside what is declared throw UnsupportedOperationError before sending.
   */
  readonly capabilities?: Partial<Capabilities>;
  /**
   * Days a hold stays capturable, for `authorizationExpiresAt` (default 7, the card schemes' usual window; Ummah
   * documents none). Set what your acquirer gives you.
   */
  readonly holdValidityDays?: number;
}

function narrowCapabilities(overrides: Partial<Capabilities> | undefined): Capabilities {
  const merged = { ...UMMAH_CAPABILITIES, ...overrides };
  // What Ummah does not do cannot be declared on; what it does can only be narrowed.
  const fixed = {
    returnResolution: false,
    captureOnApproval: false,
    amountPolicy: 'exact',
    idempotencyKeys: true,
  } as const;
  Object.assign(merged, fixed);
  const modes = merged.captureModes.filter((mode) => UMMAH_CAPABILITIES.captureModes.includes(mode));
  if (modes.length === 0) {
    throw new ConfigurationError('Ummah capabilities.captureModes must keep at least one capture mode', {
      gateway: 'ummah',
      code: 'invalid_capabilities',
    });
  }
  const currencies =
    merged.currencies === 'any' ? 'any' : Object.freeze(merged.currencies.map(assertCurrency));
  return Object.freeze({ ...merged, captureModes: Object.freeze(modes), currencies, testMode: true });
}

function unsupported(what: string): UnsupportedOperationError {
  return new UnsupportedOperationError(`ummah is configured without ${what}`, {
    gateway: 'ummah',
    code: 'unsupported_operation',
  });
}

function positiveAmount(amount: number, what: string): number {
  if (assertMinorUnits(amount, what) === 0) {
    throw new InvalidRequestError(`${what} must be greater than 0`, {
      gateway: 'ummah',
      code: 'invalid_amount',
      details: { amount: ['Ensure this value is greater than or equal to 1.'] },
    });
  }
  return amount;
}

function requestOptions(
  options: OperationOptions | undefined,
  idempotencyKey = options?.idempotencyKey,
): RequestOptions {
  return {
    ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
    ...(options?.signal ? { signal: options.signal } : {}),
  };
}

/**
 * The Ummah gateway behind core's GatewayDriver contract. `client` exposes the whole API for everything the
 * contract does not cover (billing, clients, webhooks, statements…).
 */
export class UmmahDriver implements GatewayDriver {
  readonly name = 'ummah';
  readonly capabilities: Capabilities;
  readonly client: UmmahClient;
  readonly webhookVerifier: UmmahWebhookVerifier;
  readonly #brandId: string;
  readonly #creatorAgent: string;
  readonly #mapping: PaymentMappingOptions;

  constructor(options: UmmahDriverOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('Ummah driver options are missing', {
        gateway: 'ummah',
        code: 'missing_options',
      });
    }
    this.client = new UmmahClient(options);
    if (typeof options.brandId !== 'string' || options.brandId.trim() === '') {
      throw new ConfigurationError('Ummah brandId is missing (dashboard → Developers → Brands)', {
        gateway: 'ummah',
        code: 'missing_brand_id',
      });
    }
    this.#brandId = options.brandId;
    this.#creatorAgent = options.creatorAgent ?? DEFAULT_CREATOR_AGENT;
    if (this.#creatorAgent.length > 32) {
      throw new ConfigurationError('Ummah creatorAgent must be at most 32 characters', {
        gateway: 'ummah',
        code: 'invalid_creator_agent',
      });
    }
    this.capabilities = narrowCapabilities(options.capabilities);
    const holdValidityDays = options.holdValidityDays ?? DEFAULT_HOLD_VALIDITY_DAYS;
    if (!(holdValidityDays > 0)) {
      throw new ConfigurationError('Ummah holdValidityDays must be a positive number of days', {
        gateway: 'ummah',
        code: 'invalid_hold_validity',
      });
    }
    this.#mapping = { fallbackTestMode: this.client.testMode, holdValidityDays };
    this.webhookVerifier = new UmmahWebhookVerifier(options.webhooks, {
      fetchCompanyKey: () => this.fetchCompanyKey(),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  get testMode(): boolean {
    return this.client.testMode;
  }

  async createPayment(input: CreatePaymentInput, options?: OperationOptions): Promise<Payment> {
    this.#requireCaptureMode(input.capture);
    if (input.saveMethod) requireCapability(this, 'savedMethods');
    return this.#createPurchase(input, input.capture, Boolean(input.saveMethod), requestOptions(options));
  }

  async retrievePayment(id: string, options?: OperationOptions): Promise<Payment> {
    const read = options?.signal ? { signal: options.signal } : {};
    return toPayment(await this.client.call(PURCHASE_VIEW, { id }, undefined, read), this.#mapping);
  }

  /** An amount makes it a partial capture as far as capabilities go: the driver cannot know the hold without a read. */
  async capture(id: string, amount?: number, options?: OperationOptions): Promise<Payment> {
    if (!this.capabilities.captureModes.includes('manual')) throw unsupported('manual capture');
    if (amount !== undefined) {
      requireCapability(this, 'partialCapture');
      positiveAmount(amount, 'capture amount');
    }
    const body = amount === undefined ? {} : { amount };
    return runRepeatable(
      'capture',
      async () =>
        this.#settled(id, await this.client.purchases.capture(id, body, requestOptions(options)), options),
      () => this.retrievePayment(id, options),
    );
  }

  async release(id: string, options?: OperationOptions): Promise<Payment> {
    requireCapability(this, 'release');
    return runRepeatable(
      'release',
      async () =>
        this.#settled(id, await this.client.purchases.release(id, requestOptions(options)), options),
      () => this.retrievePayment(id, options),
    );
  }

  async cancel(id: string, options?: OperationOptions): Promise<Payment> {
    requireCapability(this, 'cancel');
    return runRepeatable(
      'cancel',
      async () => this.#settled(id, await this.client.purchases.cancel(id, requestOptions(options)), options),
      () => this.retrievePayment(id, options),
    );
  }

  /** The gateway enforces the cumulative cap (refunds never exceed what was captured) and answers 400/409 beyond it. */
  async refund(id: string, input: RefundInput = {}, options?: OperationOptions): Promise<Refund> {
    requireCapability(this, 'refund');
    if (input.amount !== undefined) {
      requireCapability(this, 'partialRefund');
      positiveAmount(input.amount, 'refund amount');
    }
    const body = {
      ...(input.amount !== undefined ? { amount: input.amount } : {}),
      ...(input.reference !== undefined ? { reference: input.reference } : {}),
    };
    // A refund repeated with the same reference is the same operation to the gateway, so the key comes from it.
    const key =
      options?.idempotencyKey ??
      (input.reference !== undefined ? `refund:${id}:${input.reference}` : undefined);
    const refund = await this.client.purchases.refund(id, body, requestOptions(options, key));
    // The refund already happened; a body without its currency is completed from the purchase, not rejected.
    const currency = refund.currency ?? (await this.retrievePayment(id, options)).currency;
    return toRefund(refund, { paymentId: id, currency });
  }

  /**
   * Off-session charge: a new purchase, then `POST /purchases/{id}/charge/` with the token. The two POSTs get keys
   * derived from the caller's (`${key}:create`, `${key}:charge`), so retrying the whole operation with the same key
   * finds the same purchase and the same charge instead of charging twice.
   */
  async chargeSavedMethod(
    token: string,
    input: ChargeSavedMethodInput,
    options?: OperationOptions,
  ): Promise<Payment> {
    requireCapability(this, 'savedMethods');
    const capture = input.capture ?? 'automatic';
    this.#requireCaptureMode(capture);
    if (typeof token !== 'string' || token.trim() === '') {
      throw new InvalidRequestError('Ummah saved method token is missing', {
        gateway: 'ummah',
        code: 'invalid_request',
        details: { recurring_token: ['This field is required.'] },
      });
    }
    const key = options?.idempotencyKey ?? randomUUID();
    const created = await this.#createPurchase(
      input,
      capture,
      false,
      requestOptions(options, `${key}:create`),
    );
    const charged = await this.client.purchases.charge(
      created.id,
      { recurring_token: token },
      requestOptions(options, `${key}:charge`),
    );
    return this.#settled(created.id, charged, options);
  }

  async deleteSavedMethod(token: string, options?: OperationOptions): Promise<void> {
    requireCapability(this, 'savedMethods');
    await this.client.purchases.deleteRecurringToken(token, requestOptions(options));
  }

  /**
   * A client (Ummah's customer) for the store's customer: the one with `gatewayCustomerId` when it still exists,
   * else a new one. Cards saved on purchases made with its `client_id` are listed by `listSavedMethods`.
   */
  async ensureCustomer(customer: Customer, options?: OperationOptions): Promise<{ readonly id: string }> {
    requireCapability(this, 'customers');
    if (customer.gatewayCustomerId) {
      const read = options?.signal ? { signal: options.signal } : {};
      const found = await this.client.clients.retrieve(customer.gatewayCustomerId, read).catch((error) => {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      });
      if (found) return { id: found.id };
    }
    const created = await this.client.clients.create(
      {
        email: customer.email,
        ...(customer.name ? { full_name: customer.name } : {}),
        ...(customer.phone ? { phone: customer.phone } : {}),
      },
      requestOptions(options),
    );
    return { id: created.id };
  }

  /** The client's recurring tokens; each token charges like a purchase id. */
  async listSavedMethods(customerId: string, options?: OperationOptions): Promise<SavedMethod[]> {
    requireCapability(this, 'customers');
    const read = options?.signal ? { signal: options.signal } : {};
    const methods: SavedMethod[] = [];
    for await (const token of this.client.clients.recurringTokens.list(customerId, {}, read)) {
      // CHIP deployments (and the sandbox) put the card's display fields on the token; absent ones stay absent.
      methods.push({
        token: token.recurring_token ?? token.id,
        customerId,
        ...cardDisplayOf(token as CardDisplayFields),
      });
    }
    return methods;
  }

  async verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent> {
    return (await this.openWebhook(rawBody, headers)).event();
  }

  /** Verify now; validate the purchase only if the pipeline needs the event (not for a redelivery). */
  async openWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<VerifiedWebhook> {
    requireCapability(this, 'signedWebhooks');
    const bytes = await this.webhookVerifier.verify(rawBody, headers);
    const body = parseVerifiedJson(bytes);
    const paymentId = ummahEventPaymentId(body);
    return {
      eventId: ummahEventId(body),
      ...(paymentId === undefined ? {} : { paymentId }),
      event: () => parseUmmahEvent(body, this.#mapping),
    };
  }

  /** The company callback key (`GET /public_key/`) as PEM text, whichever of the two documented shapes arrives. */
  async fetchCompanyKey(options?: OperationOptions): Promise<string> {
    const response = await this.client.publicKey.retrieve(requestOptions(options));
    return typeof response === 'string' ? response : response.public_key;
  }

  #requireCaptureMode(mode: CaptureMode): void {
    if (!this.capabilities.captureModes.includes(mode)) throw unsupported(`${mode} capture`);
  }

  async #createPurchase(
    input: CreatePaymentInput | ChargeSavedMethodInput,
    capture: CaptureMode,
    saveMethod: boolean,
    options: RequestOptions,
  ): Promise<Payment> {
    const currencies = this.capabilities.currencies;
    if (currencies !== 'any' && !currencies.includes(assertCurrency(input.currency))) {
      throw unsupported(`currency ${assertCurrency(input.currency)}`);
    }
    const body = toCreatePurchaseRequest(input, {
      brandId: this.#brandId,
      creatorAgent: this.#creatorAgent,
      capture,
      saveMethod,
    });
    return toPayment(await this.client.purchases.create(body, options), this.#mapping);
  }

  /** Actions answer the whole purchase (CHIP) or only `{"status": …}` (seed); the latter is completed by a read. */
  async #settled(id: string, response: PurchaseActionResponse, options?: OperationOptions): Promise<Payment> {
    const purchase = purchaseSchema.safeParse(response);
    if (purchase.success && purchase.data.purchase) return toPayment(purchase.data, this.#mapping);
    return this.retrievePayment(id, options);
  }
}

export function createUmmahDriver(options: UmmahDriverOptions): UmmahDriver {
  return new UmmahDriver(options);
}
