import { randomUUID } from 'node:crypto';
import {
  assertCurrency,
  assertMinorUnits,
  ConfigurationError,
  InvalidRequestError,
  requireCapability,
  UnsupportedOperationError,
  type Capabilities,
  type CaptureMode,
  type ChargeSavedMethodInput,
  type CreatePaymentInput,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type OperationOptions,
  type Payment,
  type Refund,
  type RefundInput,
} from '@tijara/core';
import { UmmahClient, type RequestOptions, type UmmahClientOptions } from './client.js';
import { purchaseSchema, type PurchaseActionResponse } from './schemas/index.js';
import { toCreatePurchaseRequest, toPayment, toRefund } from './transformers.js';
import { parseUmmahEvent, parseVerifiedJson } from './webhook-events.js';
import { UmmahWebhookVerifier, type UmmahWebhookKeyOptions } from './webhook-verifier.js';

/** Everything Ummah can do. A deployment or merchant account that lacks something narrows it via `capabilities`. */
export const UMMAH_CAPABILITIES: Capabilities = Object.freeze({
  captureModes: Object.freeze(['automatic', 'manual'] as const),
  partialCapture: true,
  release: true,
  cancel: true,
  refund: true,
  partialRefund: true,
  savedMethods: true,
  signedWebhooks: true,
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
}

function narrowCapabilities(overrides: Partial<Capabilities> | undefined): Capabilities {
  const merged = { ...UMMAH_CAPABILITIES, ...overrides };
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
    return toPayment(await this.client.purchases.retrieve(id, read), this.testMode);
  }

  /** An amount makes it a partial capture as far as capabilities go: the driver cannot know the hold without a read. */
  async capture(id: string, amount?: number, options?: OperationOptions): Promise<Payment> {
    if (!this.capabilities.captureModes.includes('manual')) throw unsupported('manual capture');
    if (amount !== undefined) {
      requireCapability(this, 'partialCapture');
      positiveAmount(amount, 'capture amount');
    }
    const body = amount === undefined ? {} : { amount };
    return this.#settled(id, await this.client.purchases.capture(id, body, requestOptions(options)), options);
  }

  async release(id: string, options?: OperationOptions): Promise<Payment> {
    requireCapability(this, 'release');
    return this.#settled(id, await this.client.purchases.release(id, requestOptions(options)), options);
  }

  async cancel(id: string, options?: OperationOptions): Promise<Payment> {
    requireCapability(this, 'cancel');
    return this.#settled(id, await this.client.purchases.cancel(id, requestOptions(options)), options);
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
    const refund = await this.client.purchases.refund(id, body, requestOptions(options));
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

  async verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent> {
    requireCapability(this, 'signedWebhooks');
    const bytes = await this.webhookVerifier.verify(rawBody, headers);
    return parseUmmahEvent(parseVerifiedJson(bytes), this.testMode);
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
    return toPayment(await this.client.purchases.create(body, options), this.testMode);
  }

  /** Actions answer the whole purchase (CHIP) or only `{"status": …}` (seed); the latter is completed by a read. */
  async #settled(id: string, response: PurchaseActionResponse, options?: OperationOptions): Promise<Payment> {
    const purchase = purchaseSchema.safeParse(response);
    if (purchase.success && purchase.data.purchase) return toPayment(purchase.data, this.testMode);
    return this.retrievePayment(id, options);
  }
}

export function createUmmahDriver(options: UmmahDriverOptions): UmmahDriver {
  return new UmmahDriver(options);
}
