import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  CreateAccountHolderInput,
  CreateAccountHolderOutput,
  DeleteAccountHolderInput,
  DeleteAccountHolderOutput,
  DeletePaymentInput,
  DeletePaymentMethodInput,
  DeletePaymentMethodOutput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  ListPaymentMethodsInput,
  PaymentAddressDTO,
  ListPaymentMethodsOutput,
  PaymentProviderContext,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrieveAccountHolderInput,
  RetrieveAccountHolderOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  SavePaymentMethodInput,
  SavePaymentMethodOutput,
  UpdateAccountHolderInput,
  UpdateAccountHolderOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from '@medusajs/framework/types';
import { AbstractPaymentProvider, MedusaError } from '@medusajs/framework/utils';
import {
  ConflictError,
  coversOrder,
  InvalidRequestError,
  isCancelable,
  isCapturable,
  isCaptured,
  isFunded,
  isRefundable,
  isReleasable,
  needsCaptureOnApproval,
  NotFoundError,
  requireCapability,
  SignatureVerificationError,
  silentLogger,
  type Address,
  type CaptureMode,
  type Customer,
  type GatewayDriver,
  type GatewayEventType,
  type Logger,
  type Payment,
  type ReturnUrls,
} from '@tijara/core';
import { z } from 'zod';
import { toMajor, toMinorExact, toMinorForCharge } from './amounts.js';
import { toMedusaError } from './errors.js';
import { medusaLogger, type MedusaLikeLogger } from './logger.js';
import { commonOptionsShape, parseProviderOptions, secretValues, type CommonOptions } from './options.js';
import {
  snapshotOf,
  storedPayment,
  storefrontInput,
  type SessionData,
  type StoredPayment,
  type StorefrontAddress,
  type StorefrontInput,
} from './session-data.js';
import { sessionStatusOf, webhookActionOf } from './session-status.js';

/**
 * One gateway, as the plugin needs it: a name, its options and how to build its driver. A provider folder is this
 * and nothing else; every Medusa behaviour lives in TijaraPaymentProvider.
 */
export interface GatewayDefinition<Options extends CommonOptions = CommonOptions> {
  /** Medusa's identifier: provider ids are `pp_<name>_<id>`, the hook `POST /hooks/payment/<name>_<id>`. */
  readonly name: string;
  /** The gateway's own options (zod), merged with the common ones; unknown keys are refused. */
  readonly options: z.ZodRawShape;
  /** Option fields whose values never appear in a message or a log line. */
  readonly secretOptions: readonly string[];
  /** Build the driver. Must not do I/O: it also runs at load to check the options. */
  createDriver(options: Options, logger: Logger): GatewayDriver;
}

/** Gateway events that say nothing Medusa can act on; everything else is re-read and mapped. */
const NOT_SUPPORTED_EVENTS: ReadonlySet<GatewayEventType> = new Set([
  'payment.refunded',
  'payment.disputed',
  'saved_method.deleted',
  'subscription.charge_failed',
  'payout.updated',
  'other',
]);

/** What a storefront passes back from the gateway's return (see `resolveReturn`). */
const returnParamsSchema = z
  .object({
    query: z.record(z.string().max(64), z.string().max(2048)).optional(),
    form: z.record(z.string().max(64), z.string().max(2048)).optional(),
  })
  .strict();

/** Medusa payment session ids; a payment whose reference is anything else was not started by Medusa. */
const SESSION_ID = /^payses_[0-9A-Za-z]+$/;

function optionsSchema(gateway: GatewayDefinition): z.ZodType<CommonOptions> {
  return z
    .object({ ...commonOptionsShape, ...gateway.options })
    .strict() as unknown as z.ZodType<CommonOptions>;
}

function loggerOf(cradle: Record<string, unknown>): MedusaLikeLogger | undefined {
  try {
    // awilix throws for a name nothing registered (a bare module test container).
    return cradle['logger'] as MedusaLikeLogger | undefined;
  } catch {
    return undefined;
  }
}

function accountHolderId(context: PaymentProviderContext | undefined): string | undefined {
  const id = context?.account_holder?.data?.['id'];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** A Medusa address (the storefront's, or the customer's default billing address) as core's. */
function addressOf(a: StorefrontAddress | PaymentAddressDTO | null | undefined): Address | undefined {
  if (!a?.address_1 || !a.city || !a.country_code) return undefined;
  const names = a as { first_name?: string | null; last_name?: string | null };
  return {
    line1: a.address_1,
    city: a.city,
    country: a.country_code.toUpperCase(),
    ...(names.first_name ? { firstName: names.first_name } : {}),
    ...(names.last_name ? { lastName: names.last_name } : {}),
    ...(a.address_2 ? { line2: a.address_2 } : {}),
    ...(a.province ? { state: a.province } : {}),
    ...(a.postal_code ? { postalCode: a.postal_code } : {}),
    ...(a.phone ? { phone: a.phone } : {}),
  };
}

/**
 * The Medusa payment provider for any Tijara gateway driver. Everything goes through core's contract
 * (`GatewayDriver`): the provider never reaches into a driver's own client, so a gateway is a definition
 * (`static gateway`) in a folder of its own.
 *
 * Rules it keeps, whatever Medusa does around it:
 * - decisions are made on the payment as the gateway has it now (a fresh read), never on stored data;
 * - every mutating call carries an idempotency key derived from Medusa's ids, so a retry never acts twice;
 * - what is already done is success (a capture of a captured payment makes no call);
 * - returned `data` always carries everything the plugin relies on (Medusa replaces the stored data with it).
 */
export abstract class TijaraPaymentProvider extends AbstractPaymentProvider<CommonOptions> {
  /** Set by each gateway's subclass. */
  static gateway: GatewayDefinition;

  /** Parse (and check by building the driver once) a provider's options; every problem is listed at once. */
  static parseOptions(gateway: GatewayDefinition, options: unknown): CommonOptions {
    const secretKeys = gateway.secretOptions;
    const parsed = parseProviderOptions(optionsSchema(gateway), options, {
      gateway: gateway.name,
      secretKeys,
    });
    let driver: GatewayDriver;
    try {
      driver = gateway.createDriver(parsed, silentLogger);
    } catch (error) {
      throw toMedusaError(error, {
        gateway: gateway.name,
        action: 'configuration',
        secrets: secretValues(options, secretKeys),
      });
    }
    if (!driver.capabilities.captureModes.includes(parsed.capture)) {
      throw new MedusaError(
        MedusaError.Types.INVALID_ARGUMENT,
        `Invalid options for the Tijara ${gateway.name} payment provider (1 problem):\n  - capture: ${gateway.name} supports ${driver.capabilities.captureModes.join(' and ')} capture only`,
      );
    }
    return parsed;
  }

  static override validateOptions(options: Record<string, unknown>): void {
    TijaraPaymentProvider.parseOptions(this.gateway, options);
  }

  protected readonly gateway: GatewayDefinition;
  protected readonly options_: CommonOptions;
  protected readonly driver: GatewayDriver;
  protected readonly logger: Logger;
  protected readonly secrets: readonly string[];

  constructor(cradle: Record<string, unknown>, options: CommonOptions) {
    super(cradle, options);
    this.gateway = (this.constructor as typeof TijaraPaymentProvider).gateway;
    this.secrets = secretValues(options, this.gateway.secretOptions);
    this.options_ = TijaraPaymentProvider.parseOptions(this.gateway, options);
    this.logger = medusaLogger(loggerOf(cradle), `tijara:${this.gateway.name}`, this.secrets);
    this.driver = this.gateway.createDriver(this.options_, this.logger);
  }

  /** The hook URL the gateway's per-payment callback goes to, when `backendUrl` is set. */
  get webhookUrl(): string | undefined {
    const { backendUrl, providerId } = this.options_;
    if (!backendUrl) return undefined;
    const base = backendUrl.endsWith('/') ? backendUrl.slice(0, -1) : backendUrl;
    return `${base}/hooks/payment/${this.gateway.name}_${providerId ?? this.gateway.name}`;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Sessions

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    return this.run('initiate', async () => {
      const sessionId = this.sessionIdOf(input.data, input.context);
      const currency = input.currency_code.toUpperCase();
      const amount = toMinorForCharge(input.amount, currency);
      const storefront = storefrontInput(input.data, this.gateway.name);
      const key = input.context?.idempotency_key ?? sessionId;
      const payment = storefront.payment_method_id
        ? await this.chargeSavedMethod(storefront.payment_method_id, sessionId, amount, currency, input, key)
        : await this.createGatewayPayment(sessionId, amount, currency, input, storefront, key);
      const data = this.snapshot(payment, { sessionId, amount, currency });
      return { id: payment.id, status: sessionStatusOf(payment.status), data: { ...data } };
    });
  }

  /**
   * Same amount and currency: the gateway payment stays (read afresh, nothing created). Otherwise the old one is
   * cancelled — it must not stay payable for a total the cart no longer has — and a new one is made for the
   * session, unless the buyer already paid or the bank is deciding, which is refused.
   */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    return this.run('update', async () => {
      const { return_params: returned, ...data } = input.data ?? {};
      const stored = storedPayment(data, this.gateway.name);
      if (!stored) return this.initiatePayment(input);
      const currency = input.currency_code.toUpperCase();
      const amount = toMinorForCharge(input.amount, currency);
      const current =
        returned === undefined ? await this.read(stored.id) : await this.resolveReturn(stored, returned);
      if (amount === stored.amount && currency === stored.currency) {
        return { status: sessionStatusOf(current.status), data: this.merge(data, current, stored) };
      }
      if (isFunded(current.status) || current.status === 'processing') {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `The ${this.gateway.name} payment ${current.id} of session ${stored.session_id} is already ${current.status}: complete the cart instead of changing its total`,
        );
      }
      await this.stopPayable(current, `update:${stored.session_id}:${current.id}`);
      const storefront = storefrontInput(data, this.gateway.name);
      const payment = await this.createGatewayPayment(
        stored.session_id,
        amount,
        currency,
        input,
        storefront,
        `${stored.session_id}:${amount}:${currency}`,
      );
      const snapshot = this.snapshot(payment, { sessionId: stored.session_id, amount, currency });
      return { status: sessionStatusOf(payment.status), data: { ...data, ...snapshot } };
    });
  }

  /**
   * The session is gone (the cart changed, or another session replaced it): its gateway payment must not stay
   * payable. One the buyer already paid or that holds funds is never thrown away silently.
   */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    return this.run('delete', async () => {
      const stored = storedPayment(input.data, this.gateway.name);
      if (!stored) return { data: input.data ?? {} };
      const payment = await this.read(stored.id);
      if (isFunded(payment.status)) {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `The ${this.gateway.name} payment ${payment.id} of session ${stored.session_id} is already ${payment.status}: complete the cart instead of replacing its payment`,
        );
      }
      const after = await this.stopPayable(payment, `delete:${stored.session_id}`);
      return { data: this.merge(input.data, after, stored) };
    });
  }

  /** A fresh read decides; an approval on a capture-on-approval gateway is captured here for automatic capture. */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return this.run('authorize', async () => {
      const stored = this.requireStored(input.data);
      let payment = await this.read(stored.id);
      if (!this.belongsToSession(payment, stored)) {
        return { status: 'error', data: this.merge(input.data, payment, stored) };
      }
      if (
        needsCaptureOnApproval(payment.status, {
          captureMode: stored.capture,
          captureOnApproval: this.driver.capabilities.captureOnApproval,
        })
      ) {
        payment = await this.captureApproval(payment);
      }
      return { status: sessionStatusOf(payment.status), data: this.merge(input.data, payment, stored) };
    });
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    return this.run('status', async () => {
      const stored = this.requireStored(input.data);
      const payment = await this.read(stored.id);
      if (!this.belongsToSession(payment, stored)) {
        return { status: 'error', data: this.merge(input.data, payment, stored) };
      }
      return { status: sessionStatusOf(payment.status), data: this.merge(input.data, payment, stored) };
    });
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    return this.run('retrieve', async () => {
      const stored = this.requireStored(input.data);
      return { data: this.merge(input.data, await this.read(stored.id), stored) };
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Payments

  /**
   * Medusa passes no amount: the whole hold is captured. A payment the gateway already captured (automatic
   * capture, a `captured` webhook, a capture in the gateway's dashboard) is success without a call.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return this.run('capture', async () => {
      const stored = this.requireStored(input.data);
      const payment = await this.read(stored.id);
      if (isCaptured(payment.status)) return { data: this.merge(input.data, payment, stored) };
      if (!isCapturable(payment.status)) {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `The ${this.gateway.name} payment ${payment.id} is ${payment.status}; only an authorized payment can be captured`,
        );
      }
      const captured = await this.driver.capture(payment.id, undefined, {
        idempotencyKey: input.context?.idempotency_key ?? `capture:${payment.id}`,
      });
      return { data: this.merge(input.data, captured, stored) };
    });
  }

  /**
   * The refund amount arrives as Medusa's raw BigNumber; it is converted exactly by the currency's exponent.
   * The cap is what the gateway says is left to refund, so refunds made in the gateway's dashboard count and do
   * not break a later one. The key and the gateway's refund reference are Medusa's refund id.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    return this.run('refund', async () => {
      const stored = this.requireStored(input.data);
      if (!this.driver.capabilities.refund) {
        // Drivers refuse an undeclared operation before sending anything (the conformance suite checks it), in
        // their own words: where the merchant can refund instead.
        await this.driver.refund(stored.id);
        requireCapability(this.driver, 'refund');
      }
      const amount = toMinorExact(input.amount, stored.currency, 'refund amount');
      if (amount === 0) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, 'The refund amount must be greater than 0');
      }
      const payment = await this.read(stored.id);
      if (!isRefundable(payment.status)) {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `The ${this.gateway.name} payment ${payment.id} is ${payment.status}; nothing captured is left to refund`,
        );
      }
      if (amount > payment.refundableAmount) {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `A refund of ${toMajor(amount, stored.currency)} ${stored.currency} exceeds the ${toMajor(
            payment.refundableAmount,
            stored.currency,
          )} ${stored.currency} the gateway has left to refund on payment ${payment.id}`,
        );
      }
      const refundId = input.context?.idempotency_key;
      // A gateway without partial refunds can still refund everything that is left.
      const whole = amount === payment.refundableAmount && !this.driver.capabilities.partialRefund;
      const refund = await this.driver.refund(
        payment.id,
        { ...(whole ? {} : { amount }), ...(refundId ? { reference: refundId } : {}) },
        { idempotencyKey: refundId ?? `refund:${payment.id}:${payment.refundedAmount}:${amount}` },
      );
      if (refund.status === 'failed') {
        throw new MedusaError(
          MedusaError.Types.UNEXPECTED_STATE,
          `The ${this.gateway.name} refund ${refund.id} of payment ${payment.id} failed`,
        );
      }
      const after = await this.read(payment.id);
      return {
        data: {
          ...this.merge(input.data, after, stored),
          last_refund: { id: refund.id, amount: refund.amount, status: refund.status },
        },
      };
    });
  }

  /**
   * Release a hold or cancel an unpaid payment; never a captured one (that is a refund). Medusa's compensation
   * after a failed authorization passes no idempotency key: the key is then derived from the session.
   */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    return this.run('cancel', async () => {
      const stored = storedPayment(input.data, this.gateway.name);
      if (!stored) return { data: input.data ?? {} };
      const payment = await this.read(stored.id);
      if (isCaptured(payment.status)) {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `The ${this.gateway.name} payment ${payment.id} was captured; it cannot be canceled, refund it instead`,
        );
      }
      if (payment.status === 'processing') {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `The ${this.gateway.name} payment ${payment.id} is still being decided by the bank; cancel it once it settles`,
        );
      }
      const key = input.context?.idempotency_key ?? `cancel:${stored.session_id}`;
      return { data: this.merge(input.data, await this.stopPayable(payment, key), stored) };
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Webhooks

  /**
   * Verify the exact raw bytes with the driver, re-read the payment, and say what Medusa should do. No side
   * effects: Medusa may run this more than once for one delivery, and its answer is the same every time.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload['payload']): Promise<WebhookActionResult> {
    const notSupported: WebhookActionResult = { action: 'not_supported' };
    if (!this.driver.capabilities.signedWebhooks) {
      this.logger.warn({}, `${this.gateway.name} sends no signed webhooks: delivery ignored`);
      return notSupported;
    }
    const raw = payload.rawData as Buffer | string | undefined;
    if (raw === undefined || raw === null || raw.length === 0) {
      this.logger.warn({}, 'webhook without its raw body refused: the route must keep the raw bytes');
      return notSupported;
    }
    let event;
    try {
      event = await this.driver.verifyWebhook(raw, payload.headers as Record<string, string>);
    } catch (error) {
      if (error instanceof SignatureVerificationError || error instanceof InvalidRequestError) {
        this.logger.warn({ err: error }, 'webhook refused: it does not verify');
        return notSupported;
      }
      throw toMedusaError(error, { gateway: this.gateway.name, action: 'webhook', secrets: this.secrets });
    }
    if (!event.paymentId || NOT_SUPPORTED_EVENTS.has(event.type)) return notSupported;
    let payment: Payment;
    try {
      payment = await this.read(event.paymentId);
    } catch (error) {
      if (error instanceof NotFoundError) return notSupported;
      throw toMedusaError(error, { gateway: this.gateway.name, action: 'webhook', secrets: this.secrets });
    }
    const sessionId = payment.reference;
    if (!sessionId || !SESSION_ID.test(sessionId)) {
      this.logger.info(
        { paymentId: payment.id, eventId: event.id },
        'webhook for a payment Medusa did not start',
      );
      return notSupported;
    }
    const action = webhookActionOf(payment.status);
    if (action === 'not_supported') return notSupported;
    const minor = action === 'captured' ? payment.capturedAmount || payment.amount : payment.amount;
    return { action, data: { session_id: sessionId, amount: toMajor(minor, payment.currency) } };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Account holders and saved methods (the driver's `customers` and `savedMethods` capabilities)

  async createAccountHolder(input: CreateAccountHolderInput): Promise<CreateAccountHolderOutput> {
    return this.run('account holder', async () => {
      const existing = accountHolderId(input.context);
      if (existing) return { id: existing, data: { id: existing } };
      // Medusa records no account holder for an empty answer: saved methods are then simply not offered.
      if (!this.driver.capabilities.customers || !this.driver.ensureCustomer) {
        return {} as CreateAccountHolderOutput;
      }
      const customer = input.context.customer;
      const name =
        [customer.first_name, customer.last_name].filter(Boolean).join(' ') || customer.company_name;
      const { id } = await this.driver.ensureCustomer(
        {
          email: customer.email,
          ...(name ? { name } : {}),
          ...(customer.phone ? { phone: customer.phone } : {}),
          reference: customer.id,
        },
        { idempotencyKey: input.context.idempotency_key ?? `customer:${customer.id}` },
      );
      return { id, data: { id } };
    });
  }

  /** The contract has no customer update: the gateway keeps what it was given at creation. */
  async updateAccountHolder(_input: UpdateAccountHolderInput): Promise<UpdateAccountHolderOutput> {
    return {};
  }

  /** The contract has no customer deletion: Medusa forgets the link, the gateway keeps its customer. */
  async deleteAccountHolder(_input: DeleteAccountHolderInput): Promise<DeleteAccountHolderOutput> {
    return {};
  }

  async retrieveAccountHolder(input: RetrieveAccountHolderInput): Promise<RetrieveAccountHolderOutput> {
    return { id: input.id, data: { id: input.id } };
  }

  async listPaymentMethods(input: ListPaymentMethodsInput): Promise<ListPaymentMethodsOutput> {
    return this.run('list payment methods', async () => {
      const holder = accountHolderId(input.context);
      if (!holder || !this.driver.capabilities.customers || !this.driver.listSavedMethods) return [];
      const methods = await this.driver.listSavedMethods(holder);
      return methods.map((method) => ({
        id: method.token,
        data: {
          ...(method.brand ? { brand: method.brand } : {}),
          ...(method.last4 ? { last4: method.last4 } : {}),
          ...(method.expiryMonth ? { expiry_month: method.expiryMonth } : {}),
          ...(method.expiryYear ? { expiry_year: method.expiryYear } : {}),
          ...(method.holderName ? { holder_name: method.holderName } : {}),
        },
      }));
    });
  }

  /**
   * Saving a card needs the buyer on the gateway's page: a zero-amount, card-saving payment for the account
   * holder. Its `redirect_url` is where to send them; the card is listed once they complete it.
   */
  async savePaymentMethod(input: SavePaymentMethodInput): Promise<SavePaymentMethodOutput> {
    return this.run('save payment method', async () => {
      requireCapability(this.driver, 'savedMethods');
      requireCapability(this.driver, 'customers');
      const holder = accountHolderId(input.context);
      if (!holder) {
        throw new MedusaError(
          MedusaError.Types.INVALID_DATA,
          'Saving a payment method needs an account holder',
        );
      }
      const currency = String(input.data?.['currency_code'] ?? '').toUpperCase();
      if (!/^[A-Z]{3}$/.test(currency)) {
        throw new MedusaError(
          MedusaError.Types.INVALID_DATA,
          'Saving a payment method needs data.currency_code',
        );
      }
      const storefront = storefrontInput(input.data, this.gateway.name);
      const reference = `save_method_${holder}`.slice(0, 128);
      const payment = await this.driver.createPayment(
        {
          amount: 0,
          currency,
          reference,
          customer: {
            email: input.context?.customer?.email ?? storefront.email ?? '',
            gatewayCustomerId: holder,
          },
          capture: 'manual',
          saveMethod: true,
          returnUrls: this.returnUrls(reference, storefront),
          description: 'Save a card',
        },
        { idempotencyKey: input.context?.idempotency_key ?? reference },
      );
      const next = payment.nextAction;
      return {
        id: payment.id,
        data: {
          id: payment.id,
          status: payment.status,
          next_action: next,
          ...(next.type === 'redirect' && next.method === 'GET' ? { redirect_url: next.url } : {}),
        },
      };
    });
  }

  async deletePaymentMethod(input: DeletePaymentMethodInput): Promise<DeletePaymentMethodOutput> {
    return this.run('delete payment method', async () => {
      await this.driver.deleteSavedMethod(input.data.id, {
        idempotencyKey: input.context?.idempotency_key ?? `delete-method:${input.data.id}`,
      });
      return {};
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Helpers

  /** Run one provider operation; every error leaves as a MedusaError with the gateway's message, redacted. */
  protected async run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const mapped = toMedusaError(error, { gateway: this.gateway.name, action, secrets: this.secrets });
      if (!MedusaError.isMedusaError(error)) this.logger.warn({ err: error }, `${action} failed`);
      throw mapped;
    }
  }

  protected read(id: string): Promise<Payment> {
    return this.driver.retrievePayment(id);
  }

  protected sessionIdOf(data: Record<string, unknown> | undefined, context?: PaymentProviderContext): string {
    const id = data?.['session_id'] ?? context?.idempotency_key;
    if (typeof id !== 'string' || id === '') {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        'The payment session id is missing (data.session_id)',
      );
    }
    return id;
  }

  protected requireStored(data: Record<string, unknown> | undefined): StoredPayment {
    const stored = storedPayment(data, this.gateway.name);
    if (!stored) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `The payment session has no ${this.gateway.name} payment (data.id is missing)`,
      );
    }
    return stored;
  }

  protected snapshot(
    payment: Payment,
    base: {
      readonly sessionId: string;
      readonly amount: number;
      readonly currency: string;
      capture?: CaptureMode;
    },
  ): SessionData {
    return snapshotOf(payment, {
      gateway: this.gateway.name,
      sessionId: base.sessionId,
      amount: base.amount,
      currency: base.currency,
      capture: base.capture ?? this.options_.capture,
    });
  }

  /** Medusa replaces the stored data with the answer: keep what was there, refresh what the plugin owns. */
  protected merge(
    data: Record<string, unknown> | undefined,
    payment: Payment,
    stored: StoredPayment,
  ): Record<string, unknown> {
    return {
      ...(data ?? {}),
      ...this.snapshot(payment, {
        sessionId: stored.session_id,
        amount: stored.amount,
        currency: stored.currency,
        capture: stored.capture,
      }),
    };
  }

  /** The gateway payment is the session's, for the session's amount and currency; anything else is refused. */
  protected belongsToSession(payment: Payment, stored: StoredPayment): boolean {
    if (payment.reference !== undefined && payment.reference !== stored.session_id) {
      this.logger.error(
        { paymentId: payment.id, reference: payment.reference, sessionId: stored.session_id },
        'the gateway payment belongs to another session',
      );
      return false;
    }
    const policy = this.driver.capabilities.amountPolicy;
    if (!coversOrder({ amount: stored.amount, currency: stored.currency }, payment, policy)) {
      this.logger.error(
        {
          paymentId: payment.id,
          expected: `${stored.amount} ${stored.currency}`,
          got: `${payment.amount} ${payment.currency}`,
        },
        'the gateway payment is not for the session amount',
      );
      return false;
    }
    return true;
  }

  /**
   * Capture an approval exactly once: the key is the payment's (the one core's settlement pipeline uses), so the
   * storefront's completion, a webhook and the reconcile job racing each other capture once. A refusal (the
   * approval expired) settles on what the gateway now says.
   */
  protected async captureApproval(payment: Payment): Promise<Payment> {
    try {
      return await this.driver.capture(payment.id, undefined, {
        idempotencyKey: `capture-on-approval:${payment.id}`,
      });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === undefined || status >= 500 || status === 429) throw error;
      this.logger.warn({ paymentId: payment.id, err: error }, 'capture of an approval was refused');
      return this.read(payment.id);
    }
  }

  /**
   * What the buyer brought back from the gateway (`return_params`: the return URL's query and the form a widget
   * posted), turned into the session's payment by the driver — read from the gateway, and refused when it names
   * another payment. For gateways that only learn of a payment this way (Uhmi's widget posts a transaction id);
   * the others re-read the payment.
   */
  protected async resolveReturn(stored: StoredPayment, returned: unknown): Promise<Payment> {
    const params = returnParamsSchema.safeParse(returned);
    if (!params.success) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        'return_params must be { query?, form? } with string values',
      );
    }
    if (!this.driver.resolveReturn || !this.driver.capabilities.returnResolution) return this.read(stored.id);
    const { payment } = await this.driver.resolveReturn({
      query: params.data.query ?? {},
      ...(params.data.form ? { form: params.data.form } : {}),
      paymentId: stored.id,
    });
    return payment;
  }

  /** Make sure an unfunded payment can no longer take money: release a hold, cancel an unpaid payment. */
  protected async stopPayable(payment: Payment, key: string): Promise<Payment> {
    const { capabilities } = this.driver;
    if (isReleasable(payment.status)) {
      requireCapability(this.driver, 'release');
      return this.driver.release(payment.id, { idempotencyKey: `${key}:release` });
    }
    if (isCancelable(payment.status)) {
      if (!capabilities.cancel) {
        this.logger.info({ paymentId: payment.id }, 'the gateway cannot cancel a payment; it will expire');
        return payment;
      }
      try {
        return await this.driver.cancel(payment.id, { idempotencyKey: `${key}:cancel` });
      } catch (error) {
        // The buyer paid between the read and the cancel: the caller must see it, not a cancelled payment.
        if (error instanceof ConflictError) {
          const now = await this.read(payment.id);
          if (isFunded(now.status)) {
            throw new MedusaError(
              MedusaError.Types.NOT_ALLOWED,
              `The ${this.gateway.name} payment ${now.id} was just ${now.status}; it cannot be canceled`,
            );
          }
        }
        throw error;
      }
    }
    if (payment.status === 'processing') {
      this.logger.warn({ paymentId: payment.id }, 'payment still processing at the gateway; left as it is');
    }
    return payment;
  }

  protected returnUrls(sessionId: string, storefront: StorefrontInput): ReturnUrls {
    const base = storefront.return_url ?? this.options_.returnUrl;
    if (storefront.return_url) {
      const allowed = (this.options_.allowedReturnOrigins ?? [this.options_.returnUrl]).map(
        (url) => new URL(url).origin,
      );
      if (!allowed.includes(new URL(base).origin)) {
        throw new MedusaError(
          MedusaError.Types.INVALID_DATA,
          `data.return_url must be on one of the allowed origins (${allowed.join(', ')})`,
        );
      }
    }
    const urlFor = (result: string): string => {
      const url = new URL(base);
      url.searchParams.set('session_id', sessionId);
      url.searchParams.set('result', result);
      return url.href;
    };
    return { success: urlFor('success'), failure: urlFor('failure'), cancel: urlFor('cancel') };
  }

  protected customerOf(context: PaymentProviderContext | undefined, storefront: StorefrontInput): Customer {
    const c = context?.customer;
    const email = c?.email ?? storefront.email;
    if (!email) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `${this.gateway.name} needs the buyer's email: pass data.email when creating the payment session of a guest cart`,
      );
    }
    const shipping = storefront.shipping_address;
    const name =
      [c?.first_name, c?.last_name].filter(Boolean).join(' ') ||
      c?.company_name ||
      storefront.name ||
      [shipping?.first_name, shipping?.last_name].filter(Boolean).join(' ') ||
      undefined;
    const phone = c?.phone ?? storefront.phone ?? shipping?.phone ?? undefined;
    const holder = this.driver.capabilities.customers ? accountHolderId(context) : undefined;
    const billingAddress = addressOf(storefront.billing_address ?? c?.billing_address);
    const shippingAddress = addressOf(shipping);
    return {
      email,
      ...(name ? { name } : {}),
      ...(phone ? { phone } : {}),
      ...(holder ? { gatewayCustomerId: holder } : {}),
      ...(c?.id ? { reference: c.id } : {}),
      ...(billingAddress ? { billingAddress } : {}),
      ...(shippingAddress ? { shippingAddress } : {}),
    };
  }

  protected async createGatewayPayment(
    sessionId: string,
    amount: number,
    currency: string,
    input: InitiatePaymentInput | UpdatePaymentInput,
    storefront: StorefrontInput,
    idempotencyKey: string,
  ): Promise<Payment> {
    const saveMethod = Boolean(storefront.save_method) && accountHolderId(input.context) !== undefined;
    const callbackUrl = this.webhookUrl;
    return this.driver.createPayment(
      {
        amount,
        currency,
        reference: sessionId,
        customer: this.customerOf(input.context, storefront),
        capture: this.options_.capture,
        ...(saveMethod ? { saveMethod: true } : {}),
        returnUrls: this.returnUrls(sessionId, storefront),
        ...(callbackUrl ? { callbackUrl } : {}),
        description: this.options_.description ?? `Order ${sessionId}`,
        metadata: { medusa_payment_session_id: sessionId },
      },
      { idempotencyKey },
    );
  }

  /**
   * Off-session charge of a saved method: no redirect. The method must be one of the logged-in customer's — a
   * storefront can name any token, and charging another customer's card must be impossible.
   */
  protected async chargeSavedMethod(
    token: string,
    sessionId: string,
    amount: number,
    currency: string,
    input: InitiatePaymentInput,
    idempotencyKey: string,
  ): Promise<Payment> {
    requireCapability(this.driver, 'savedMethods');
    requireCapability(this.driver, 'customers');
    const holder = accountHolderId(input.context);
    if (!holder || !this.driver.listSavedMethods) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        'Charging a saved method needs a logged-in customer',
      );
    }
    const methods = await this.driver.listSavedMethods(holder);
    if (!methods.some((method) => method.token === token)) {
      throw new MedusaError(MedusaError.Types.NOT_FOUND, `No saved method ${token} for this customer`);
    }
    return this.driver.chargeSavedMethod(
      token,
      {
        amount,
        currency,
        reference: sessionId,
        customer: this.customerOf(input.context, storefrontInput(input.data, this.gateway.name)),
        capture: this.options_.capture,
        description: this.options_.description ?? `Order ${sessionId}`,
        metadata: { medusa_payment_session_id: sessionId },
      },
      { idempotencyKey },
    );
  }
}
