import type { SandboxClock } from '../../engine/clock.js';
import type { MetaStore, ObjectStore } from '../../engine/database.js';
import type { GatewayUrls } from '../../engine/gateway-module.js';
import { newId } from '../../engine/ids.js';
import { ApiError, badRequest, cardError, conflict, fieldError, notFound } from './api-errors.js';
import {
  checkCard,
  checkSavedCard,
  describeCard,
  type CardInput,
  type Decline,
  type SavedCard,
} from './cards.js';
import type { ClientService } from './clients.js';
import type { UmmahConfig } from './config.js';
import type { UmmahEvents } from './events.js';
import {
  AWAITING_PAYMENT,
  buildPurchaseDetails,
  CAPTURED_STATUSES,
  clientDetails,
  type ArmedDelay,
  type ClientDetails,
  type DelayedAction,
  type ScheduledStep,
  type CreatePurchaseBody,
  type PaymentDetails,
  type Purchase,
  type PurchaseCreateOptions,
  type PurchaseRecord,
  type RefundObject,
  type TransactionAttempt,
} from './purchase-model.js';
import type { Ledger } from './reporting.js';

export interface ChallengeRecord {
  id: string;
  purchase_id: string;
  card: SavedCard;
  remember_card: boolean;
  flow: string;
  status: 'pending' | 'completed';
  created_on: number;
}

export type PaymentOutcome =
  | { kind: 'succeeded'; record: PurchaseRecord }
  /** The payment was accepted and is processing (`pending_execute`); the outcome comes on the clock. */
  | { kind: 'pending'; record: PurchaseRecord }
  | { kind: 'failed'; record: PurchaseRecord; decline: Decline }
  | { kind: 'challenge'; record: PurchaseRecord; challenge: ChallengeRecord };

function issuedDate(nowSeconds: number, timezone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(new Date(nowSeconds * 1000));
  } catch {
    return new Date(nowSeconds * 1000).toISOString().slice(0, 10);
  }
}

const HOLD: ReadonlySet<string> = new Set(['hold']);

/** Where each later-life status may be reached from. */
export const LATER_LIFE_FROM: Readonly<Record<'clear' | 'settle' | 'chargeback', ReadonlySet<string>>> = {
  clear: new Set(['paid']),
  settle: new Set(['paid', 'cleared']),
  chargeback: CAPTURED_STATUSES,
};

const FORCED_DECLINE: Decline = {
  code: 'card_declined',
  message: 'The card was declined by the issuing bank.',
  declineCode: 'generic_decline',
};

/**
 * The purchase status machine of seeds 000/004:
 * created → (sent/viewed) → paid | hold | preauthorized | error; error → paid (another attempt);
 * hold → capture (≤ held) → paid; hold → release → released; awaiting → cancel → cancelled;
 * paid → refund (repeatable partials up to the captured total) → refunded;
 * paid → cleared → settled; paid/cleared/settled/refunded → chargeback.
 * An action armed through the control API goes through its `pending_*` status first (pending_execute,
 * pending_charge, pending_capture, pending_release, pending_refund) and completes on the sandbox clock.
 * Every method is synchronous so a transition can never interleave with another request.
 */
export class PurchaseService {
  /** Called after the buyer's payment settles a purchase (billing activates subscribers here). */
  readonly onPaid: Array<(record: PurchaseRecord) => void> = [];

  private readonly store: ObjectStore;
  private readonly meta: MetaStore;
  private readonly clock: SandboxClock;
  private readonly config: UmmahConfig;
  private readonly urls: GatewayUrls;
  private readonly clients: ClientService;
  private readonly ledger: Ledger;
  private readonly events: UmmahEvents;

  constructor(deps: {
    store: ObjectStore;
    meta: MetaStore;
    clock: SandboxClock;
    config: UmmahConfig;
    urls: GatewayUrls;
    clients: ClientService;
    ledger: Ledger;
    events: UmmahEvents;
  }) {
    this.store = deps.store;
    this.meta = deps.meta;
    this.clock = deps.clock;
    this.config = deps.config;
    this.urls = deps.urls;
    this.clients = deps.clients;
    this.ledger = deps.ledger;
    this.events = deps.events;
  }

  private now(): number {
    return this.clock.now();
  }

  create(body: CreatePurchaseBody, options: PurchaseCreateOptions): PurchaseRecord {
    const { config } = this;
    if (body.brand_id !== config.brandId) throw fieldError('brand_id', 'Object with this ID does not exist.');
    let client: ClientDetails;
    let clientId: string | null = null;
    if (body.client_id) {
      const stored = this.clients.find(body.client_id);
      if (!stored) throw fieldError('client_id', 'Object with this ID does not exist.');
      clientId = stored.id;
      // Seed 000's purchase shows `client.id`; CHIP's ClientDetails has none. Both readers are served.
      client = { id: clientId, ...clientDetails(stored) };
    } else {
      client = { id: null, ...clientDetails((body.client ?? {}) as Record<string, unknown>) };
    }
    const details = buildPurchaseDetails(body.purchase, config.currency);
    const now = this.now();
    const id = newId();
    const seq = Number(this.meta.get('purchase_seq') ?? '1000') + 1;
    this.meta.set('purchase_seq', String(seq));
    const base = options.baseUrl;
    const object: Purchase = {
      id,
      type: 'purchase',
      status: 'created',
      status_history: [{ status: 'created', timestamp: now }],
      created_on: now,
      updated_on: now,
      viewed_on: null,
      brand_id: config.brandId,
      company_id: config.companyId,
      client_id: clientId,
      client,
      purchase: details,
      payment: null,
      issuer_details: {
        website: 'https://sandbox.tijara.invalid',
        legal_name: config.companyName,
        brand_name: config.brandName,
        legal_street_address: '',
        legal_country: '',
        legal_city: '',
        legal_zip_code: '',
        bank_accounts: [],
        registration_number: '',
        tax_number: '',
      },
      transaction_data: { payment_method: '', flow: '', extra: {}, country: '', attempts: [] },
      is_test: true,
      user_id: null,
      billing_template_id: options.billingTemplateId ?? null,
      send_receipt: body.send_receipt ?? false,
      is_recurring_token: false,
      recurring_token: null,
      skip_capture: body.skip_capture ?? false,
      force_recurring: body.force_recurring ?? false,
      reference: body.reference ?? '',
      reference_generated: `#${seq}`,
      issued: body.issued ?? issuedDate(now, details.timezone),
      due: body.due ?? null,
      refund_availability: 'none',
      refundable_amount: 0,
      currency_conversion: null,
      payment_method_whitelist: body.payment_method_whitelist ?? null,
      success_redirect: body.success_redirect ?? null,
      failure_redirect: body.failure_redirect ?? null,
      cancel_redirect: body.cancel_redirect ?? null,
      success_callback: body.success_callback ?? null,
      creator_agent: body.creator_agent ?? '',
      platform: body.platform ?? 'api',
      product: options.product ?? 'purchases',
      created_from_ip: options.createdFromIp ?? null,
      checkout_url: `${base}/checkout/${id}/`,
      invoice_url: `${base}/invoice/${id}/`,
      direct_post_url:
        body.success_redirect && body.failure_redirect ? `${base}/checkout/${id}/direct_post/` : null,
      marked_as_paid: false,
      order_id: null,
    };
    const record: PurchaseRecord = {
      id,
      object,
      held: 0,
      captured: 0,
      refunded: 0,
      card: null,
      subscriber_id: options.subscriberId ?? null,
    };
    this.save(record);
    this.emit('purchase.created', record);
    return record;
  }

  /** The purchase, with `overdue`/`expired` applied if its due date passed on the sandbox clock. */
  get(id: string): PurchaseRecord {
    const record = this.find(id);
    if (!record) throw notFound();
    return this.applyDue(record);
  }

  find(id: string): PurchaseRecord | undefined {
    const record = this.store.get<PurchaseRecord>('purchase', id);
    return record && this.relink(record);
  }

  list(): PurchaseRecord[] {
    return this.store.list<PurchaseRecord>('purchase').map((record) => this.relink(record));
  }

  /** A sandbox restarted on another address hands out links that work there (a file DB outlives ports). */
  private relink(record: PurchaseRecord): PurchaseRecord {
    const base = this.urls.publicUrl;
    const object = record.object;
    if (!base || object.checkout_url.startsWith(`${base}/checkout/`)) return record;
    const rebase = (url: string) => url.replace(/^.*?(\/(checkout|invoice)\/)/, `${base}$1`);
    object.checkout_url = rebase(object.checkout_url);
    object.invoice_url = rebase(object.invoice_url);
    if (object.direct_post_url) object.direct_post_url = rebase(object.direct_post_url);
    this.save(record);
    return record;
  }

  private applyDue(record: PurchaseRecord): PurchaseRecord {
    const { due } = record.object;
    if (due === null || !AWAITING_PAYMENT.has(record.object.status) || record.object.status === 'overdue') {
      return record;
    }
    if (this.now() <= due) return record;
    this.setStatus(record, record.object.purchase.due_strict ? 'expired' : 'overdue');
    this.save(record);
    return record;
  }

  /** Apply due dates to every awaiting purchase (run when the clock moves). */
  refreshDue(): void {
    for (const record of this.store.list<PurchaseRecord>('purchase')) {
      if (record.object.due !== null && AWAITING_PAYMENT.has(record.object.status)) this.applyDue(record);
    }
  }

  markViewed(id: string): PurchaseRecord {
    const record = this.get(id);
    const { status } = record.object;
    if (record.object.viewed_on === null) record.object.viewed_on = this.now();
    if (status === 'created' || status === 'sent') {
      this.setStatus(record, 'viewed');
      this.save(record);
      this.emit('purchase.viewed', record);
    } else {
      this.save(record);
    }
    return record;
  }

  cancel(id: string): PurchaseRecord {
    const record = this.get(id);
    this.requireStatus(record, AWAITING_PAYMENT, 'cancel');
    this.setStatus(record, 'cancelled');
    this.save(record);
    this.emit('purchase.cancelled', record);
    return record;
  }

  release(id: string): PurchaseRecord {
    const record = this.get(id);
    this.requireStatus(record, HOLD, 'release');
    const delay = this.takeDelay(record, 'release');
    return delay ? this.goPending(record, 'release', delay) : this.finishRelease(record);
  }

  private finishRelease(record: PurchaseRecord): PurchaseRecord {
    record.held = 0;
    this.setStatus(record, 'released');
    this.save(record);
    this.emit('purchase.released', record);
    return record;
  }

  capture(id: string, amount: number | undefined): PurchaseRecord {
    const record = this.get(id);
    this.requireStatus(record, HOLD, 'capture');
    const toCapture = amount ?? record.held;
    if (toCapture > record.held) {
      throw fieldError('amount', `Ensure this value is less than or equal to ${record.held}.`);
    }
    const delay = this.takeDelay(record, 'capture');
    if (delay) return this.goPending(record, 'capture', delay, { amount: toCapture });
    return this.finishCapture(record, toCapture);
  }

  private finishCapture(record: PurchaseRecord, toCapture: number): PurchaseRecord {
    record.captured = toCapture;
    record.held = 0;
    const payment = record.object.payment;
    if (payment) {
      payment.amount = toCapture;
      payment.net_amount = toCapture;
      payment.paid_on = this.now();
      payment.remote_paid_on = this.now();
    }
    this.setStatus(record, 'paid');
    this.updateRefundable(record);
    this.save(record);
    this.ledger.record('purchase', record, toCapture);
    this.emit('purchase.captured', record);
    return record;
  }

  refund(id: string, amount: number | undefined, reference: string | undefined): RefundObject {
    const record = this.get(id);
    this.requireStatus(record, CAPTURED_STATUSES, 'refund');
    if (record.object.marked_as_paid && record.captured === 0) {
      throw conflict('A purchase marked as paid offline has no card payment to refund.', 'not_refundable');
    }
    const refundable = record.captured - record.refunded - (record.charged_back ?? 0);
    if (refundable <= 0) throw conflict('This purchase has already been fully refunded.', 'already_refunded');
    const toRefund = amount ?? refundable;
    if (toRefund > refundable) {
      throw fieldError('amount', `Ensure this value is less than or equal to ${refundable}.`);
    }
    const delay = this.takeDelay(record, 'refund');
    const now = this.now();
    const refund: RefundObject = {
      id: newId(),
      type: 'payment',
      payment_type: 'refund',
      is_outgoing: true,
      status: delay ? 'pending' : 'refunded',
      amount: toRefund,
      net_amount: toRefund,
      fee_amount: 0,
      currency: record.object.purchase.currency,
      purchase: record.id,
      related_to: { type: 'purchase', id: record.id },
      method: 'card',
      reference: reference ?? null,
      description: `Refund of purchase ${record.object.reference_generated}`,
      is_test: true,
      paid_on: now,
      company_id: this.config.companyId,
      brand_id: this.config.brandId,
      created_on: now,
      updated_on: now,
    };
    // The amount is spoken for at once, so a second refund cannot exceed the total while the first processes.
    record.refunded += toRefund;
    this.updateRefundable(record);
    if (!delay) return this.finishRefund(record, refund);
    this.store.put('refund', refund);
    this.goPending(record, 'refund', delay, { amount: toRefund, refund_id: refund.id }, refund);
    return refund;
  }

  private finishRefund(record: PurchaseRecord, refund: RefundObject): RefundObject {
    const now = this.now();
    refund.status = 'refunded';
    refund.paid_on = now;
    refund.updated_on = now;
    this.setStatus(record, 'refunded', { type: 'payment', id: refund.id });
    this.updateRefundable(record);
    this.store.transaction(() => {
      this.store.put('refund', refund);
      this.save(record);
      this.ledger.record('refund', record, -refund.amount, refund);
    });
    this.emit('purchase.refunded', record);
    this.events.emit('payment.refunded', refund, { type: 'payment', id: refund.id });
    return refund;
  }

  markAsPaid(id: string, paidOn: number | undefined): PurchaseRecord {
    const record = this.get(id);
    this.requireStatus(record, new Set([...AWAITING_PAYMENT, 'expired']), 'mark as paid');
    const when = paidOn ?? this.now();
    record.object.marked_as_paid = true;
    record.object.payment = this.paymentDetails(record, record.object.purchase.total, when, 'offline', false);
    this.setStatus(record, 'paid');
    this.updateRefundable(record);
    this.save(record);
    this.emit('purchase.paid', record);
    return record;
  }

  resendInvoice(id: string): { status: 'sent' } {
    const record = this.get(id);
    if (record.object.status === 'cancelled') {
      throw conflict('Cannot send the invoice of a cancelled purchase.', 'invalid_status');
    }
    if (record.object.status === 'created') {
      this.setStatus(record, 'sent');
      this.save(record);
    }
    return { status: 'sent' };
  }

  deleteRecurringToken(id: string): { status: 'deleted' } {
    const record = this.get(id);
    if (!record.object.is_recurring_token) {
      throw conflict('This purchase has no recurring token to delete.', 'no_recurring_token');
    }
    this.revokeToken(record);
    return { status: 'deleted' };
  }

  /** Forget a saved card everywhere it is referenced (the purchase and the client's token list). */
  revokeToken(record: PurchaseRecord): void {
    this.clients.dropToken(record.id);
    if (!record.object.is_recurring_token) return;
    record.object.is_recurring_token = false;
    record.object.updated_on = this.now();
    this.save(record);
    this.emit('purchase.recurring_token_deleted', record);
  }

  /** The buyer pays by card: the one code path behind the checkout page, Direct Post and the control API. */
  attemptPayment(id: string, input: CardInput, rememberCard: boolean, flow: string): PaymentOutcome {
    const record = this.get(id);
    this.requirePayable(record);
    const check = checkCard(input, this.clock.nowMs());
    if (check.kind === 'invalid_input') throw badRequest(check.details);
    if (check.kind === 'decline') return this.fail(record, check.decline, check.card, flow, 'execute');
    if (check.kind === 'challenge') {
      const challenge: ChallengeRecord = {
        id: newId(),
        purchase_id: record.id,
        card: check.card,
        remember_card: rememberCard,
        flow,
        status: 'pending',
        created_on: this.now(),
      };
      this.store.put('challenge', challenge);
      return { kind: 'challenge', record, challenge };
    }
    return this.approve(record, check.card, rememberCard, flow);
  }

  /** The card was accepted: the payment completes now, or goes `pending_execute` when armed to. */
  private approve(
    record: PurchaseRecord,
    card: SavedCard,
    rememberCard: boolean,
    flow: string,
  ): PaymentOutcome {
    const delay = this.takeDelay(record, 'execute');
    if (!delay) return this.succeed(record, card, rememberCard, flow, 'execute');
    this.goPending(record, 'execute', delay, { card, remember_card: rememberCard, flow });
    return { kind: 'pending', record };
  }

  /** Direct Post treats malformed card fields as a failed payment attempt (there is no form to correct). */
  recordInvalidInput(id: string, details: Record<string, string[]>, flow: string): PaymentOutcome {
    const record = this.get(id);
    this.requirePayable(record);
    const message =
      Object.values(details).flat()[0] ?? 'Card number, expiry, or CVV is invalid or malformed.';
    return this.fail(record, { code: 'invalid_card', message }, null, flow, 'execute');
  }

  findChallenge(purchaseId: string, challengeId: string): ChallengeRecord {
    const challenge = this.store.get<ChallengeRecord>('challenge', challengeId);
    if (!challenge || challenge.purchase_id !== purchaseId) throw notFound();
    return challenge;
  }

  /** The 3-D Secure step: passing it completes the payment, failing it records a failed attempt. */
  completeChallenge(purchaseId: string, challengeId: string, passed: boolean): PaymentOutcome {
    const challenge = this.findChallenge(purchaseId, challengeId);
    if (challenge.status !== 'pending') throw conflict('This 3-D Secure challenge was already completed.');
    const record = this.get(purchaseId);
    this.requirePayable(record);
    challenge.status = 'completed';
    this.store.put('challenge', challenge);
    if (!passed) {
      const decline: Decline = {
        code: 'authentication_required',
        message: '3-D Secure authentication failed.',
        declineCode: 'authentication_failed',
      };
      return this.fail(record, decline, challenge.card, challenge.flow, 'execute');
    }
    return this.approve(record, challenge.card, challenge.remember_card, challenge.flow);
  }

  /**
   * `POST /purchases/{id}/charge/`: pay with the card saved on an earlier purchase, no buyer present.
   * A missing, unsaved or deleted token is `invalid_recurring_token` (400); a declined charge is a 402.
   */
  charge(id: string, token: string): PurchaseRecord {
    const record = this.get(id);
    this.requirePayable(record);
    const source = this.find(token);
    if (!source || !source.object.is_recurring_token || !source.card) {
      throw new ApiError(400, {
        error: 'invalid_recurring_token',
        message: 'The recurring token is invalid or has been deleted.',
        details: { recurring_token: ['Invalid recurring token.'] },
      });
    }
    const delay = this.takeDelay(record, 'charge');
    if (delay) {
      record.object.recurring_token = source.id;
      return this.goPending(record, 'charge', delay);
    }
    const outcome = this.chargeSaved(record, source);
    if (outcome.kind === 'failed') {
      throw cardError(outcome.decline.code, outcome.decline.message, outcome.decline.declineCode);
    }
    return outcome.record;
  }

  /** Charge a saved card (used by `charge/` and by subscription renewals); a dead token fails the attempt. */
  chargeSaved(record: PurchaseRecord, source: PurchaseRecord | undefined): PaymentOutcome {
    if (!source || !source.object.is_recurring_token || !source.card) {
      const decline: Decline = {
        code: 'invalid_recurring_token',
        message: 'The recurring token is invalid or has been deleted.',
      };
      return this.fail(record, decline, null, 'recurring', 'recurring_execute');
    }
    record.object.recurring_token = source.id;
    const card = source.card;
    const decline = checkSavedCard(card, this.clock.nowMs());
    if (decline) return this.fail(record, decline, card, 'recurring', 'recurring_execute');
    return this.succeed(record, card, false, 'recurring', 'recurring_execute');
  }

  /** Arm the purchase's next `action` to go through its `pending_*` status (control API). */
  arm(id: string, action: DelayedAction, delay: ArmedDelay): PurchaseRecord {
    const record = this.get(id);
    record.delays = { ...record.delays, [action]: delay };
    this.save(record);
    return record;
  }

  /** An armed delay is used once. */
  private takeDelay(record: PurchaseRecord, action: DelayedAction): ArmedDelay | undefined {
    const delay = record.delays?.[action];
    if (delay && record.delays) delete record.delays[action];
    return delay;
  }

  /** Into `pending_<action>`, with the step that completes it on the sandbox clock. */
  private goPending(
    record: PurchaseRecord,
    action: DelayedAction,
    delay: ArmedDelay,
    step: Partial<ScheduledStep> = {},
    related?: { id: string },
  ): PurchaseRecord {
    this.setStatus(record, `pending_${action}`, related ? { type: 'payment', id: related.id } : undefined);
    this.store.transaction(() => {
      this.save(record);
      this.schedule({ ...step, action, outcome: delay.outcome }, record.id, delay.seconds);
    });
    this.emit(`purchase.pending_${action}`, record);
    return record;
  }

  /** Keep a step for the clock to complete `seconds` from now. */
  schedule(
    step: Partial<ScheduledStep> & Pick<ScheduledStep, 'action'>,
    purchaseId: string,
    seconds: number,
  ): ScheduledStep {
    const full: ScheduledStep = {
      ...step,
      id: newId(),
      purchase_id: purchaseId,
      due_ms: this.clock.nowMs() + Math.round(seconds * 1000),
    };
    if (full.outcome === undefined) delete full.outcome;
    return this.store.put('step', full);
  }

  /** Steps due by `nowMs`, earliest first. */
  dueSteps(nowMs: number): ScheduledStep[] {
    return this.store
      .list<ScheduledStep>('step')
      .filter((step) => step.due_ms <= nowMs)
      .sort((a, b) => a.due_ms - b.due_ms);
  }

  nextStepDueMs(): number | undefined {
    const steps = this.store.list<ScheduledStep>('step');
    return steps.length === 0 ? undefined : Math.min(...steps.map((step) => step.due_ms));
  }

  /**
   * Complete a step whose time has come: a pending action finishes (as it would have at once), a scheduled
   * later-life status is reached. A purchase that moved on meanwhile is left as it is.
   */
  completeStep(step: ScheduledStep): void {
    this.store.delete('step', step.id);
    const record = this.find(step.purchase_id);
    if (!record) return;
    const status = record.object.status;
    switch (step.action) {
      case 'execute':
        if (status !== 'pending_execute' || !step.card) return;
        if (step.outcome === 'failure')
          this.fail(record, FORCED_DECLINE, step.card, step.flow ?? 'payform', 'execute');
        else this.succeed(record, step.card, step.remember_card ?? false, step.flow ?? 'payform', 'execute');
        return;
      case 'charge': {
        if (status !== 'pending_charge') return;
        const source = record.object.recurring_token ? this.find(record.object.recurring_token) : undefined;
        if (step.outcome === 'failure')
          this.fail(record, FORCED_DECLINE, source?.card ?? null, 'recurring', 'recurring_execute');
        else if (step.outcome === 'success' && source?.card)
          this.succeed(record, source.card, false, 'recurring', 'recurring_execute');
        else this.chargeSaved(record, source);
        return;
      }
      case 'capture':
        if (status === 'pending_capture') this.finishCapture(record, step.amount ?? record.held);
        return;
      case 'release':
        if (status === 'pending_release') this.finishRelease(record);
        return;
      case 'refund': {
        const refund = step.refund_id ? this.store.get<RefundObject>('refund', step.refund_id) : undefined;
        if (status === 'pending_refund' && refund) this.finishRefund(record, refund);
        return;
      }
      case 'clear':
        this.clear(record.id);
        return;
      case 'settle':
        this.settle(record.id);
        return;
      case 'chargeback':
        this.chargeback(record.id, step.amount);
        return;
    }
  }

  /** Funds sent for clearing in the card network (`purchase.cleared`). */
  clear(id: string): PurchaseRecord {
    return this.laterLife(id, 'clear', 'cleared');
  }

  /** Settlement issued (`purchase.settled`). */
  settle(id: string): PurchaseRecord {
    return this.laterLife(id, 'settle', 'settled');
  }

  private laterLife(id: string, action: 'clear' | 'settle', status: string): PurchaseRecord {
    const record = this.get(id);
    this.requireStatus(record, LATER_LIFE_FROM[action], action);
    this.setStatus(record, status);
    this.save(record);
    this.emit(`purchase.${status}`, record);
    return record;
  }

  /**
   * The buyer's bank took the money back (`purchase.chargeback`): all that was captured and not refunded, or
   * `amount` of it. Nothing is refundable afterwards; the ledger is debited.
   */
  chargeback(id: string, amount: number | undefined): PurchaseRecord {
    const record = this.get(id);
    this.requireStatus(record, LATER_LIFE_FROM.chargeback, 'charge back');
    const disputable = record.captured - record.refunded - (record.charged_back ?? 0);
    if (disputable <= 0) throw conflict('Nothing captured is left to charge back.', 'nothing_to_dispute');
    const disputed = amount ?? disputable;
    if (disputed > disputable) {
      throw fieldError('amount', `Ensure this value is less than or equal to ${disputable}.`);
    }
    record.charged_back = (record.charged_back ?? 0) + disputed;
    this.setStatus(record, 'chargeback');
    this.updateRefundable(record);
    this.store.transaction(() => {
      this.save(record);
      this.ledger.record('chargeback', record, -disputed);
    });
    this.emit('purchase.chargeback', record);
    return record;
  }

  private succeed(
    record: PurchaseRecord,
    card: SavedCard,
    rememberCard: boolean,
    flow: string,
    attemptType: TransactionAttempt['type'],
  ): PaymentOutcome {
    const now = this.now();
    const total = record.object.purchase.total;
    const recurring = attemptType === 'recurring_execute';
    const preauthorization = record.object.skip_capture && total === 0;
    this.recordAttempt(record, card, flow, attemptType, null);
    record.card = card;
    if (!recurring && (record.object.force_recurring || rememberCard || preauthorization)) {
      record.object.is_recurring_token = true;
    }
    record.object.payment = this.paymentDetails(record, total, now, card.extra.card_brand, recurring);
    let status: string;
    if (preauthorization) {
      status = 'preauthorized';
      record.object.payment.amount = 0;
      record.object.payment.net_amount = 0;
    } else if (record.object.skip_capture) {
      status = 'hold';
      record.held = total;
    } else {
      status = 'paid';
      record.captured = total;
    }
    this.setStatus(record, status);
    this.updateRefundable(record);
    this.save(record);
    if (status === 'paid') this.ledger.record('purchase', record, total);
    if (record.object.is_recurring_token && record.object.client_id) {
      this.clients.saveToken(record.object.client_id, record.id, card, describeCard(card.extra));
    }
    this.emit(`purchase.${status}`, record);
    if (record.object.success_callback) {
      this.events.successCallback(record.object, `purchase.${status}`);
    }
    for (const listener of this.onPaid) listener(record);
    return { kind: 'succeeded', record };
  }

  private fail(
    record: PurchaseRecord,
    decline: Decline,
    card: SavedCard | null,
    flow: string,
    attemptType: TransactionAttempt['type'],
  ): PaymentOutcome {
    this.recordAttempt(record, card, flow, attemptType, decline);
    this.setStatus(record, 'error');
    this.save(record);
    if (record.subscriber_id && attemptType === 'recurring_execute') {
      this.emit('purchase.subscription_charge_failure', record);
    } else {
      this.emit('purchase.payment_failure', record);
    }
    return { kind: 'failed', record, decline };
  }

  private recordAttempt(
    record: PurchaseRecord,
    card: SavedCard | null,
    flow: string,
    type: TransactionAttempt['type'],
    decline: Decline | null,
  ): void {
    const extra = card ? { ...card.extra } : {};
    const method = card?.extra.card_brand ?? 'card';
    const data = record.object.transaction_data;
    data.payment_method = method;
    data.flow = flow;
    data.extra = extra;
    data.country = card?.extra.card_issuer_country ?? '';
    data.attempts.push({
      type,
      successful: decline === null,
      flow,
      payment_method: method,
      processing_time: this.now(),
      country: data.country,
      extra,
      error: decline
        ? {
            code: decline.code,
            message: decline.message,
            ...(decline.declineCode ? { decline_code: decline.declineCode } : {}),
          }
        : null,
    });
  }

  private paymentDetails(
    record: PurchaseRecord,
    amount: number,
    paidOn: number,
    method: string,
    viaToken: boolean,
  ): PaymentDetails {
    return {
      is_outgoing: false,
      payment_type: 'purchase',
      amount,
      currency: record.object.purchase.currency,
      net_amount: amount,
      fee_amount: 0,
      pending_amount: 0,
      pending_unfreeze_on: null,
      description: record.object.reference || record.object.reference_generated,
      paid_on: paidOn,
      remote_paid_on: paidOn,
      method,
      is_recurring_token: viaToken,
    };
  }

  private updateRefundable(record: PurchaseRecord): void {
    const left = record.captured - record.refunded - (record.charged_back ?? 0);
    const refundable = record.object.status === 'chargeback' ? 0 : Math.max(left, 0);
    record.object.refundable_amount = refundable;
    record.object.refund_availability = refundable > 0 ? 'all' : 'none';
  }

  private requirePayable(record: PurchaseRecord): void {
    if (!AWAITING_PAYMENT.has(record.object.status)) {
      throw conflict(
        `This purchase cannot be paid: its status is "${record.object.status}".`,
        'purchase_not_payable',
      );
    }
  }

  private requireStatus(record: PurchaseRecord, allowed: ReadonlySet<string>, action: string): void {
    if (!allowed.has(record.object.status)) {
      throw conflict(
        `Cannot ${action} a purchase with status "${record.object.status}" (allowed: ${[...allowed].join(', ')}).`,
      );
    }
  }

  setStatus(record: PurchaseRecord, status: string, related?: { type: string; id: string }): void {
    const now = this.now();
    record.object.status = status;
    record.object.updated_on = now;
    record.object.status_history.push(
      related ? { status, timestamp: now, related_object: related } : { status, timestamp: now },
    );
  }

  save(record: PurchaseRecord): void {
    this.store.put('purchase', record);
  }

  private emit(type: string, record: PurchaseRecord): void {
    this.events.emit(type, record.object, { type: 'purchase', id: record.id });
  }
}
