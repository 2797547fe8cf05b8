import { generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  NotFoundError,
  readHeader,
  SignatureVerificationError,
  type Capabilities,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type Payment,
  type PaymentStatus,
} from '../../src/index.js';

/**
 * A small in-memory gateway that honours the driver contract, for testing the pipeline on its own. Its
 * webhooks are really RSA-signed; `retrieveCalls` counts re-reads.
 */
export class LedgerDriver implements Pick<
  GatewayDriver,
  'name' | 'capabilities' | 'retrievePayment' | 'verifyWebhook'
> {
  readonly name = 'ledger';
  readonly capabilities: Capabilities = {
    captureModes: ['automatic', 'manual'],
    partialCapture: true,
    release: true,
    cancel: true,
    refund: true,
    partialRefund: true,
    multipleRefunds: true,
    savedMethods: false,
    customers: false,
    signedWebhooks: true,
    returnResolution: false,
    captureOnApproval: false,
    amountPolicy: 'exact',
    idempotencyKeys: true,
    currencies: 'any',
    testMode: true,
  };
  readonly payments = new Map<string, Payment>();
  retrieveCalls = 0;
  readonly #keys = generateKeyPairSync('rsa', { modulusLength: 2048 });

  put(id: string, status: PaymentStatus, extra: Partial<Payment> = {}): Payment {
    const payment: Payment = {
      id,
      status,
      rawStatus: status,
      amount: 5_000,
      currency: 'KWD',
      capturedAmount: ['paid', 'partially_refunded', 'refunded'].includes(status) ? 5_000 : 0,
      refundedAmount: 0,
      refundableAmount: 0,
      nextAction: { type: 'none' },
      testMode: true,
      raw: {},
      ...extra,
    };
    this.payments.set(id, payment);
    return payment;
  }

  async retrievePayment(id: string): Promise<Payment> {
    this.retrieveCalls += 1;
    const payment = this.payments.get(id);
    if (!payment) throw new NotFoundError(`No payment ${id}`, { statusCode: 404, gateway: this.name });
    return payment;
  }

  /** A signed delivery: body bytes + headers. */
  deliver(event: { id: string; paymentId: string; payment?: Payment; createdAt?: Date }): {
    body: Buffer;
    headers: Record<string, string>;
  } {
    const body = Buffer.from(
      JSON.stringify({
        id: event.id,
        paymentId: event.paymentId,
        payment: event.payment,
        createdAt: (event.createdAt ?? new Date()).toISOString(),
      }),
    );
    return {
      body,
      headers: { 'x-signature': sign('sha256', body, this.#keys.privateKey).toString('base64') },
    };
  }

  async verifyWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<GatewayEvent> {
    const signature = readHeader(headers, 'x-signature');
    const bytes = Buffer.from(rawBody as Uint8Array);
    if (!signature || !verify('sha256', bytes, this.#keys.publicKey, Buffer.from(signature, 'base64'))) {
      throw new SignatureVerificationError('bad signature', { gateway: this.name });
    }
    const parsed = JSON.parse(bytes.toString('utf8')) as {
      id: string;
      paymentId: string;
      payment?: Payment;
      createdAt: string;
    };
    return {
      id: parsed.id,
      type: 'other',
      rawType: 'test',
      paymentId: parsed.paymentId,
      payment: parsed.payment,
      createdAt: new Date(parsed.createdAt),
      raw: parsed,
    };
  }
}
