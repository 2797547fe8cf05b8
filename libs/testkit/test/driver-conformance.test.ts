import {
  errorFromHttpStatus,
  requireCapability,
  Transport,
  type Capabilities,
  type CreatePaymentInput,
  type GatewayDriver,
  type GatewayEvent,
  type Logger,
  type Payment,
  type Refund,
  UnsupportedOperationError,
} from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '../src/loopback.js';
import { runDriverConformance } from '../src/driver-conformance.js';

/**
 * A deliberately small gateway and driver, so the suite itself is exercised on a second driver shape: automatic
 * capture only, cancel and refunds, nothing else declared.
 */
const API_KEY = 'sk_test_conformance_4f1b2c3d4e5f60718293a4b5c6d7e8f9';

interface MiniPayment {
  id: string;
  status: string;
  amount: number;
  currency: string;
}

function toPayment(raw: MiniPayment): Payment {
  const paid = raw.status === 'paid';
  const status = raw.status === 'canceled' ? 'canceled' : paid ? 'paid' : 'pending';
  return {
    id: raw.id,
    status,
    rawStatus: raw.status,
    amount: raw.amount,
    currency: raw.currency,
    capturedAmount: paid ? raw.amount : 0,
    refundedAmount: 0,
    refundableAmount: paid ? raw.amount : 0,
    nextAction:
      status === 'pending'
        ? { type: 'redirect', url: `https://mini.example/pay/${raw.id}`, method: 'GET' }
        : { type: 'none' },
    testMode: true,
    raw,
  };
}

const unsupported = (what: string) =>
  new UnsupportedOperationError(`mini does not support ${what}`, { gateway: 'mini' });

class MiniDriver implements GatewayDriver {
  readonly name = 'mini';
  readonly capabilities: Capabilities = {
    captureModes: ['automatic'],
    partialCapture: false,
    release: false,
    cancel: true,
    refund: true,
    partialRefund: true,
    multipleRefunds: true,
    savedMethods: false,
    customers: false,
    signedWebhooks: false,
    returnResolution: false,
    captureOnApproval: false,
    amountPolicy: 'exact',
    idempotencyKeys: true,
    currencies: ['MYR'],
    testMode: true,
  };
  readonly #transport: Transport;

  constructor(baseUrl: string, logger: Logger) {
    this.#transport = new Transport({
      baseUrl,
      gateway: 'mini',
      headers: { Authorization: `Bearer ${API_KEY}` },
      logger,
      backoffBaseMs: 1,
      jitterMs: 0,
      mapError: (response) =>
        errorFromHttpStatus({
          statusCode: response.statusCode,
          message: `mini answered ${response.statusCode}`,
          raw: response.body,
          gateway: 'mini',
        }),
    });
  }

  async createPayment(input: CreatePaymentInput): Promise<Payment> {
    const currencies = this.capabilities.currencies;
    if (!this.capabilities.captureModes.includes(input.capture))
      throw unsupported(`${input.capture} capture`);
    if (currencies !== 'any' && !currencies.includes(input.currency)) throw unsupported(input.currency);
    if (input.saveMethod) requireCapability(this, 'savedMethods');
    const body = { amount: input.amount, currency: input.currency };
    return toPayment(
      (await this.#transport.request<MiniPayment>({ method: 'POST', path: 'payments', body })).data,
    );
  }
  async retrievePayment(id: string): Promise<Payment> {
    return toPayment(
      (await this.#transport.request<MiniPayment>({ method: 'GET', path: `payments/${id}` })).data,
    );
  }
  async capture(): Promise<Payment> {
    requireCapability(this, 'partialCapture');
    throw new Error('unreachable');
  }
  async release(): Promise<Payment> {
    requireCapability(this, 'release');
    throw new Error('unreachable');
  }
  async cancel(id: string): Promise<Payment> {
    requireCapability(this, 'cancel');
    return toPayment(
      (await this.#transport.request<MiniPayment>({ method: 'POST', path: `payments/${id}/cancel` })).data,
    );
  }
  async refund(id: string, input: { amount?: number } = {}): Promise<Refund> {
    requireCapability(this, 'refund');
    const response = await this.#transport.request<{ id: string; amount: number }>({
      method: 'POST',
      path: `payments/${id}/refunds`,
      body: input,
    });
    return { ...response.data, paymentId: id, currency: 'MYR', status: 'succeeded', raw: response.data };
  }
  async chargeSavedMethod(): Promise<Payment> {
    requireCapability(this, 'savedMethods');
    throw new Error('unreachable');
  }
  async deleteSavedMethod(): Promise<void> {
    requireCapability(this, 'savedMethods');
  }
  async verifyWebhook(): Promise<GatewayEvent> {
    requireCapability(this, 'signedWebhooks');
    throw new Error('unreachable');
  }
}

let gateway: LoopbackServer;

runDriverConformance('mini', {
  secrets: [API_KEY],
  createDriver: ({ baseUrl, logger }) => new MiniDriver(baseUrl, logger),
  startTarget: async () => {
    gateway = await startLoopbackServer((request, response) => {
      const [, , id, action] = request.path.split('/');
      const payment = { id: id ?? 'pay_1', status: 'pending', amount: 1000, currency: 'MYR' };
      if (request.method === 'POST' && request.path === '/payments')
        return sendJson(response, 201, { ...payment, id: 'pay_1' });
      if (request.method === 'GET' && id && !action) return sendJson(response, 200, payment);
      if (request.method === 'POST' && action === 'cancel')
        return sendJson(response, 200, { ...payment, status: 'canceled' });
      if (request.method === 'POST' && action === 'refunds') {
        const amount = (request.json as { amount?: number }).amount ?? 1000;
        return sendJson(response, 200, { id: 're_1', amount });
      }
      sendJson(response, 404, { message: 'no such route' });
    });
    return {
      baseUrl: gateway.url,
      paymentInput: {
        amount: 1000,
        currency: 'MYR',
        reference: 'order-1',
        customer: { email: 'buyer@example.com' },
        capture: 'automatic',
        returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
      },
      pendingPaymentId: async () => 'pay_1',
      paidPaymentId: async () => 'pay_2',
      close: () => gateway.close(),
    };
  },
});
