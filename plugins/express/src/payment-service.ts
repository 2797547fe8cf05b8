/**
 * What the router's routes do, as plain functions a store can also call itself: checkout, one-click, settle,
 * capture, release, refund, saved methods, reconcile. Every change of a payment goes through core's
 * SettlementPipeline; this file only maps orders onto it and keeps the ledger.
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
  NotFoundError,
  RateLimitError,
  Reconciler,
  redirectUrlOf,
  SettlementPipeline,
  silentLogger,
  TijaraError,
  type DomainEvent,
  type EventStore,
  type GatewayDriver,
  type LockStore,
  type Logger,
  type Payment,
  type PaymentStatus,
  type SettlementRecord,
  type SettlementResult,
  type SweepReport,
} from '@tijara/core';
import { NoPaymentError, OrderNotFoundError, RefundLimitError, StoreCallbackError } from './errors.js';
import type {
  LedgerPayment,
  LedgerRefund,
  LedgerSavedMethod,
  PaymentLedger,
  PendingDelivery,
} from './ledger/types.js';
import type {
  CheckoutOptions,
  CheckoutResult,
  GetOrder,
  PaymentEvent,
  PaymentEventHandlers,
  RefundRequest,
  StoreOrder,
} from './types.js';

/** A payment in one of these has money behind it: never start another one for the order. */
const MONEY_TAKEN: ReadonlySet<PaymentStatus> = new Set([
  'authorized',
  'paid',
  'partially_refunded',
  'refunded',
  'disputed',
]);
const REFUNDABLE: ReadonlySet<PaymentStatus> = new Set(['paid', 'partially_refunded']);
/** Attempts that can never take money any more. */
const CLOSED: ReadonlySet<PaymentStatus> = new Set(['canceled', 'expired']);

const CHECKOUT_LOCK_TTL_MS = 60_000;
const ADMIN_LOCK_TTL_MS = 60_000;

export interface PaymentServiceOptions {
  readonly driver: GatewayDriver;
  readonly ledger: PaymentLedger;
  readonly events: EventStore;
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
  readonly reconcile: { readonly intervalMs: number; readonly minAgeMs: number; readonly maxAgeMs: number };
  readonly logger?: Logger;
}

export class PaymentService {
  readonly pipeline: SettlementPipeline;
  readonly reconciler: Reconciler;
  readonly #driver: GatewayDriver;
  readonly #ledger: PaymentLedger;
  readonly #locks: LockStore;
  readonly #getOrder: GetOrder;
  readonly #on: PaymentEventHandlers;
  readonly #returnRoute: PaymentServiceOptions['returnRoute'];
  readonly #logger: Logger;

  constructor(options: PaymentServiceOptions) {
    this.#driver = options.driver;
    this.#ledger = options.ledger;
    this.#locks = options.locks;
    this.#getOrder = options.getOrder;
    this.#on = options.on;
    this.#returnRoute = options.returnRoute;
    this.#logger = options.logger ?? silentLogger;
    this.pipeline = new SettlementPipeline({
      driver: options.driver,
      events: options.events,
      locks: options.locks,
      load: (paymentId) => this.#load(paymentId),
      commit: (next, events) => this.#commit(next, events),
      logger: this.#logger,
      ...(options.replayWindowMs === undefined ? {} : { replayWindowMs: options.replayWindowMs }),
    });
    const { intervalMs, minAgeMs, maxAgeMs } = options.reconcile;
    this.reconciler = new Reconciler({
      pipeline: this.pipeline,
      intervalMs,
      minAgeMs,
      logger: this.#logger,
      listUnsettled: (minAge) => {
        const now = Date.now();
        return this.#ledger.listUnsettled(new Date(now - minAge), new Date(now - maxAgeMs), 500);
      },
    });
  }

  // ---------------------------------------------------------------------------------------------- checkout

  /**
   * Start paying for an order on the gateway's hosted page. Never creates a second payment while one with money
   * behind it exists, and reuses the open one when its terms still match, so double clicks and back-button
   * retries all land on one payment.
   */
  async checkout(orderId: string, options: CheckoutOptions = {}): Promise<CheckoutResult> {
    const order = await this.#order(orderId, options.request);
    const saveMethod = Boolean(options.saveMethod) && order.customer.id !== undefined;
    return this.#withCheckoutLock(order.id, async () => {
      const settled = await this.#settleOpenAttempts(order, (open) =>
        open.kind === 'hosted' &&
        open.amount === order.amount &&
        open.currency === order.currency &&
        open.captureMode === captureOf(order) &&
        open.saveMethod === saveMethod
          ? open
          : undefined,
      );
      if (settled) return settled;

      const attempt = await this.#nextAttempt(order.id);
      const idempotencyKey = `checkout:${order.id}:${attempt}:${termsFingerprint(order, saveMethod)}`;
      const payment = await this.#driver.createPayment(
        {
          amount: order.amount,
          currency: order.currency,
          reference: order.id,
          customer: customerOf(order),
          ...(order.lineItems ? { lineItems: order.lineItems } : {}),
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
      await this.#assertMatchesOrder(payment, order);
      const checkoutUrl = redirectUrlOf(payment.nextAction);
      if (!checkoutUrl) {
        throw new GatewayError(`The gateway returned no checkout page for payment ${payment.id}`, {
          code: 'missing_checkout_url',
          gateway: this.#driver.name,
        });
      }
      const row = await this.#record(order, payment, { attempt, idempotencyKey, kind: 'hosted', saveMethod });
      return { kind: 'redirect', url: checkoutUrl, payment: row };
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
    const order = await this.#order(orderId, options.request);
    const customerKey = order.customer.id;
    const method = await this.#ledger.getSavedMethod(methodId);
    // Someone else's card reads exactly like a card that does not exist.
    if (!customerKey || !method || method.customerKey !== customerKey) {
      throw new NotFoundError('This saved card was not found', { code: 'saved_method_not_found' });
    }
    return this.#withCheckoutLock(order.id, async () => {
      // An open hosted page for this order is closed first, so the buyer cannot pay twice.
      const settled = await this.#settleOpenAttempts(order, () => undefined);
      if (settled) return settled;

      const attempt = await this.#nextAttempt(order.id);
      const idempotencyKey = `charge:${order.id}:${attempt}:${termsFingerprint(order, false)}:${method.id}`;
      let payment: Payment;
      try {
        payment = await this.#driver.chargeSavedMethod(
          method.token,
          {
            amount: order.amount,
            currency: order.currency,
            reference: order.id,
            customer: customerOf(order),
            ...(order.lineItems ? { lineItems: order.lineItems } : {}),
            ...(order.description ? { description: order.description } : {}),
            capture: captureOf(order),
            metadata: { orderId: order.id, attempt: String(attempt) },
          },
          { idempotencyKey },
        );
      } catch (error) {
        if (error instanceof InvalidSavedMethodError) {
          await this.#ledger.deleteSavedMethod(method.id);
          this.#logger.info(
            { orderId: order.id, methodId: method.id },
            'saved method is no longer valid; deleted',
          );
        }
        throw error;
      }
      await this.#assertMatchesOrder(payment, order);
      const row = await this.#record(order, payment, {
        attempt,
        idempotencyKey,
        kind: 'saved_method',
        saveMethod: false,
      });
      await this.#settleAfter('charge', () => this.pipeline.settleWithPayment(payment));
      return { kind: 'settled', payment: (await this.#ledger.getPayment(payment.id)) ?? row };
    });
  }

  /**
   * Before a new attempt: re-read the order's earlier attempts. Returns a result when no new payment must be
   * made (money already taken, a payment still processing, or `reuse` picks an open hosted page); otherwise
   * cancels the pages that could still be paid (an open one, or one whose card was declined, where the buyer
   * may try again), so that only the new payment can take money.
   */
  async #settleOpenAttempts(
    order: StoreOrder,
    reuse: (open: LedgerPayment) => LedgerPayment | undefined,
  ): Promise<CheckoutResult | undefined> {
    for (const attempt of await this.#ledger.listPayments(order.id)) {
      if (MONEY_TAKEN.has(attempt.status)) return { kind: 'settled', payment: attempt };
      if (CLOSED.has(attempt.status)) continue;
      const result = await this.pipeline.settlePayment(attempt.paymentId, 'redirect');
      const now = (await this.#ledger.getPayment(attempt.paymentId)) ?? attempt;
      if (MONEY_TAKEN.has(now.status) || now.status === 'processing')
        return { kind: 'settled', payment: now };
      if (CLOSED.has(now.status)) continue;
      const url = (result.payment && redirectUrlOf(result.payment.nextAction)) ?? now.checkoutUrl;
      const reused = now.status === 'pending' && url ? reuse(now) : undefined;
      if (reused && url) return { kind: 'redirect', url, payment: reused };
      await this.#cancelQuietly(now);
    }
    return undefined;
  }

  /** Close an unpaid page; if the gateway refuses (e.g. the buyer just paid), settle what it says instead. */
  async #cancelQuietly(payment: LedgerPayment): Promise<void> {
    if (!this.#driver.capabilities.cancel) return;
    try {
      const canceled = await this.#driver.cancel(payment.paymentId, {
        idempotencyKey: `cancel:${payment.paymentId}`,
      });
      await this.pipeline.settleWithPayment(canceled);
    } catch (error) {
      this.#logger.warn(
        { orderId: payment.orderId, paymentId: payment.paymentId, err: error },
        'could not cancel an open payment',
      );
      await this.pipeline.settlePayment(payment.paymentId, 'admin');
      const now = await this.#ledger.getPayment(payment.paymentId);
      if (now && (MONEY_TAKEN.has(now.status) || now.status === 'processing')) {
        throw new NoPaymentError(
          payment.orderId,
          `Order ${payment.orderId} was paid meanwhile`,
          'already_paid',
        );
      }
    }
  }

  async #nextAttempt(orderId: string): Promise<number> {
    const attempts = await this.#ledger.listPayments(orderId);
    return (attempts.at(-1)?.attempt ?? 0) + 1;
  }

  async #record(
    order: StoreOrder,
    payment: Payment,
    meta: Pick<LedgerPayment, 'attempt' | 'idempotencyKey' | 'kind' | 'saveMethod'>,
  ): Promise<LedgerPayment> {
    const inserted = await this.#ledger.insertPayment({
      paymentId: payment.id,
      orderId: order.id,
      attempt: meta.attempt,
      kind: meta.kind,
      amount: order.amount,
      currency: order.currency,
      captureMode: captureOf(order),
      saveMethod: meta.saveMethod,
      customerKey: order.customer.id,
      // The row starts where every payment starts, so the first settlement announces what really happened.
      status: 'pending',
      capturedAmount: 0,
      checkoutUrl: redirectUrlOf(payment.nextAction),
      idempotencyKey: meta.idempotencyKey,
    });
    const row = await this.#ledger.getPayment(payment.id);
    if (!row || (!inserted && row.orderId !== order.id)) {
      throw new ConfigurationError(`Payment ${payment.id} could not be recorded for order ${order.id}`);
    }
    return row;
  }

  async #assertMatchesOrder(payment: Payment, order: StoreOrder): Promise<void> {
    if (payment.amount === order.amount && payment.currency === order.currency) return;
    this.#logger.error(
      { orderId: order.id, paymentId: payment.id, expected: order.amount, got: payment.amount },
      'the gateway created a payment for a different amount; canceling it',
    );
    if (this.#driver.capabilities.cancel) {
      await this.#driver
        .cancel(payment.id, { idempotencyKey: `cancel:${payment.id}` })
        .catch(() => undefined);
    }
    throw new AmountMismatchError(
      `Payment ${payment.id} is for ${payment.amount} ${payment.currency}, order ${order.id} is ${order.amount} ${order.currency}`,
      { code: 'amount_mismatch', gateway: this.#driver.name },
    );
  }

  async #order(orderId: string, request?: CheckoutOptions['request']): Promise<StoreOrder> {
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
    if (!this.#driver.capabilities.captureModes.includes(capture)) {
      throw new ConfigurationError(
        `${this.#driver.name} cannot take ${capture}-capture payments (order ${orderId})`,
      );
    }
    return { ...order, currency };
  }

  #withCheckoutLock<T>(orderId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withLock(`express:checkout:${orderId}`, CHECKOUT_LOCK_TTL_MS, fn, { waitMs: 20_000 });
  }

  // -------------------------------------------------------------------------------------------- settlement

  /** Re-read one attempt from the gateway and settle it (what the return route does). */
  settleAttempt(paymentId: string, source: 'redirect' | 'admin' = 'redirect'): Promise<SettlementResult> {
    return this.pipeline.settlePayment(paymentId, source);
  }

  async findAttempt(orderId: string, attempt: number): Promise<LedgerPayment | undefined> {
    return (await this.#ledger.listPayments(orderId)).find((p) => p.attempt === attempt);
  }

  /**
   * The pipeline's `load`, under the payment's lock: first hand over events an earlier settlement queued but could
   * not deliver. This is the one read of the queue per settlement (see `#commit`).
   */
  async #load(paymentId: string): Promise<SettlementRecord | undefined> {
    await this.#deliverPending(paymentId);
    return this.#ledger.getPayment(paymentId);
  }

  /**
   * The pipeline's `commit`, under the payment's lock: persist the transition and queue its events in one
   * transaction, then deliver them. A handler that throws leaves its event queued and makes this throw, so the
   * webhook answers 5xx and the retry (or the next settlement of this payment) delivers it again.
   */
  async #commit(next: SettlementRecord, events: readonly DomainEvent[]): Promise<void> {
    // `next` is the loaded row spread by planTransition, so it still carries the version it was planned on.
    const planned = next as Partial<LedgerPayment>;
    const row = planned.version === undefined ? await this.#ledger.getPayment(next.paymentId) : undefined;
    const version = planned.version ?? row?.version ?? 0;
    const attempt = planned.attempt ?? row?.attempt ?? 1;
    const kind = planned.kind ?? row?.kind ?? 'hosted';
    const latest = events.at(-1)?.payment;
    const capturedAmount = latest?.capturedAmount ?? planned.capturedAmount ?? row?.capturedAmount ?? 0;
    const deliveries: PendingDelivery[] = events.map((event, index) => {
      const id = `${next.paymentId}:${version}:${index}`;
      const body: PaymentEvent = { ...event, id, attempt, kind };
      return { id, paymentId: next.paymentId, sequence: version * 10 + index, body: JSON.stringify(body) };
    });
    await this.#ledger.applySettlement(
      next.paymentId,
      { next, capturedAmount, expectedVersion: version },
      deliveries,
    );
    const customerKey = planned.customerKey ?? row?.customerKey;
    if (latest?.savedMethod && customerKey && MONEY_TAKEN.has(latest.status)) {
      await this.#keepSavedMethod(customerKey, latest);
    }
    // The pipeline always runs `load` first under the same lock, and `load` either handed over everything
    // queued earlier or threw (and nothing was committed). So the queue now holds exactly what this transaction
    // added, in this order: deliver it without reading the queue a second time.
    await this.#deliver(next.paymentId, deliveries);
  }

  async #keepSavedMethod(customerKey: string, payment: Payment): Promise<void> {
    const method = payment.savedMethod;
    if (!method) return;
    await this.#ledger.saveMethod({
      id: `pm_${randomUUID()}`,
      customerKey,
      token: method.token,
      brand: method.brand,
      last4: method.last4,
      expiryMonth: method.expiryMonth,
      expiryYear: method.expiryYear,
      holderName: method.holderName,
      sourcePaymentId: payment.id,
    });
  }

  async #deliverPending(paymentId: string): Promise<void> {
    await this.#deliver(paymentId, await this.#ledger.pendingDeliveries(paymentId));
  }

  /** Hand queued events to the store's handlers in order, marking each delivered once its handler returned. */
  async #deliver(paymentId: string, deliveries: readonly PendingDelivery[]): Promise<void> {
    for (const delivery of deliveries) {
      const event = reviveEvent(delivery.body);
      const handler = this.#on[event.type];
      if (handler) {
        try {
          await handler(event);
        } catch (error) {
          this.#logger.error(
            { orderId: event.orderId, paymentId, eventType: event.type, err: error },
            'store event handler failed; the event stays queued',
          );
          throw new StoreCallbackError(event.type, event.orderId, error);
        }
      }
      await this.#ledger.markDelivered(delivery.id);
      this.#logger.info(
        { orderId: event.orderId, paymentId, eventType: event.type, amount: event.amount },
        'payment event',
      );
    }
  }

  // ---------------------------------------------------------------------------------------------- admin

  /** Capture a held payment, in full or (where the gateway allows) in part. */
  async capture(orderId: string, amount?: number): Promise<LedgerPayment> {
    const held = await this.#attemptIn(
      orderId,
      ['authorized'],
      'Nothing is held for this order',
      'nothing_to_capture',
    );
    if (amount !== undefined) assertMinorUnits(amount, 'capture amount');
    return this.#withAdminLock(held.paymentId, async () => {
      const payment = await this.#driver.capture(held.paymentId, amount, {
        idempotencyKey: `capture:${held.paymentId}:${amount ?? 'full'}`,
      });
      await this.#settleAfter('capture', () => this.pipeline.settleWithPayment(payment));
      return this.#reload(held);
    });
  }

  /** Let a hold go: the buyer is not charged. */
  async release(orderId: string): Promise<LedgerPayment> {
    const held = await this.#attemptIn(
      orderId,
      ['authorized'],
      'Nothing is held for this order',
      'nothing_to_release',
    );
    return this.#withAdminLock(held.paymentId, async () => {
      const payment = await this.#driver.release(held.paymentId, {
        idempotencyKey: `release:${held.paymentId}`,
      });
      await this.#settleAfter('release', () => this.pipeline.settleWithPayment(payment));
      return this.#reload(held);
    });
  }

  /**
   * Refund all or part of what was captured. Refused with RefundLimitError, before anything is written or sent,
   * when the amount is more than what is left. The refund row is written before the gateway call and its id is
   * the idempotency key, so a retry or a double submit never refunds twice.
   */
  async refund(orderId: string, request: RefundRequest = {}): Promise<LedgerRefund> {
    const paid = await this.#attemptIn(
      orderId,
      [...REFUNDABLE, 'refunded'],
      'Nothing was paid for this order',
      'nothing_to_refund',
    );
    if (request.amount !== undefined) assertMinorUnits(request.amount, 'refund amount');
    const refundId = request.refundId ?? `re_${randomUUID()}`;
    if (typeof refundId !== 'string' || !/^[A-Za-z0-9_.:-]{1,100}$/.test(refundId)) {
      throw new InvalidRequestError('refundId must be 1–100 letters, digits, or _ . : -', {
        code: 'invalid_refund_id',
      });
    }
    return this.#withAdminLock(paid.paymentId, async () => {
      const existing = await this.#ledger.getRefund(refundId);
      if (existing) {
        if (
          existing.paymentId !== paid.paymentId ||
          (request.amount !== undefined && request.amount !== existing.amount)
        ) {
          throw new InvalidRequestError(`Refund ${refundId} already exists with other terms`, {
            code: 'refund_id_reused',
          });
        }
        return existing.status === 'pending' ? this.#sendRefund(paid, existing) : existing;
      }
      // Refunds whose outcome was unknown are driven to an answer first: they count against what is left.
      for (const pending of (await this.#ledger.listRefunds(paid.paymentId)).filter(
        (r) => r.status === 'pending',
      )) {
        await this.#sendRefund(paid, pending).catch((error: unknown) => {
          this.#logger.warn({ refundId: pending.id, err: error }, 'an earlier refund is still unresolved');
        });
      }
      const refundable = await this.#refundable(paid);
      const amount = request.amount ?? refundable;
      if (amount <= 0 || amount > refundable) {
        throw new RefundLimitError({ requested: amount, refundable, currency: paid.currency });
      }
      await this.#ledger.insertRefund({
        id: refundId,
        paymentId: paid.paymentId,
        orderId,
        amount,
        currency: paid.currency,
        ...(request.reason ? { reason: request.reason } : {}),
      });
      const row = (await this.#ledger.getRefund(refundId)) as LedgerRefund;
      return this.#sendRefund(paid, row);
    });
  }

  /** What is left to refund: the smaller of the ledger's view and the gateway's, counting unresolved refunds. */
  async #refundable(paid: LedgerPayment): Promise<number> {
    const refunds = await this.#ledger.listRefunds(paid.paymentId);
    const committed = refunds.filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.amount, 0);
    const gateway = await this.#driver.retrievePayment(paid.paymentId);
    const captured = gateway.capturedAmount || paid.capturedAmount || paid.amount;
    return Math.max(0, Math.min(captured - committed, gateway.refundableAmount));
  }

  async #sendRefund(paid: LedgerPayment, refund: LedgerRefund): Promise<LedgerRefund> {
    try {
      const result = await this.#driver.refund(
        paid.paymentId,
        { amount: refund.amount, reference: refund.id },
        { idempotencyKey: `refund:${refund.id}` },
      );
      await this.#ledger.updateRefund(refund.id, {
        status: result.status === 'failed' ? 'failed' : result.status === 'pending' ? 'pending' : 'succeeded',
        gatewayRefundId: result.id,
      });
    } catch (error) {
      if (!outcomeUnknown(error)) {
        const failure = error instanceof TijaraError ? error.message : 'The gateway refused the refund';
        await this.#ledger.updateRefund(refund.id, { status: 'failed', failure });
      }
      throw error;
    }
    await this.#settleAfter('refund', () => this.pipeline.settlePayment(paid.paymentId, 'admin'));
    return (await this.#ledger.getRefund(refund.id)) as LedgerRefund;
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
    statuses: readonly PaymentStatus[],
    message: string,
    code: string,
  ): Promise<LedgerPayment> {
    const attempts = await this.#ledger.listPayments(orderId);
    if (attempts.length === 0) throw new NoPaymentError(orderId, `Order ${orderId} has no payment`, code);
    const found = [...attempts].reverse().find((p) => statuses.includes(p.status));
    if (!found) throw new NoPaymentError(orderId, message, code);
    return found;
  }

  async #reload(payment: LedgerPayment): Promise<LedgerPayment> {
    return (await this.#ledger.getPayment(payment.paymentId)) ?? payment;
  }

  #withAdminLock<T>(paymentId: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.withLock(`express:admin:${paymentId}`, ADMIN_LOCK_TTL_MS, fn, { waitMs: 20_000 });
  }

  // ------------------------------------------------------------------------------------- saved methods

  listSavedMethods(customerKey: string): Promise<LedgerSavedMethod[]> {
    return this.#ledger.listSavedMethods(customerKey);
  }

  /**
   * Detach a saved card at the gateway and forget it. With `customerKey`, only that customer's card is touched
   * (for a buyer-facing "remove card" button).
   */
  async deleteSavedMethod(methodId: string, customerKey?: string): Promise<void> {
    const method = await this.#ledger.getSavedMethod(methodId);
    if (!method || (customerKey !== undefined && method.customerKey !== customerKey)) {
      throw new NotFoundError('This saved card was not found', { code: 'saved_method_not_found' });
    }
    try {
      await this.#driver.deleteSavedMethod(method.token, { idempotencyKey: `delete-method:${method.id}` });
    } catch (error) {
      // Already gone at the gateway: what matters is that the store forgets it too.
      if (!(error instanceof NotFoundError || error instanceof InvalidSavedMethodError)) throw error;
    }
    await this.#ledger.deleteSavedMethod(method.id);
  }

  // ---------------------------------------------------------------------------------------------- queries

  listPayments(orderId: string): Promise<LedgerPayment[]> {
    return this.#ledger.listPayments(orderId);
  }

  async listRefunds(orderId: string): Promise<LedgerRefund[]> {
    const out: LedgerRefund[] = [];
    for (const payment of await this.#ledger.listPayments(orderId))
      out.push(...(await this.#ledger.listRefunds(payment.paymentId)));
    return out;
  }

  /** Re-read every attempt of the order that could still change and settle it. */
  async settleOrder(orderId: string): Promise<LedgerPayment[]> {
    for (const payment of await this.#ledger.listPayments(orderId)) {
      if (CLOSED.has(payment.status) || payment.status === 'refunded') continue;
      await this.pipeline.settlePayment(payment.paymentId, 'admin');
    }
    return this.#ledger.listPayments(orderId);
  }

  reconcile(): Promise<SweepReport> {
    return this.reconciler.sweep();
  }
}

function captureOf(order: StoreOrder) {
  return order.capture ?? 'automatic';
}

function customerOf(order: StoreOrder) {
  const { email, name, phone } = order.customer;
  return { email, ...(name ? { name } : {}), ...(phone ? { phone } : {}) };
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

function reviveEvent(body: string): PaymentEvent {
  const event = JSON.parse(body) as PaymentEvent & {
    payment: Payment & { createdAt?: string; updatedAt?: string };
  };
  const payment = event.payment;
  return {
    ...event,
    payment: {
      ...payment,
      ...(payment.createdAt ? { createdAt: new Date(payment.createdAt) } : {}),
      ...(payment.updatedAt ? { updatedAt: new Date(payment.updatedAt) } : {}),
    },
  };
}
