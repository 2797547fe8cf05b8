import { generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  readHeader,
  SignatureVerificationError,
  type Capabilities,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type Payment,
  type PaymentStatus,
  type ReturnParams,
  type ReturnResolution,
  type VerifiedWebhook,
} from '@tijara/core';

/**
 * A small in-memory gateway honouring the driver contract, for testing the pipeline on the ledger: really
 * RSA-signed webhooks, `openWebhook` (counting how many bodies were fully parsed), capture on approval when
 * asked, return resolution by `?order=<id>`. Counters record the calls a test asserts on.
 */
export class TestGateway implements Partial<GatewayDriver> {
  readonly name = 'testpay';
  readonly capabilities: Capabilities;
  readonly payments = new Map<string, Payment>();
  readonly calls = { retrieve: 0, capture: 0, parse: 0 };
  readonly #keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

  constructor(options: { captureOnApproval?: boolean } = {}) {
    this.capabilities = {
      captureModes: ['automatic', 'manual'],
      partialCapture: false,
      release: true,
      cancel: true,
      refund: true,
      partialRefund: true,
      multipleRefunds: true,
      savedMethods: false,
      customers: false,
      signedWebhooks: true,
      returnResolution: true,
      captureOnApproval: options.captureOnApproval ?? false,
      amountPolicy: 'exact',
      idempotencyKeys: true,
      currencies: 'any',
      testMode: true,
    };
  }

  put(id: string, status: PaymentStatus, extra: Partial<Payment> = {}): Payment {
    const amount = extra.amount ?? 5_000;
    const captured = ['paid', 'partially_refunded', 'refunded', 'disputed'].includes(status) ? amount : 0;
    const payment: Payment = {
      id,
      status,
      rawStatus: status,
      amount,
      currency: 'KWD',
      capturedAmount: captured,
      refundedAmount: 0,
      refundableAmount: captured,
      nextAction: { type: 'none' },
      testMode: true,
      raw: { id, status },
      ...extra,
    };
    this.payments.set(id, payment);
    return payment;
  }

  async retrievePayment(id: string): Promise<Payment> {
    this.calls.retrieve += 1;
    const payment = this.payments.get(id);
    if (!payment) throw new Error(`no payment ${id}`);
    return payment;
  }

  async capture(id: string): Promise<Payment> {
    this.calls.capture += 1;
    await new Promise((resolve) => setImmediate(resolve));
    const payment = await this.retrievePayment(id);
    if (payment.status === 'paid') return payment;
    return this.put(id, 'paid', { amount: payment.amount });
  }

  async resolveReturn(params: ReturnParams): Promise<ReturnResolution> {
    const id = params.query.order ?? '';
    return {
      payment: await this.retrievePayment(id),
      claimed: params.query.status === 'ok' ? 'approved' : 'declined',
    };
  }

  /** A signed delivery of `payment` as event `eventId`. */
  deliver(eventId: string, payment: Payment, createdAt = new Date()): { body: Buffer; headers: HeaderBag } {
    const body = Buffer.from(JSON.stringify({ id: eventId, createdAt: createdAt.toISOString(), payment }));
    return {
      body,
      headers: { 'x-signature': sign('sha256', body, this.#keys.privateKey).toString('base64') },
    };
  }

  async openWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<VerifiedWebhook> {
    const signature = readHeader(headers, 'x-signature');
    const bytes = Buffer.from(rawBody as Uint8Array);
    if (!signature || !verify('sha256', bytes, this.#keys.publicKey, Buffer.from(signature, 'base64'))) {
      throw new SignatureVerificationError('bad signature', { gateway: this.name });
    }
    const json = JSON.parse(bytes.toString('utf8')) as { id: string; createdAt: string; payment: Payment };
    return {
      eventId: json.id,
      event: (): GatewayEvent => {
        this.calls.parse += 1;
        return {
          id: json.id,
          type: 'other',
          rawType: 'test',
          paymentId: json.payment.id,
          payment: json.payment,
          createdAt: new Date(json.createdAt),
          raw: json,
        };
      },
    };
  }

  async verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent> {
    return (await this.openWebhook(rawBody, headers)).event();
  }

  get driver(): GatewayDriver {
    return this as unknown as GatewayDriver;
  }
}
