import { randomBytes } from 'node:crypto';
import {
  createCheckoutRequestSchema,
  createRefundRequestSchema,
  ORDER_LIST,
  REFUND_LIST,
  TRANSACTION_LIST,
  type OrderStatus,
} from '@tijara/postpay';
import type { SandboxClock } from '../../engine/clock.js';
import type { ObjectStore } from '../../engine/database.js';
import { errors, nestedFields, PostpayApiError } from './api-errors.js';
import { cardOutcome } from './cards.js';
import type { PostpayConfig } from './config.js';
import { settledAmount } from './fees.js';
import type { HookService } from './hooks.js';
import { applyListQuery, listPage, pageBody, type Accessors } from './list-query.js';
import {
  isoMicros,
  orderDetail,
  orderSummary,
  refundView,
  transactionView,
  type OrderRecord,
  type RefundRecord,
  type TransactionRecord,
} from './model.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const DAY_MS = 86_400_000;

/** The first midnight UTC after `ms`: when the payout cycle pays a settlement line. */
const nextMidnight = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS + DAY_MS;

/** What the buyer does on the hosted checkout (or the control API does for them). */
export type BuyerAction = 'approve' | 'deny' | 'cancel';

const ORDER_ACCESSORS: Accessors<OrderRecord> = {
  order_id: (o) => o.id,
  status: (o) => o.status,
  total_amount: (o) => o.total_amount,
  currency: (o) => o.currency,
  created: (o) => new Date(o.created_ms),
};
const REFUND_ACCESSORS: Accessors<RefundRecord> = {
  refund_id: (r) => r.refund_id,
  description: (r) => r.description,
  amount: (r) => r.amount,
  created: (r) => new Date(r.created_ms),
};
const TRANSACTION_ACCESSORS: Accessors<TransactionRecord> = {
  id: (t) => t.id,
  type: (t) => t.type,
  amount: (t) => t.amount,
  currency: (t) => t.currency,
  created: (t) => new Date(t.created_ms),
  paid: (t) => (t.paid_ms === null ? null : new Date(t.paid_ms)),
};

export interface OrderServiceDeps {
  readonly store: ObjectStore;
  readonly clock: SandboxClock;
  readonly config: PostpayConfig;
  readonly hooks: HookService;
}

/**
 * Checkouts, orders, refunds and settlement lines, with seed 003's rules: an order is `pending` until the buyer
 * approves (or is denied, or cancels) on the hosted page; an approval is captured by the merchant within the
 * capture window or expires; refunds of a captured order never exceed what was captured, each under the
 * merchant's own refund id; every capture and refund adds a settlement line, paid at the next payout cycle.
 */
export class OrderService {
  readonly #store: ObjectStore;
  readonly #clock: SandboxClock;
  readonly #config: PostpayConfig;
  readonly #hooks: HookService;
  /** Earliest instant something falls due; undefined when nothing is scheduled, null when it must be recomputed. */
  #due: number | undefined | null = null;

  constructor(deps: OrderServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#config = deps.config;
    this.#hooks = deps.hooks;
  }

  // --- checkouts ---------------------------------------------------------------------------------------------

  createCheckout(body: unknown, gatewayUrl: string): Record<string, unknown> {
    const parsed = createCheckoutRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw errors.invalid(nestedFields(parsed.error.issues));
    const checkout = parsed.data;
    const now = this.#clock.nowMs();
    const order: OrderRecord = {
      id: checkout.order_id,
      status: 'pending',
      created_ms: now,
      status_changed_ms: now,
      total_amount: checkout.total_amount,
      tax_amount: checkout.tax_amount,
      currency: checkout.currency,
      checkout,
      token: hex(16),
      token_expires_ms: now + this.#config.checkoutTtlMs,
      approved_ms: null,
      capture_declines: false,
      refunded: 0,
    };
    this.#store.transaction(() => {
      if (this.#store.get('order', order.id))
        throw errors.conflict('There is already an order with this ID.');
      this.#save(order);
    });
    return {
      token: order.token,
      expires: isoMicros(order.token_expires_ms),
      redirect_url: `${gatewayUrl}/checkout/${order.token}`,
    };
  }

  byToken(token: string): OrderRecord | undefined {
    return this.#store.list<OrderRecord>('order', { '$.token': token })[0];
  }

  /** Whether the buyer can still act on this checkout. */
  isOpen(order: OrderRecord): boolean {
    return order.status === 'pending' && this.#clock.nowMs() < order.token_expires_ms;
  }

  /**
   * The buyer's decision on a checkout; answers where the buyer is sent: `confirmation_url` with
   * `status=APPROVED`, or `cancel_url` with `DENIED` / `CANCELLED`, each with the `order_id`.
   */
  decide(
    token: string,
    action: BuyerAction,
    card?: string,
  ): { order: OrderRecord; redirectUrl: string | undefined } {
    return this.#store.transaction(() => {
      const order = this.byToken(token);
      if (!order) throw errors.notFound('No checkout with this token.');
      this.#expireIfDue(order);
      if (order.status === 'expired') throw new PostpayApiError(410, 'expired', 'The checkout has expired.');
      if (order.status !== 'pending') {
        throw errors.conflict(`The checkout was already ${order.status}.`);
      }
      let status: OrderStatus = action === 'cancel' ? 'cancelled' : 'denied';
      if (action === 'approve') {
        const outcome = cardOutcome(card ?? '4111111111111111');
        if (outcome === undefined) throw errors.invalid({ card: ['Enter a valid card number.'] });
        if (outcome !== 'deny') {
          status = 'approved';
          order.approved_ms = this.#clock.nowMs();
          order.capture_declines = outcome === 'approve_capture_declines';
        }
      }
      this.#move(order, status);
      return { order, redirectUrl: this.returnUrl(order) };
    });
  }

  /** Where the buyer goes back to after deciding, or undefined when the checkout named no merchant URLs. */
  returnUrl(order: OrderRecord): string | undefined {
    const merchant = order.checkout.merchant;
    if (!merchant) return undefined;
    const approved = order.status === 'approved' || order.status === 'captured';
    const target = new URL(approved ? merchant.confirmation_url : merchant.cancel_url);
    target.searchParams.set('order_id', order.id);
    target.searchParams.set(
      'status',
      approved ? 'APPROVED' : order.status === 'denied' ? 'DENIED' : 'CANCELLED',
    );
    return target.href;
  }

  // --- orders ------------------------------------------------------------------------------------------------

  get(orderId: string): OrderRecord {
    const order = this.#store.get<OrderRecord>('order', orderId);
    if (!order) throw errors.notFound();
    return order;
  }

  detail(orderId: string): Record<string, unknown> {
    return orderDetail(this.get(orderId));
  }

  list(query: URLSearchParams, url: URL): Record<string, unknown> {
    const all = this.#store.list<OrderRecord>('order');
    const page = listPage(() => applyListQuery(all, query, ORDER_LIST, ORDER_ACCESSORS, '-created'));
    return pageBody(page, url, orderSummary);
  }

  /**
   * Finalise an approved order: 409 `invalid_status` unless approved, 410 `expired` once the window has passed,
   * 402 `capture_error` when the buyer's instalment payment is declined (the order is then denied).
   */
  capture(orderId: string): Record<string, unknown> {
    const result = this.#store.transaction(() => {
      const order = this.get(orderId);
      this.#expireIfDue(order);
      if (order.status === 'expired' && order.approved_ms !== null) return errors.expired();
      if (order.status !== 'approved') return errors.invalidStatus('approved');
      if (order.capture_declines) {
        this.#move(order, 'denied');
        return errors.captureDeclined();
      }
      this.#move(order, 'captured');
      this.#settle(order, 'order', order.total_amount, '');
      return order;
    });
    if (result instanceof PostpayApiError) throw result;
    return orderDetail(result);
  }

  // --- refunds -----------------------------------------------------------------------------------------------

  refunds(orderId: string, query: URLSearchParams, url: URL): Record<string, unknown> {
    this.get(orderId);
    const all = this.#store.list<RefundRecord>('refund', { '$.order_id': orderId });
    const page = listPage(() => applyListQuery(all, query, REFUND_LIST, REFUND_ACCESSORS, '-created'));
    return pageBody(page, url, refundView);
  }

  refund(orderId: string, refundId: string): Record<string, unknown> {
    this.get(orderId);
    const refund = this.#store.get<RefundRecord>('refund', `${orderId}/${refundId}`);
    if (!refund) throw errors.notFound();
    return refundView(refund);
  }

  /**
   * A refund under the merchant's id: the whole rest when `amount` is left out. Seed 003's request example spells
   * the id `refundId` while its table says `refund_id`; both are read, `refund_id` first.
   */
  createRefund(orderId: string, body: unknown): Record<string, unknown> {
    const input = { ...(body as Record<string, unknown> | undefined) };
    if (input.refund_id === undefined && typeof input.refundId === 'string') input.refund_id = input.refundId;
    delete input.refundId;
    const parsed = createRefundRequestSchema.safeParse(input);
    const result = this.#store.transaction(() => {
      const order = this.get(orderId);
      if (!parsed.success) return errors.invalid(nestedFields(parsed.error.issues));
      if (order.status !== 'captured') return errors.invalidStatus('captured');
      const { refund_id: refundId, amount, description } = parsed.data;
      const id = `${orderId}/${refundId}`;
      if (this.#store.get('refund', id)) return errors.conflict('There is already a refund with this ID.');
      const left = order.total_amount - order.refunded;
      const value = amount ?? left;
      if (value <= 0 || value > left) return errors.limitExceeded();
      const refund: RefundRecord = {
        id,
        order_id: orderId,
        refund_id: refundId,
        amount: value,
        full: amount === undefined || value === order.total_amount,
        description: description ?? '',
        created_ms: this.#clock.nowMs(),
      };
      this.#store.put('refund', refund);
      order.refunded += value;
      this.#save(order);
      this.#settle(order, 'refund', -value, refund.description);
      return refund;
    });
    if (result instanceof PostpayApiError) throw result;
    return refundView(result);
  }

  // --- settlement ----------------------------------------------------------------------------------------------

  transactions(query: URLSearchParams, url: URL): Record<string, unknown> {
    const all = this.#store.list<TransactionRecord>('transaction');
    const page = listPage(() =>
      applyListQuery(all, query, TRANSACTION_LIST, TRANSACTION_ACCESSORS, '-created'),
    );
    return pageBody(page, url, (t) => transactionView(t, this.#store.get<OrderRecord>('order', t.order_id)));
  }

  transaction(id: string): Record<string, unknown> {
    const transaction = this.#store.get<TransactionRecord>('transaction', id);
    if (!transaction) throw errors.notFound();
    return transactionView(transaction, this.#store.get<OrderRecord>('order', transaction.order_id));
  }

  /** Pay every unpaid settlement line now (the control API's payout cycle). */
  payOut(): number {
    const now = this.#clock.nowMs();
    return this.#store.transaction(() => {
      const unpaid = this.#unpaid();
      for (const transaction of unpaid) this.#pay(transaction, now);
      return unpaid.length;
    });
  }

  // --- time ----------------------------------------------------------------------------------------------------

  nextDueMs(): number | undefined {
    if (this.#due !== null) return this.#due;
    let due: number | undefined;
    const earliest = (ms: number) => {
      if (due === undefined || ms < due) due = ms;
    };
    for (const order of this.#store.list<OrderRecord>('order', { '$.status': 'pending' }))
      earliest(order.token_expires_ms);
    for (const order of this.#store.list<OrderRecord>('order', { '$.status': 'approved' })) {
      earliest((order.approved_ms ?? order.status_changed_ms) + this.#config.captureWindowMs);
    }
    for (const transaction of this.#unpaid()) earliest(nextMidnight(transaction.created_ms));
    this.#due = due;
    return due;
  }

  /** Expire checkouts and approvals whose time is up; pay settlement lines whose payout cycle came. */
  runDue(): void {
    const now = this.#clock.nowMs();
    this.#store.transaction(() => {
      for (const status of ['pending', 'approved'] as const) {
        for (const order of this.#store.list<OrderRecord>('order', { '$.status': status }))
          this.#expireIfDue(order);
      }
      for (const transaction of this.#unpaid()) {
        const payday = nextMidnight(transaction.created_ms);
        if (payday <= now) this.#pay(transaction, payday);
      }
    });
    this.#due = null;
  }

  reset(): void {
    this.#due = null;
  }

  #expireIfDue(order: OrderRecord): void {
    const now = this.#clock.nowMs();
    if (order.status === 'pending' && now >= order.token_expires_ms) this.#move(order, 'expired');
    if (order.status === 'approved' && now >= (order.approved_ms ?? 0) + this.#config.captureWindowMs) {
      this.#move(order, 'expired');
    }
  }

  #move(order: OrderRecord, status: OrderStatus): void {
    order.status = status;
    order.status_changed_ms = this.#clock.nowMs();
    this.#save(order);
    this.#hooks.emit('order', `order.${status}`, order.id, orderSummary(order));
  }

  #save(order: OrderRecord): void {
    this.#store.put('order', order);
    this.#due = null;
  }

  /** A settlement line: an order pays out less the fees; a refund takes its amount back, fee-free. */
  #settle(order: OrderRecord, type: 'order' | 'refund', amount: number, description: string): void {
    const fees = type === 'order' ? this.#config.fees : { feeAmount: 0, feeRate: 0, feeTaxRate: 0 };
    const transaction: TransactionRecord = {
      id: hex(16),
      type,
      order_id: order.id,
      currency: order.currency,
      amount,
      fee_amount: fees.feeAmount,
      fee_rate: fees.feeRate,
      fee_tax_rate: fees.feeTaxRate,
      total_amount: type === 'order' ? settledAmount(amount, fees) : amount,
      description,
      created_ms: this.#clock.nowMs(),
      paid_ms: null,
    };
    this.#store.put('transaction', transaction);
    this.#due = null;
    this.#hooks.emit(
      'transaction',
      `transaction.${type}`,
      transaction.id,
      transactionView(transaction, order),
    );
  }

  /** JSON null never equals anything in SQL, so unpaid lines are picked here rather than in the query. */
  #unpaid(): TransactionRecord[] {
    return this.#store.list<TransactionRecord>('transaction').filter((t) => t.paid_ms === null);
  }

  #pay(transaction: TransactionRecord, at: number): void {
    transaction.paid_ms = at;
    this.#store.put('transaction', transaction);
    this.#due = null;
  }
}
