/**
 * What the router's routes do, as plain functions a store can also call itself: checkout, one-click, settle,
 * capture, release, refund, saved methods, reconcile. Every change of a payment goes through core's
 * SettlementPipeline (one per gateway) and every record lives in `@tijara/ledger`; this file maps orders onto
 * them.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AmountMismatchError,
  assertCurrency,
  assertMinorUnits,
  ConfigurationError,
  ConnectionError,
  GatewayError,
  InvalidRequestError,
  InvalidSavedMethodError,
  isCapturable,
  isClosed,
  isFunded,
  isRefundable,
  NotFoundError,
  RateLimitError,
  Reconciler,
  redirectUrlOf,
  requireCapability,
  SettlementPipeline,
  silentLogger,
  TijaraError,
  type EventStore,
  type GatewayDriver,
  type LockStore,
  type Logger,
  type NextAction,
  type Payment,
  type PaymentStatus,
  type ReturnParams,
  type ReturnSettlement,
  type SettlementResult,
  type SweepReport,
} from '@tijara/core';
import type {
  ClaimedMessage,
  Ledger,
  LedgerOperation,
  LedgerPayment as StoredPayment,
  LedgerSavedMethod,
} from '@tijara/ledger';
import { NoPaymentError, OrderNotFoundError, StoreCallbackError } from './errors.js';
import { eventMessages, paymentKey, paymentView, refundView, reviveEvent } from './records.js';
import type {
  CheckoutOptions,
  CheckoutResult,
  GetOrder,
  LedgerPayment,
  LedgerRefund,
  PaymentEventHandlers,
  RefundRequest,
  StoreOrder,
} from './types.js';

const CHECKOUT_LOCK_TTL_MS = 60_000;
const ADMIN_LOCK_TTL_MS = 60_000;
const REFUND_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

export interface PaymentServiceOptions {
  /** The gateways by the name each is mounted under. */
  readonly drivers: ReadonlyMap<string, GatewayDriver>;
  readonly defaultGateway: string;
  readonly ledger: Ledger;
  /**
   * Dedupe kept outside the ledger's database (e.g. Redis): the pipeline then takes its locked path. Undefined
   * when dedupe lives in the ledger: one commit per first delivery.
   */
  readonly externalEvents: EventStore | undefined;
  readonly locks: LockStore;
  readonly getOrder: GetOrder;
  readonly on: PaymentEventHandlers;
  /** `(orderId, attempt, outcome) → absolute URL` of the router's return route. */
  readonly returnRoute: (
    orderId: string,
    attempt: number,
    outcome: 'success' | 'failure' | 'cancel',
  ) => string;
  readonly replayWindowMs?: number;
  /** Queue the gateway's raw object with each event (see `DeliveryOptions.queueRawPayment`). */
  readonly queueRawPayments?: boolean;
  readonly reconcile: { readonly intervalMs: number; readonly minAgeMs: number; readonly maxAgeMs: number };
  readonly logger?: Logger;
}

/** One gateway as the service uses it. */
interface Gateway {
  readonly name: string;
  readonly driver: GatewayDriver;
  readonly pipeline: SettlementPipeline;
  readonly reconciler: Reconciler;
}

export class PaymentService {
  readonly #gateways = new Map<string, Gateway>();
  readonly #default: Gateway;
  readonly #ledger: Ledger;
  readonly #locks: LockStore;
  readonly #getOrder: GetOrder;
  readonly #on: PaymentEventHandlers;
  readonly #returnRoute: PaymentServiceOptions['returnRoute'];
  readonly #logger: Logger;

  constructor(options: PaymentServiceOptions) {
    this.#ledger = options.ledger;
    this.#locks = options.locks;
    this.#getOrder = options.getOrder;
    this.#on = options.on;
    this.#returnRoute = options.returnRoute;
    this.#logger = options.logger ?? silentLogger;
    const { intervalMs, minAgeMs, maxAgeMs } = options.reconcile;
    for (const [name, driver] of options.drivers) {
      const journal = options.ledger.journal({
        gateway: name,
        messages: eventMessages(options.queueRawPayments ?? false),
        deliver: (message) => this.#deliver(message),
        keepSavedMethods: true,
      });
      const pipeline = new SettlementPipeline({
        driver,
        journal,
        ...(options.externalEvents ? { events: options.externalEvents, locks: options.locks } : {}),
        logger: this.#logger,
        ...(options.replayWindowMs === undefined ? {} : { replayWindowMs: options.replayWindowMs }),
      });
      const reconciler = new Reconciler({
        pipeline,
        intervalMs,
        minAgeMs,
        logger: this.#logger,
        listUnsettled: async (minAge) => {
          const now = Date.now();
          const payments = await this.#ledger.payments.unsettled({
            gateway: name,
            captureOnApproval: driver.capabilities.captureOnApproval,
            createdBefore: new Date(now - minAge),
            createdAfter: new Date(now - maxAgeMs),
            limit: 500,
          });
          return payments.flatMap((p) => (p.paymentId === undefined ? [] : [p.paymentId]));
        },
      });
      this.#gateways.set(name, { name, driver, pipeline, reconciler });
    }
    this.#default = this.#gateway(options.defaultGateway);
  }

  /** The pipeline of a gateway (default: the default gateway's). */
  pipeline(gateway?: string): SettlementPipeline {
    return this.#gateway(gateway).pipeline;
  }

  get gatewayNames(): string[] {
    return [...this.#gateways.keys()];
  }

  #gateway(name: string | undefined): Gateway {
    if (name === undefined) return this.#default;
    const gateway = this.#gateways.get(name);
    if (!gateway) {
      throw new InvalidRequestError(`No gateway named "${name}" is mounted`, { code: 'unknown_gateway' });
    }
    return gateway;
  }

  // ---------------------------------------------------------------------------------------------- checkout

  /**
   * Start paying for an order on the gateway's page (or widget). Never creates a second payment while one with
   * money behind it exists, and reuses the open one when its terms still match, so double clicks and back-button
   * retries all land on one payment.
   */
  async checkout(orderId: string, options: CheckoutOptions = {}): Promise<CheckoutResult> {
    const gateway = this.#gateway(options.gateway);
    const order = await this.#order(orderId, gateway.driver, options.request);
    const saveMethod = Boolean(options.saveMethod) && order.customer.id !== undefined;
    return this.#withCheckoutLock(order.id, async () => {
      const settled = await this.#settleOpenAttempts(order, (open) =>
        open.gateway === gateway.name &&
        open.kind === 'hosted' &&
        open.amount === order.amount &&
        open.currency === order.currency &&
        open.captureMode === captureOf(order) &&
        open.saveMethod === saveMethod
          ? open
          : undefined,
      );
      if (settled) return settled;

      const attempt = await this.#ledger.payments.nextAttempt(order.id);
      const idempotencyKey = `checkout:${order.id}:${attempt}:${termsFingerprint(order, saveMethod)}`;
      const payment = await gateway.driver.createPayment(
        {
          amount: order.amount,
          currency: order.currency,
          reference: order.id,
          customer: customerOf(order),
          ...(order.lineItems ? { lineItems: order.lineItems } : {}),
          ...extrasOf(order),
          ...(order.description ? { description: order.description } : {}),
          capture: captureOf(order),
          saveMethod,
          returnUrls: {
            success: this.#returnRoute(order.id, attempt, 'success'),
            failure: this.#returnRoute(order.id, attempt, 'failure'),
            cancel: this.#returnRoute(order.id, attempt, 'cancel'),
          },
          metadata: { orderId: order.id, attempt: String(attempt) },
        },
        { idempotencyKey },
      );
      await this.#assertMatchesOrder(gateway, payment, order);
      const row = await this.#record(gateway, order, payment, {
        attempt,
        idempotencyKey,
        kind: 'hosted',
        saveMethod,
      });
      const action = actionResult(payment.nextAction, row);
      if (action) return action;
      // Nothing for the buyer to do (paid or held at once, or processing): settle what the gateway says.
      await this.#settleAfter('checkout', () => gateway.pipeline.settleWithPayment(payment));
      return { kind: 'settled', payment: await this.#reload(row) };
    });
  }

  /**
   * Pay for an order with a card the customer saved earlier: no page, no redirect. A declined card throws
   * CardError (the buyer can pay on the hosted page instead); a dead token is deleted and throws
   * InvalidSavedMethodError.
   */
  async chargeSavedMethod(
    orderId: string,
    methodId: string,
    options: CheckoutOptions = {},
  ): Promise<CheckoutResult> {
    const method = await this.#ledger.savedMethods.get(methodId);
    const gateway = this.#gateways.get(method?.gateway ?? '');
    const order = await this.#order(orderId, (gateway ?? this.#default).driver, options.request);
    const customerKey = order.customer.id;
    // Someone else's card reads exactly like a card that does not exist.
    if (!customerKey || !method || !gateway || method.customerKey !== customerKey) {
      throw new NotFoundError('This saved card was not found', { code: 'saved_method_not_found' });
    }
    return this.#withCheckoutLock(order.id, async () => {
      // An open hosted page for this order is closed first, so the buyer cannot pay twice.
      const settled = await this.#settleOpenAttempts(order, () => undefined);
      if (settled) return settled;

      const attempt = await this.#ledger.payments.nextAttempt(order.id);
      const idempotencyKey = `charge:${order.id}:${attempt}:${termsFingerprint(order, false)}:${method.id}`;
      let payment: Payment;
      try {
        payment = await gateway.driver.chargeSavedMethod(
          method.token,
          {
            amount: order.amount,
            currency: order.currency,
            reference: order.id,
            customer: customerOf(order),
            ...(order.lineItems ? { lineItems: order.lineItems } : {}),
            ...extrasOf(order),
            ...(order.description ? { description: order.description } : {}),
            capture: captureOf(order),
            metadata: { orderId: order.id, attempt: String(attempt) },
          },
          { idempotencyKey },
        );
      } catch (error) {
        if (error instanceof InvalidSavedMethodError) {
          await this.#ledger.savedMethods.delete(method.id);
          this.#logger.info(
            { orderId: order.id, methodId: method.id },
            'saved method is no longer valid; deleted',
          );
        }
        throw error;
      }
      await this.#assertMatchesOrder(gateway, payment, order);
      const row = await this.#record(gateway, order, payment, {
        attempt,
        idempotencyKey,
        kind: 'saved_method',
        saveMethod: false,
      });
      await this.#settleAfter('charge', () => gateway.pipeline.settleWithPayment(payment));
      return { kind: 'settled', payment: await this.#reload(row) };
    });
  }

  /**
   * Before a new attempt: re-read the order's earlier attempts. Returns a result when no new payment must be
   * made (money already taken, a payment still processing, or `reuse` picks an open page); otherwise cancels the
   * pages that could still be paid (an open one, or one whose card was declined, where the buyer may try again),
   * so that only the new payment can take money.
   */
  async #settleOpenAttempts(
    order: StoreOrder,
    reuse: (open: LedgerPayment) => LedgerPayment | undefined,
  ): Promise<CheckoutResult | undefined> {
    for (const attempt of await this.listPayments(order.id)) {
      if (isFunded(attempt.status)) return { kind: 'settled', payment: attempt };
      if (isClosed(attempt.status)) continue;
      const gateway = this.#gateway(attempt.gateway);
      const result = await gateway.pipeline.settlePayment(attempt.paymentId, 'redirect');
      const now = await this.#reload(attempt);
      if (isFunded(now.status) || now.status === 'processing') return { kind: 'settled', payment: now };
      if (isClosed(now.status)) continue;
      const fresh = result.payment?.nextAction;
      const nextAction = fresh && fresh.type !== 'none' ? fresh : now.nextAction;
      const reused = now.status === 'pending' && nextAction ? reuse(now) : undefined;
      const action = reused && nextAction ? actionResult(nextAction, reused) : undefined;
      if (action) return action;
      await this.#cancelQuietly(gateway, now);
    }
    return undefined;
  }

  /** Close an unpaid page; if the gateway refuses (e.g. the buyer just paid), settle what it says instead. */
  async #cancelQuietly(gateway: Gateway, payment: LedgerPayment): Promise<void> {
    if (!gateway.driver.capabilities.cancel) return;
    try {
      const canceled = await gateway.driver.cancel(payment.paymentId, {
        idempotencyKey: `cancel:${payment.paymentId}`,
      });
      await gateway.pipeline.settleWithPayment(canceled);
    } catch (error) {
      this.#logger.warn(
        { orderId: payment.orderId, paymentId: payment.paymentId, err: error },
        'could not cancel an open payment',
      );
      await gateway.pipeline.settlePayment(payment.paymentId, 'admin');
      const now = await this.#reload(payment);
      if (isFunded(now.status) || now.status === 'processing') {
        throw new NoPaymentError(
          payment.orderId,
          `Order ${payment.orderId} was paid meanwhile`,
          'already_paid',
        );
      }
    }
  }

  async #record(
    gateway: Gateway,
    order: StoreOrder,
    payment: Payment,
    meta: { attempt: number; idempotencyKey: string; kind: LedgerPayment['kind']; saveMethod: boolean },
  ): Promise<LedgerPayment> {
    const { payment: row, created } = await this.#ledger.payments.create({
      key: paymentKey(order.id, meta.attempt),
      gateway: gateway.name,
      paymentId: payment.id,
      orderId: order.id,
      attempt: meta.attempt,
      amount: order.amount,
      currency: order.currency,
      captureMode: captureOf(order),
      ...(order.customer.id === undefined ? {} : { customerKey: order.customer.id }),
      ...(payment.nextAction.type === 'none' ? {} : { nextAction: payment.nextAction }),
      idempotencyKey: meta.idempotencyKey,
      metadata: { kind: meta.kind, saveMethod: meta.saveMethod },
    });
    if (!created && (row.orderId !== order.id || row.paymentId !== payment.id)) {
      throw new ConfigurationError(`Payment ${payment.id} could not be recorded for order ${order.id}`);
    }
    return paymentView(row);
  }

  async #assertMatchesOrder(gateway: Gateway, payment: Payment, order: StoreOrder): Promise<void> {
    if (payment.amount === order.amount && payment.currency === order.currency) return;
    this.#logger.error(
      { orderId: order.id, paymentId: payment.id, expected: order.amount, got: payment.amount },
      'the gateway created a payment for a different amount; canceling it',
    );
    if (gateway.driver.capabilities.cancel) {
      await gateway.driver
        .cancel(payment.id, { idempotencyKey: `cancel:${payment.id}` })
        .catch(() => undefined);
    }
    throw new AmountMismatchError(
      `Payment ${payment.id} is for ${payment.amount} ${payment.currency}, order ${order.id} is ${order.amount} ${order.currency}`,
      { code: 'amount_mismatch', gateway: gateway.name },
    );
  }

  async #order(
    orderId: string,
    driver: GatewayDriver,
    request?: CheckoutOptions['request'],
  ): Promise<StoreOrder> {
    if (typeof orderId !== 'string' || orderId === '' || orderId.length > 200)
      throw new OrderNotFoundError(String(orderId));
    const order = await this.#getOrder(orderId, request);
    if (!order) throw new OrderNotFoundError(orderId);
    if (order.id !== orderId) {
      throw new ConfigurationError(`getOrder("${orderId}") returned order "${order.id}"`);
    }
    assertMinorUnits(order.amount, `order ${orderId} amount`);
    if (order.amount === 0) {
      throw new InvalidRequestError(`Order ${orderId} has nothing to pay`, { code: 'zero_amount' });
    }
    const currency = assertCurrency(order.currency);
    const capture = order.capture ?? 'automatic';
    if (!driver.capabilities.captureModes.includes(capture)) {
      throw new ConfigurationError(
        `${driver.name} cannot take ${capture}-capture payments (order ${orderId})`,
      );
    }
    return { ...order, currency };
  }

  #withCheckoutLock<T>(orderId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withLock(`express:checkout:${orderId}`, CHECKOUT_LOCK_TTL_MS, () => fn(), {
      waitMs: 20_000,
    });
  }

  // -------------------------------------------------------------------------------------------- settlement

  /**
   * Settle what the buyer brought back from the gateway on this attempt's return URL: the query, and the form
   * for a return the gateway (or its widget) posts. Nothing in them is trusted as such (see
   * SettlementPipeline.settleReturn).
   */
  settleReturn(payment: LedgerPayment, params: Omit<ReturnParams, 'paymentId'>): Promise<ReturnSettlement> {
    return this.#gateway(payment.gateway).pipeline.settleReturn({ ...params, paymentId: payment.paymentId });
  }

  async findAttempt(orderId: string, attempt: number): Promise<LedgerPayment | undefined> {
    const row = await this.#ledger.payments.byAttempt(orderId, attempt);
    return row?.paymentId === undefined ? undefined : paymentView(row);
  }

  /**
   * Hand one queued event to the store's handler. A handler that throws leaves its event queued: the webhook
   * answers 5xx and the gateway's retry, the payment's next settlement or the reconciler hands it over again.
   */
  async #deliver(message: ClaimedMessage): Promise<void> {
    const event = reviveEvent(message.payload);
    const handler = this.#on[event.type];
    if (handler) {
      try {
        await handler(event);
      } catch (error) {
        this.#logger.error(
          { orderId: event.orderId, paymentId: event.paymentId, eventType: event.type, err: error },
          'store event handler failed; the event stays queued',
        );
        throw new StoreCallbackError(event.type, event.orderId, error);
      }
    }
    this.#logger.info(
      { orderId: event.orderId, paymentId: event.paymentId, eventType: event.type, amount: event.amount },
      'payment event',
    );
  }

  // ---------------------------------------------------------------------------------------------- admin

  /** Capture a held payment, in full or (where the gateway allows) in part. */
  async capture(orderId: string, amount?: number): Promise<LedgerPayment> {
    const held = await this.#attemptIn(
      orderId,
      isCapturable,
      'Nothing is held for this order',
      'nothing_to_capture',
    );
    if (amount !== undefined) assertMinorUnits(amount, 'capture amount');
    const gateway = this.#gateway(held.gateway);
    return this.#withAdminLock(held.paymentId, async () => {
      const payment = await gateway.driver.capture(held.paymentId, amount, {
        idempotencyKey: `capture:${held.paymentId}:${amount ?? 'full'}`,
      });
      await this.#settleAfter('capture', () => gateway.pipeline.settleWithPayment(payment));
      return this.#reload(held);
    });
  }

  /** Let a hold go: the buyer is not charged. */
  async release(orderId: string): Promise<LedgerPayment> {
    const held = await this.#attemptIn(
      orderId,
      isCapturable,
      'Nothing is held for this order',
      'nothing_to_release',
    );
    const gateway = this.#gateway(held.gateway);
    requireCapability(gateway.driver, 'release');
    return this.#withAdminLock(held.paymentId, async () => {
      const payment = await gateway.driver.release(held.paymentId, {
        idempotencyKey: `release:${held.paymentId}`,
      });
      await this.#settleAfter('release', () => gateway.pipeline.settleWithPayment(payment));
      return this.#reload(held);
    });
  }

  /**
   * Refund all or part of what was captured. Refused with RefundLimitError, before anything is written or sent,
   * when the amount is more than what is left (the ledger checks the cap in the transaction that records the
   * refund). The refund's id is written before the gateway call and is its idempotency key and merchant refund
   * id, so a retry or a double submit never refunds twice.
   */
  async refund(orderId: string, request: RefundRequest = {}): Promise<LedgerRefund> {
    const paid = await this.#attemptIn(
      orderId,
      (status) => isRefundable(status) || status === 'refunded',
      'Nothing was paid for this order',
      'nothing_to_refund',
    );
    if (request.amount !== undefined) assertMinorUnits(request.amount, 'refund amount');
    const refundId = request.refundId ?? `re_${randomUUID()}`;
    if (typeof refundId !== 'string' || !REFUND_ID.test(refundId)) {
      throw new InvalidRequestError('refundId must be 1–100 letters, digits, or _ . : -', {
        code: 'invalid_refund_id',
      });
    }
    const key = paymentKey(paid.orderId, paid.attempt);
    const gateway = this.#gateway(paid.gateway);
    // A gateway without refunds (Uhmi, Numipay) is refused before anything is written, not left as a failed refund.
    requireCapability(gateway.driver, 'refund');
    return this.#withAdminLock(paid.paymentId, async () => {
      const existing = await this.#ledger.operations.get(refundId);
      if (existing) {
        if (
          existing.kind !== 'refund' ||
          existing.paymentKey !== key ||
          (request.amount !== undefined && request.amount !== existing.amount)
        ) {
          throw new InvalidRequestError(`Refund ${refundId} already exists with other terms`, {
            code: 'refund_id_reused',
          });
        }
        return existing.status === 'pending'
          ? this.#sendRefund(gateway, paid, existing)
          : refundView(existing, paid.paymentId);
      }
      // Refunds whose outcome was unknown are driven to an answer first: they count against what is left.
      for (const pending of await this.#ledger.operations.list(key, 'refund')) {
        if (pending.status !== 'pending') continue;
        await this.#sendRefund(gateway, paid, pending).catch((error: unknown) => {
          this.#logger.warn({ refundId: pending.id, err: error }, 'an earlier refund is still unresolved');
        });
      }
      const atGateway = await gateway.driver.retrievePayment(paid.paymentId);
      const { operation } = await this.#ledger.operations.record(
        {
          id: refundId,
          kind: 'refund',
          paymentKey: key,
          ...(request.amount === undefined ? {} : { amount: request.amount }),
          ...(request.reason ? { reason: request.reason } : {}),
        },
        {
          cap: atGateway.capturedAmount || paid.capturedAmount || paid.amount,
          available: atGateway.refundableAmount,
        },
      );
      return this.#sendRefund(gateway, paid, operation);
    });
  }

  async #sendRefund(gateway: Gateway, paid: LedgerPayment, refund: LedgerOperation): Promise<LedgerRefund> {
    try {
      const result = await gateway.driver.refund(
        paid.paymentId,
        { amount: refund.amount as number, reference: refund.id },
        { idempotencyKey: `refund:${refund.id}` },
      );
      await this.#ledger.operations.resolve(refund.id, {
        status: result.status === 'failed' ? 'failed' : result.status === 'pending' ? 'pending' : 'succeeded',
        gatewayId: result.id,
      });
    } catch (error) {
      if (!outcomeUnknown(error)) {
        const failure = error instanceof TijaraError ? error.message : 'The gateway refused the refund';
        await this.#ledger.operations.resolve(refund.id, { status: 'failed', failure });
      }
      throw error;
    }
    await this.#settleAfter('refund', () => gateway.pipeline.settlePayment(paid.paymentId, 'admin'));
    return refundView((await this.#ledger.operations.get(refund.id)) as LedgerOperation, paid.paymentId);
  }

  /**
   * Settle right after a gateway action that succeeded. If settling fails (a store callback threw, a lock was
   * busy), the action still happened: report it as done and leave the rest to the queued event, the webhook
   * and the reconciler, rather than telling the caller it failed and inviting a second charge or refund.
   */
  async #settleAfter(action: string, settle: () => Promise<SettlementResult>): Promise<void> {
    try {
      await settle();
    } catch (error) {
      this.#logger.warn(
        { action, err: error },
        'the gateway action succeeded but settling it failed; it will be retried',
      );
    }
  }

  async #attemptIn(
    orderId: string,
    accepts: (status: PaymentStatus) => boolean,
    message: string,
    code: string,
  ): Promise<LedgerPayment> {
    const attempts = await this.listPayments(orderId);
    if (attempts.length === 0) throw new NoPaymentError(orderId, `Order ${orderId} has no payment`, code);
    const found = [...attempts].reverse().find((p) => accepts(p.status));
    if (!found) throw new NoPaymentError(orderId, message, code);
    return found;
  }

  async #reload(payment: LedgerPayment): Promise<LedgerPayment> {
    const row = await this.#ledger.payments.get(paymentKey(payment.orderId, payment.attempt));
    return row ? paymentView(row) : payment;
  }

  #withAdminLock<T>(paymentId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withLock(`express:admin:${paymentId}`, ADMIN_LOCK_TTL_MS, () => fn(), {
      waitMs: 20_000,
    });
  }

  // ------------------------------------------------------------------------------------- saved methods

  listSavedMethods(customerKey: string): Promise<LedgerSavedMethod[]> {
    return this.#ledger.savedMethods.list(customerKey);
  }

  /**
   * Detach a saved card at the gateway and forget it. With `customerKey`, only that customer's card is touched
   * (for a buyer-facing "remove card" button).
   */
  async deleteSavedMethod(methodId: string, customerKey?: string): Promise<void> {
    const method = await this.#ledger.savedMethods.get(methodId);
    if (!method || (customerKey !== undefined && method.customerKey !== customerKey)) {
      throw new NotFoundError('This saved card was not found', { code: 'saved_method_not_found' });
    }
    const gateway = this.#gateways.get(method.gateway);
    try {
      await gateway?.driver.deleteSavedMethod(method.token, { idempotencyKey: `delete-method:${method.id}` });
    } catch (error) {
      // Already gone at the gateway: what matters is that the store forgets it too.
      if (!(error instanceof NotFoundError || error instanceof InvalidSavedMethodError)) throw error;
    }
    await this.#ledger.savedMethods.delete(method.id);
  }

  // ---------------------------------------------------------------------------------------------- queries

  async listPayments(orderId: string): Promise<LedgerPayment[]> {
    return (await this.#ledger.payments.list(orderId)).filter(hasPaymentId).map(paymentView);
  }

  async listRefunds(orderId: string): Promise<LedgerRefund[]> {
    const out: LedgerRefund[] = [];
    for (const payment of (await this.#ledger.payments.list(orderId)).filter(hasPaymentId)) {
      for (const refund of await this.#ledger.operations.list(payment.key, 'refund')) {
        out.push(refundView(refund, payment.paymentId));
      }
    }
    return out;
  }

  /** Re-read every attempt of the order that could still change and settle it. */
  async settleOrder(orderId: string): Promise<LedgerPayment[]> {
    for (const payment of await this.listPayments(orderId)) {
      if (isClosed(payment.status) || payment.status === 'refunded') continue;
      await this.#gateway(payment.gateway).pipeline.settlePayment(payment.paymentId, 'admin');
    }
    return this.listPayments(orderId);
  }

  /** One sweep of every gateway's reconciler. */
  async reconcile(): Promise<SweepReport> {
    const reports = [];
    for (const gateway of this.#gateways.values()) reports.push(await gateway.reconciler.sweep());
    return {
      checked: reports.reduce((n, r) => n + r.checked, 0),
      settled: reports.reduce((n, r) => n + r.settled, 0),
      failed: reports.reduce((n, r) => n + r.failed, 0),
      results: reports.flatMap((r) => r.results),
    };
  }

  startReconciling(): void {
    for (const gateway of this.#gateways.values()) gateway.reconciler.start();
  }

  async stopReconciling(): Promise<void> {
    for (const gateway of this.#gateways.values()) await gateway.reconciler.stop();
  }
}

function hasPaymentId(p: StoredPayment): p is StoredPayment & { paymentId: string } {
  return p.paymentId !== undefined;
}

/** What checkout answers for a next action the buyer must take; undefined for `none`. */
function actionResult(nextAction: NextAction, payment: LedgerPayment): CheckoutResult | undefined {
  if (nextAction.type === 'none') return undefined;
  const url = redirectUrlOf(nextAction);
  if (url !== undefined) return { kind: 'redirect', url, payment };
  return { kind: 'action', nextAction, payment };
}

function captureOf(order: StoreOrder) {
  return order.capture ?? 'automatic';
}

function customerOf(order: StoreOrder) {
  const { email, name, phone, billingAddress, shippingAddress } = order.customer;
  return {
    email,
    ...(name ? { name } : {}),
    ...(phone ? { phone } : {}),
    ...(billingAddress ? { billingAddress } : {}),
    ...(shippingAddress ? { shippingAddress } : {}),
  };
}

/** The order's tax and shipping, for gateways that itemise them. */
function extrasOf(order: StoreOrder) {
  return {
    ...(order.taxAmount === undefined ? {} : { taxAmount: order.taxAmount }),
    ...(order.shipping ? { shipping: order.shipping } : {}),
  };
}

/**
 * Part of the checkout idempotency key: a retry with the same terms reuses the gateway's answer, while a retry
 * after the buyer changed something (save the card or not) is a new request instead of a 422.
 */
function termsFingerprint(order: StoreOrder, saveMethod: boolean): string {
  return createHash('sha256')
    .update(
      JSON.stringify([order.amount, order.currency, captureOf(order), saveMethod, order.customer.email]),
    )
    .digest('hex')
    .slice(0, 12);
}

/** Whether a failed call may still have happened at the gateway (then only a retry with the same key is safe). */
function outcomeUnknown(error: unknown): boolean {
  if (error instanceof ConnectionError) return error.outcomeUnknown;
  return error instanceof GatewayError || error instanceof RateLimitError || !(error instanceof TijaraError);
}
