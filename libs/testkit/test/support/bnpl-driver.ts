import { randomUUID } from 'node:crypto';
import {
  ApiClient,
  ConflictError,
  defineEndpoint,
  errorFromHttpStatus,
  HmacSignatureVerifier,
  InvalidRequestError,
  NOT_DONE,
  NotFoundError,
  recovered,
  requireCapability,
  runRepeatable,
  UnsupportedOperationError,
  type Capabilities,
  type TijaraError,
  type CreatePaymentInput,
  type Customer,
  type ErrorResponse,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type Logger,
  type OperationOptions,
  type Payment,
  type PaymentStatus,
  type Refund,
  type RefundInput,
  type ReturnParams,
  type ReturnResolution,
  type SavedMethod,
} from '@tijara/core';
import { z } from 'zod';

/**
 * A keyless driver for the BNPL test gateway, written the way contract v2 asks: endpoints as data over core's
 * ApiClient, no idempotency keys (so a lost answer is resolved by re-reading, never by re-sending), capture on
 * approval, return resolution, a timestamped HMAC verifier and customers.
 */
const order = z.looseObject({
  order_id: z.string(),
  status: z.string(),
  total_amount: z.int(),
  currency: z.string(),
  order_ref: z.string().optional(),
  captured_amount: z.int(),
  refunded_amount: z.int(),
  redirect_url: z.string().optional(),
});
type Order = z.output<typeof order>;
const refund = z.looseObject({ refund_id: z.string(), order_id: z.string(), amount: z.int() });
const customer = z.looseObject({ id: z.string(), email: z.string() });
const list = <T extends z.ZodType>(item: T) =>
  z.looseObject({ count: z.int(), next: z.string().nullable(), results: z.array(item) });

const ENDPOINTS = {
  checkouts: {
    create: defineEndpoint({
      method: 'POST',
      path: 'checkouts',
      request: z.object({
        total_amount: z.int().positive(),
        currency: z.string().length(3),
        order_ref: z.string(),
      }),
      response: order,
    }),
  },
  orders: {
    retrieve: defineEndpoint({ method: 'GET', path: 'orders/{order_id}', response: order }),
    capture: defineEndpoint({ method: 'POST', path: 'orders/{order_id}/capture', response: order }),
    cancel: defineEndpoint({ method: 'POST', path: 'orders/{order_id}/cancel', response: order }),
    refunds: {
      create: defineEndpoint({
        method: 'POST',
        path: 'orders/{order_id}/refunds',
        request: z.object({ refund_id: z.string().min(1), amount: z.int().positive().optional() }),
        response: refund,
      }),
      list: defineEndpoint({
        method: 'GET',
        path: 'orders/{order_id}/refunds',
        request: z.object({ refund_id: z.string().optional() }),
        response: list(refund),
        items: (page) => page.results,
      }),
    },
  },
  customers: {
    create: defineEndpoint({
      method: 'POST',
      path: 'customers',
      request: z.object({ email: z.string() }),
      response: customer,
    }),
    retrieve: defineEndpoint({ method: 'GET', path: 'customers/{id}', response: customer }),
    methods: defineEndpoint({
      method: 'GET',
      path: 'customers/{id}/methods',
      response: list(z.looseObject({ token: z.string() })),
      items: (page) => page.results,
    }),
  },
} as const;

const STATUS: Record<string, PaymentStatus> = {
  pending: 'pending',
  approved: 'authorized',
  denied: 'failed',
  captured: 'paid',
  partially_refunded: 'partially_refunded',
  refunded: 'refunded',
  cancelled: 'canceled',
};

function mapError(response: ErrorResponse): TijaraError {
  const body = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return errorFromHttpStatus({
    statusCode: response.statusCode,
    message: body?.message ?? `bnpl answered ${response.statusCode}`,
    code: body?.code,
    raw: response.body,
    requestId: response.requestId,
    gateway: 'bnpl',
  });
}

export interface BnplDriverOptions {
  readonly baseUrl: string;
  readonly merchantId: string;
  readonly secretKey: string;
  readonly webhookSecret: string;
  readonly logger?: Logger;
}

export class BnplDriver implements GatewayDriver {
  readonly name = 'bnpl';
  readonly capabilities: Capabilities = Object.freeze({
    captureModes: Object.freeze(['automatic'] as const),
    partialCapture: false,
    release: false,
    cancel: true,
    refund: true,
    partialRefund: true,
    multipleRefunds: true,
    savedMethods: false,
    customers: true,
    signedWebhooks: true,
    returnResolution: true,
    captureOnApproval: true,
    amountPolicy: 'exact',
    idempotencyKeys: false,
    currencies: Object.freeze(['AED']),
    testMode: true,
  });
  readonly #api: ApiClient;
  readonly #orders;
  readonly #checkouts;
  readonly #customers;
  readonly #verifier: HmacSignatureVerifier;

  constructor(options: BnplDriverOptions) {
    this.#api = new ApiClient({
      baseUrl: options.baseUrl,
      gateway: 'bnpl',
      auth: { type: 'basic', username: options.merchantId, password: options.secretKey },
      accept: 'application/vnd.bnpl+json; version=v1',
      idempotencyKeys: false,
      backoffBaseMs: 1,
      jitterMs: 0,
      mapError,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    this.#orders = this.#api.bind(ENDPOINTS.orders);
    this.#checkouts = this.#api.bind(ENDPOINTS.checkouts);
    this.#customers = this.#api.bind(ENDPOINTS.customers);
    this.#verifier = new HmacSignatureVerifier({
      gateway: 'bnpl',
      header: 'X-Bnpl-Signature',
      secrets: [options.webhookSecret],
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  async createPayment(input: CreatePaymentInput, options?: OperationOptions): Promise<Payment> {
    if (input.saveMethod) requireCapability(this, 'savedMethods');
    const currencies = this.capabilities.currencies;
    if (input.capture !== 'automatic' || (currencies !== 'any' && !currencies.includes(input.currency))) {
      throw new UnsupportedOperationError(
        `bnpl does not support ${input.capture} capture in ${input.currency}`,
        {
          gateway: 'bnpl',
          code: 'unsupported_operation',
        },
      );
    }
    const made = await this.#checkouts.create(
      { total_amount: input.amount, currency: input.currency, order_ref: input.reference },
      this.#read(options),
    );
    return this.#payment(made);
  }

  async retrievePayment(id: string, options?: OperationOptions): Promise<Payment> {
    return this.#payment(await this.#orders.retrieve(id, this.#read(options)));
  }

  async capture(id: string, amount?: number, options?: OperationOptions): Promise<Payment> {
    if (amount !== undefined) requireCapability(this, 'partialCapture');
    return runRepeatable(
      'capture',
      async () =>
        this.#payment(
          await this.#orders.capture(id, {
            ...this.#read(options),
            // The capture may have happened although its answer was lost: the order says so.
            recover: async () => {
              const now = await this.#orders.retrieve(id, this.#read(options));
              return now.status === 'approved' ? NOT_DONE : recovered(now);
            },
          }),
        ),
      () => this.retrievePayment(id, options),
    );
  }

  async release(): Promise<Payment> {
    requireCapability(this, 'release');
    throw new Error('unreachable');
  }

  async cancel(id: string, options?: OperationOptions): Promise<Payment> {
    requireCapability(this, 'cancel');
    return runRepeatable(
      'cancel',
      async () => this.#payment(await this.#orders.cancel(id, this.#read(options))),
      () => this.retrievePayment(id, options),
    );
  }

  /** The merchant chooses the refund id: the reference (or the key) makes a repeat find the first refund. */
  async refund(id: string, input: RefundInput = {}, options?: OperationOptions): Promise<Refund> {
    requireCapability(this, 'refund');
    const refundId = input.reference ?? options?.idempotencyKey ?? randomUUID();
    const find = async () =>
      (await this.#orders.refunds.list(id, { refund_id: refundId }, this.#read(options))).results.find(
        (r) => r.refund_id === refundId,
      );
    let made: z.output<typeof refund>;
    try {
      made = await this.#orders.refunds.create(
        id,
        { refund_id: refundId, ...(input.amount !== undefined ? { amount: input.amount } : {}) },
        {
          ...this.#read(options),
          recover: async () => {
            const found = await find();
            return found ? recovered(found) : NOT_DONE;
          },
        },
      );
    } catch (error) {
      const found = error instanceof ConflictError && error.code === 'conflict' ? await find() : undefined;
      if (!found) throw error;
      made = found;
    }
    const payment = await this.retrievePayment(id, options);
    return {
      id: made.refund_id,
      paymentId: id,
      amount: made.amount,
      currency: payment.currency,
      status: 'succeeded',
      reference: made.refund_id,
      raw: made,
    };
  }

  async chargeSavedMethod(): Promise<Payment> {
    requireCapability(this, 'savedMethods');
    throw new Error('unreachable');
  }

  async deleteSavedMethod(): Promise<void> {
    requireCapability(this, 'savedMethods');
  }

  async ensureCustomer(who: Customer, options?: OperationOptions): Promise<{ readonly id: string }> {
    if (who.gatewayCustomerId) {
      const found = await this.#customers.retrieve(who.gatewayCustomerId, this.#read(options)).catch((e) => {
        if (e instanceof NotFoundError) return undefined;
        throw e;
      });
      if (found) return { id: found.id };
    }
    return { id: (await this.#customers.create({ email: who.email }, this.#read(options))).id };
  }

  async listSavedMethods(customerId: string, options?: OperationOptions): Promise<SavedMethod[]> {
    const methods: SavedMethod[] = [];
    for await (const method of this.#customers.methods(customerId, this.#read(options))) {
      methods.push({ token: method.token, customerId });
    }
    return methods;
  }

  async resolveReturn(params: ReturnParams, options?: OperationOptions): Promise<ReturnResolution> {
    const orderId = params.query.order_id ?? params.form?.order_id;
    if (!orderId) {
      throw new InvalidRequestError('bnpl return carries no order_id', {
        gateway: 'bnpl',
        code: 'invalid_return',
        details: { order_id: ['This field is required.'] },
      });
    }
    // The buyer controls the query: an order other than the one this session paid must not settle it.
    if (params.paymentId !== undefined && params.paymentId !== orderId) {
      throw new InvalidRequestError('bnpl return is for another order than this payment', {
        gateway: 'bnpl',
        code: 'return_mismatch',
      });
    }
    const claimed = { APPROVED: 'approved', DENIED: 'declined', CANCELLED: 'canceled' } as const;
    const status = params.query.status as keyof typeof claimed | undefined;
    return {
      payment: await this.retrievePayment(orderId, options),
      ...(status && claimed[status] ? { claimed: claimed[status] } : {}),
    };
  }

  async verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent> {
    const bytes = await this.#verifier.verify(rawBody, headers);
    const event = JSON.parse(bytes.toString('utf8')) as {
      id: string;
      type: string;
      created: number;
      data: { order_id: string; status: string };
    };
    const status = STATUS[event.data.status];
    return {
      id: event.id,
      type: status === 'paid' ? 'payment.paid' : status === 'authorized' ? 'payment.authorized' : 'other',
      rawType: event.type,
      paymentId: event.data.order_id,
      createdAt: new Date(event.created * 1000),
      raw: event,
    };
  }

  #read(options: OperationOptions | undefined): { signal?: AbortSignal } {
    return options?.signal ? { signal: options.signal } : {};
  }

  #payment(raw: Order): Payment {
    const status = STATUS[raw.status] ?? 'processing';
    return {
      id: raw.order_id,
      status,
      rawStatus: raw.status,
      amount: raw.total_amount,
      currency: raw.currency,
      capturedAmount: raw.captured_amount,
      refundedAmount: raw.refunded_amount,
      refundableAmount: raw.captured_amount - raw.refunded_amount,
      ...(raw.order_ref ? { reference: raw.order_ref } : {}),
      nextAction:
        status === 'pending' && raw.redirect_url
          ? { type: 'redirect', url: raw.redirect_url, method: 'GET' }
          : { type: 'none' },
      testMode: true,
      raw,
    };
  }
}
