import {
  NotFoundError,
  UnsupportedOperationError,
  type Capabilities,
  type CreatePaymentInput,
  type GatewayDriver,
  type NextAction,
  type Payment,
  type ReturnParams,
  type ReturnResolution,
} from '@tijara/core';

/**
 * A gateway of the kind the sandbox does not emulate yet, in memory: its checkout is a form to post or a widget
 * (set `nextAction`), and it resolves returns from `?ref=<payment id>` the way Postpay resolves `order_id`. Used
 * for the routes' handling of every next action kind and of return resolution; everything else is the real
 * plugin.
 */
export class ActionGateway {
  readonly name = 'actions';
  readonly capabilities: Capabilities = {
    captureModes: ['automatic'],
    partialCapture: false,
    release: false,
    cancel: true,
    refund: false,
    partialRefund: false,
    multipleRefunds: false,
    savedMethods: false,
    customers: false,
    signedWebhooks: false,
    returnResolution: true,
    captureOnApproval: false,
    amountPolicy: 'exact',
    idempotencyKeys: true,
    currencies: 'any',
    testMode: true,
  };
  nextAction: (id: string) => NextAction = () => ({ type: 'none' });
  readonly payments = new Map<string, Payment>();
  readonly resolved: ReturnParams[] = [];
  #seq = 0;

  async createPayment(input: CreatePaymentInput): Promise<Payment> {
    const id = `act_${++this.#seq}`;
    const payment: Payment = {
      id,
      status: 'pending',
      rawStatus: 'open',
      amount: input.amount,
      currency: input.currency,
      capturedAmount: 0,
      refundedAmount: 0,
      refundableAmount: 0,
      reference: input.reference,
      nextAction: this.nextAction(id),
      testMode: true,
      raw: { id },
    };
    this.payments.set(id, payment);
    return payment;
  }

  pay(id: string): void {
    const payment = this.payments.get(id) as Payment;
    this.payments.set(id, {
      ...payment,
      status: 'paid',
      rawStatus: 'paid',
      capturedAmount: payment.amount,
      refundableAmount: payment.amount,
      nextAction: { type: 'none' },
    });
  }

  async retrievePayment(id: string): Promise<Payment> {
    const payment = this.payments.get(id);
    if (!payment) throw new NotFoundError(`No payment ${id}`, { gateway: this.name, statusCode: 404 });
    return payment;
  }

  async cancel(id: string): Promise<Payment> {
    const payment = await this.retrievePayment(id);
    const canceled = { ...payment, status: 'canceled' as const, nextAction: { type: 'none' as const } };
    this.payments.set(id, canceled);
    return canceled;
  }

  async resolveReturn(params: ReturnParams): Promise<ReturnResolution> {
    this.resolved.push(params);
    const id = params.query.ref ?? params.form?.ref ?? '';
    return { payment: await this.retrievePayment(id), claimed: 'approved' };
  }

  async verifyWebhook(): Promise<never> {
    throw new UnsupportedOperationError('no webhooks', { gateway: this.name });
  }

  get driver(): GatewayDriver {
    return this as unknown as GatewayDriver;
  }
}
