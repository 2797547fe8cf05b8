import {
  assertCurrency,
  assertMinorUnits,
  ConfigurationError,
  InvalidRequestError,
  isCaptured,
  silentLogger,
  UnsupportedOperationError,
  type Capabilities,
  type ChargeSavedMethodInput,
  type CreatePaymentInput,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type Logger,
  type OperationOptions,
  type Payment,
  type Refund,
  type RefundInput,
  type ReturnParams,
  type ReturnResolution,
} from '@tijara/core';
import { UhmiClient, type RequestOptions, type UhmiClientOptions } from './client.js';
import { UHMI_CURRENCY } from './price.js';
import type { UhmiPayment, UhmiTransaction } from './schemas.js';
import {
  linkedTransactionId,
  METADATA_KEYS,
  paymentToPayment,
  toCreatePaymentRequest,
  transactionToPayment,
  type PaymentDefaults,
  type PaymentMappingOptions,
  type WidgetOptions,
} from './transformers.js';

/**
 * What Uhmi can do through the contract: the widget takes the payment in one step, and nothing else. No capture,
 * release or merchant refund exists in its API; no webhook either, so returns are resolved by reading the
 * transaction the widget names. `amountPolicy` is `at_least` when the driver creates pay-what-you-want payments.
 */
export const UHMI_CAPABILITIES: Capabilities = Object.freeze({
  captureModes: Object.freeze(['automatic'] as const),
  partialCapture: false,
  release: false,
  // DELETE /payments/{id} removes the payment for good without saying whether a buyer paid it a moment before;
  // it is on `client.payments.delete` for a merchant who knows, not behind the contract's cancel.
  cancel: false,
  refund: false,
  partialRefund: false,
  multipleRefunds: false,
  savedMethods: false,
  customers: false,
  signedWebhooks: false,
  returnResolution: true,
  captureOnApproval: false,
  amountPolicy: 'exact',
  idempotencyKeys: false,
  currencies: Object.freeze([UHMI_CURRENCY]),
  testMode: false,
});

export interface UhmiDriverOptions extends UhmiClientOptions {
  /** How payments are created for orders (type, pay what you want, category, refund window, cover…). */
  readonly payments?: PaymentDefaults;
  /** Where the buyer's page loads the widget from, and an optional page that hosts it (e.g. the sandbox's). */
  readonly widget?: WidgetOptions;
  /**
   * Treat a transaction in status `open` as paid, as Uhmi's own plugin does. Off by default: an open transaction
   * is not final, and releasing goods on it may release them unpaid.
   */
  readonly openCountsAsPaid?: boolean;
  /** Whether this account is a test one (e.g. pointed at the sandbox); Uhmi itself documents no test mode. */
  readonly testMode?: boolean;
}

const TRANSACTION_ID = /^[A-Za-z0-9_-]{1,128}$/;

const WHY: Readonly<Record<string, string>> = {
  capture: 'Uhmi has no capture: the widget takes the payment in one step',
  release: 'Uhmi has no holds to release: the widget takes the payment in one step',
  cancel:
    'Uhmi cannot cancel a payment safely (DELETE removes it whether or not a buyer just paid); use client.payments.delete when you know it is unpaid',
  refund:
    'Uhmi has no merchant refund API: refund the buyer from the Uhmi dashboard (buyers of refundable payments can also ask within 24 hours)',
  savedMethods: 'Uhmi does not save payment methods',
  signedWebhooks: 'Uhmi sends no webhooks: resolve the transaction_id the widget posts with resolveReturn',
};

function unsupported(operation: keyof typeof WHY): UnsupportedOperationError {
  return new UnsupportedOperationError(WHY[operation] as string, {
    gateway: 'uhmi',
    code: 'unsupported_operation',
  });
}

function read(options: OperationOptions | undefined): RequestOptions {
  return options?.signal ? { signal: options.signal } : {};
}

function invalidReturn(message: string, code: string): InvalidRequestError {
  return new InvalidRequestError(message, { gateway: 'uhmi', code });
}

/**
 * The Uhmi gateway behind core's GatewayDriver contract. `client` exposes the whole API (payments CRUD for every
 * type, transactions) for what the contract does not cover.
 *
 * Settlement works without webhooks: the widget posts a `transaction_id` to the payment's `success_url`;
 * `resolveReturn` reads that transaction and answers the payment it paid. Once a return resolved a final
 * transaction, the driver writes its id into the payment's metadata (`tijara_transaction_id`), so
 * `retrievePayment` — and with it reconciliation — reports the payment as paid from then on.
 */
export class UhmiDriver implements GatewayDriver {
  readonly name = 'uhmi';
  readonly capabilities: Capabilities;
  readonly client: UhmiClient;
  readonly #defaults: PaymentDefaults;
  readonly #mapping: PaymentMappingOptions;
  readonly #logger: Logger;

  constructor(options: UhmiDriverOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ConfigurationError('Uhmi driver options are missing', {
        gateway: 'uhmi',
        code: 'missing_options',
      });
    }
    this.client = new UhmiClient(options);
    this.#defaults = options.payments ?? {};
    if (this.#defaults.subscription && this.#defaults.refundable) {
      throw new ConfigurationError('Uhmi subscriptions cannot be refundable', {
        gateway: 'uhmi',
        code: 'invalid_payment_defaults',
      });
    }
    this.#mapping = {
      widget: options.widget ?? {},
      openCountsAsPaid: options.openCountsAsPaid ?? false,
      testMode: options.testMode ?? false,
    };
    this.#logger = options.logger ?? silentLogger;
    this.capabilities = Object.freeze({
      ...UHMI_CAPABILITIES,
      amountPolicy: this.#defaults.payWhatYouWant ? 'at_least' : 'exact',
    });
  }

  get testMode(): boolean {
    return this.#mapping.testMode;
  }

  /** A Uhmi payment for the order; the buyer pays it in the widget (`nextAction.type === 'widget'`). */
  async createPayment(input: CreatePaymentInput, options?: OperationOptions): Promise<Payment> {
    if (input.capture !== 'automatic') throw unsupported('capture');
    if (input.saveMethod) throw unsupported('savedMethods');
    const currency = assertCurrency(input.currency);
    if (currency !== UHMI_CURRENCY) {
      throw new UnsupportedOperationError(`Uhmi charges in EUR only, not ${currency}`, {
        gateway: 'uhmi',
        code: 'unsupported_currency',
      });
    }
    assertMinorUnits(input.amount);
    const body = toCreatePaymentRequest(input, this.#defaults);
    return paymentToPayment(await this.client.payments.create(body, read(options)), this.#mapping);
  }

  /**
   * The payment as Uhmi has it now. Uhmi cannot list a payment's transactions, so an unpaid-looking payment is
   * paid only once a return linked its transaction (see the class comment).
   */
  async retrievePayment(id: string, options?: OperationOptions): Promise<Payment> {
    const payment = await this.client.payments.retrieve(id, read(options));
    const transactionId = linkedTransactionId(payment);
    if (transactionId === undefined) return paymentToPayment(payment, this.#mapping);
    const transaction = await this.client.transactions.retrieve(transactionId, read(options));
    if (transaction.payment_id !== payment.payment_id) {
      // Someone wrote another payment's transaction into the metadata: never report that money as this payment's.
      this.#logger.warn(
        { paymentId: id, transactionId, paidPayment: transaction.payment_id },
        'linked Uhmi transaction belongs to another payment; ignored',
      );
      return paymentToPayment(payment, this.#mapping);
    }
    return transactionToPayment(transaction, this.#mapping, payment);
  }

  /**
   * Turn what the widget posted to `success_url` into the payment, read from Uhmi: the `transaction_id` (form or
   * query) is fetched, must belong to `params.paymentId` when the store names it, and settles only on a final
   * status. Nothing the buyer sent is trusted as such.
   */
  async resolveReturn(params: ReturnParams, options?: OperationOptions): Promise<ReturnResolution> {
    const raw = params.form?.transaction_id ?? params.query.transaction_id;
    const transactionId = typeof raw === 'string' ? raw.trim() : '';
    if (transactionId === '') {
      throw invalidReturn(
        'The return carries no transaction_id: the widget posts one after a payment',
        'missing_transaction_id',
      );
    }
    if (!TRANSACTION_ID.test(transactionId)) {
      throw invalidReturn(
        'The return carries a transaction_id that is not a Uhmi id',
        'invalid_transaction_id',
      );
    }
    const transaction = await this.client.transactions.retrieve(transactionId, read(options));
    if (params.paymentId !== undefined && transaction.payment_id !== params.paymentId) {
      throw invalidReturn(
        `Transaction ${transactionId} paid payment ${transaction.payment_id}, not ${params.paymentId} which the buyer was sent to pay`,
        'return_payment_mismatch',
      );
    }
    const payment = transactionToPayment(transaction, this.#mapping);
    if (!isCaptured(payment.status)) return { payment };
    const linked = await this.#link(transaction, transactionId, options);
    return { payment: linked ? transactionToPayment(transaction, this.#mapping, linked) : payment };
  }

  async capture(_id: string, _amount?: number, _options?: OperationOptions): Promise<Payment> {
    throw unsupported('capture');
  }

  async release(_id: string, _options?: OperationOptions): Promise<Payment> {
    throw unsupported('release');
  }

  async cancel(_id: string, _options?: OperationOptions): Promise<Payment> {
    throw unsupported('cancel');
  }

  async refund(_id: string, _input?: RefundInput, _options?: OperationOptions): Promise<Refund> {
    throw unsupported('refund');
  }

  async chargeSavedMethod(
    _token: string,
    _input: ChargeSavedMethodInput,
    _options?: OperationOptions,
  ): Promise<Payment> {
    throw unsupported('savedMethods');
  }

  async deleteSavedMethod(_token: string, _options?: OperationOptions): Promise<void> {
    throw unsupported('savedMethods');
  }

  async verifyWebhook(_rawBody: Buffer | Uint8Array | string, _headers: HeaderBag): Promise<GatewayEvent> {
    throw unsupported('signedWebhooks');
  }

  /**
   * Remember on the payment which transaction paid it, so later reads find it. The first paid transaction stays:
   * another one (a repeatable payment paid twice) is not written over it. A failure is logged, not thrown: the
   * return is already resolved from Uhmi's own answer, and the next return or read tries again.
   */
  async #link(
    transaction: UhmiTransaction,
    transactionId: string,
    options: OperationOptions | undefined,
  ): Promise<UhmiPayment | undefined> {
    const paymentId = transaction.payment_id;
    try {
      const payment = await this.client.payments.retrieve(paymentId, read(options));
      const current = linkedTransactionId(payment);
      if (current === transactionId) return payment;
      if (current !== undefined) {
        this.#logger.info(
          { paymentId, transactionId, linked: current },
          'Uhmi payment already linked to a transaction',
        );
        return payment;
      }
      const metadata = { ...payment.metadata, [METADATA_KEYS.transaction]: transactionId };
      return await this.client.payments.update(
        paymentId,
        { metadata: metadata as Record<string, string> },
        read(options),
      );
    } catch (error) {
      this.#logger.warn(
        { paymentId, transactionId, err: error },
        'could not link the Uhmi transaction to its payment',
      );
      return undefined;
    }
  }
}

export function createUhmiDriver(options: UhmiDriverOptions): UhmiDriver {
  return new UhmiDriver(options);
}
