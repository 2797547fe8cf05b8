/**
 * The ledger as core's SettlementJournal: the pipeline's one-commit path. One write transaction records the
 * gateway event id (its unique key is the lock between concurrent deliveries of one event), applies the change if
 * the payment is still at the version it was planned on, keeps a saved card, and queues the store's messages —
 * already claimed by this process when nothing of the payment is still waiting, so they are handed over right
 * after the commit without another claim.
 */
import {
  isFunded,
  type DomainEvent,
  type JournalEntry,
  type JournalReceipt,
  type JournalRecord,
  type Payment,
  type SettlementJournal,
} from '@tijara/core';
import type { LedgerContext } from './context.js';
import type { LedgerEvents } from './events.js';
import type { MessageHandler, Outbox } from './outbox.js';
import { paymentFromRow } from './rows.js';
import type { SavedMethods } from './saved-methods.js';
import { get, Rollback, run, type Program } from './sql/program.js';
import type { ClaimedMessage, LedgerPayment, NewOutboxMessage } from './types.js';

/** What a settlement changed, for turning into messages. */
export interface Settlement {
  /** The payment as recorded before this settlement; its `version` is the one the change was planned on. */
  readonly payment: LedgerPayment;
  /** The domain events, in order. */
  readonly events: readonly DomainEvent[];
  /** The gateway's payment the decision was made on. */
  readonly gatewayPayment: Payment | undefined;
}

/** A message a settlement queues; it always goes to the payment's stream (its key), so they stay in order. */
export type SettlementMessage = Omit<NewOutboxMessage, 'stream'>;

export interface JournalOptions {
  /** The driver's name: the journal settles this gateway's payments. */
  readonly gateway: string;
  /**
   * Turn a settlement into messages. Default: one per domain event, id `<payment key>:<version>:<index>`, topic
   * the event type, payload the event.
   */
  readonly messages?: (settlement: Settlement) => readonly SettlementMessage[];
  /** Hand one message over (e.g. call the store's handler). Throwing leaves it queued, retried with backoff. */
  readonly deliver: MessageHandler;
  /**
   * Keep the card a paid or held payment saved (`Payment.savedMethod`) for the payment's customer, in the
   * settlement's transaction (default false).
   */
  readonly keepSavedMethods?: boolean;
  /**
   * How long handing a payment's messages over waits for another process that holds them (default 15 s);
   * after that the messages are left to the next settlement, the reconciler or an outbox worker.
   */
  readonly deliveryWaitMs?: number;
}

/** The record the journal loads: core's JournalRecord plus the ledger row it came from. */
export interface LedgerJournalRecord extends JournalRecord {
  readonly ledgerPayment: LedgerPayment;
}

interface Committed {
  readonly claimed: readonly ClaimedMessage[];
  /** Messages wait behind another holder's lease: hand them over once it is done. */
  readonly waiting: boolean;
}

const DUPLICATE: JournalReceipt = { outcome: 'duplicate', deliver: async () => undefined };
const STALE: JournalReceipt = { outcome: 'stale', deliver: async () => undefined };

export class LedgerJournal implements SettlementJournal {
  readonly events: SettlementJournal['events'];
  readonly #c: LedgerContext;
  readonly #outbox: Outbox;
  readonly #savedMethods: SavedMethods;
  readonly #o: Required<Omit<JournalOptions, 'messages'>> & Pick<JournalOptions, 'messages'>;

  constructor(
    context: LedgerContext,
    parts: { outbox: Outbox; savedMethods: SavedMethods; events: LedgerEvents },
    options: JournalOptions,
  ) {
    this.#c = context;
    this.#outbox = parts.outbox;
    this.#savedMethods = parts.savedMethods;
    this.#o = {
      ...options,
      keepSavedMethods: options.keepSavedMethods ?? false,
      deliveryWaitMs: options.deliveryWaitMs ?? 15_000,
    };
    const events = parts.events;
    this.events = { has: (key) => events.has(key), forget: (key) => events.forget(key) };
  }

  async load(paymentId: string): Promise<LedgerJournalRecord | undefined> {
    const c = this.#c;
    const row = await c.read(() =>
      get(c.q.settlementRecord, { gateway: this.#o.gateway, payment_id: paymentId }),
    );
    if (!row) return undefined;
    const payment = paymentFromRow(row);
    return {
      orderId: payment.orderId,
      paymentId,
      amount: payment.amount,
      currency: payment.currency,
      status: payment.status,
      captureMode: payment.captureMode,
      refundedAmount: payment.refundedAmount,
      capturedAmount: payment.capturedAmount,
      authorizationExpiresAt: payment.authorizationExpiresAt,
      version: payment.version,
      undelivered: Number(row.undelivered) === 1,
      ledgerPayment: payment,
    };
  }

  async commit(entry: JournalEntry): Promise<JournalReceipt> {
    const record = entry.record as LedgerJournalRecord | undefined;
    const messages =
      record && entry.change && entry.events.length > 0 ? this.#messages(record.ledgerPayment, entry) : [];
    const result = await this.#c.write(() => this.#commitProgram(entry, record, messages));
    if (result === DUPLICATE || result === STALE) return result;
    const committed = result as Committed;
    if (!record || (committed.claimed.length === 0 && !committed.waiting)) {
      return { outcome: 'committed', deliver: async () => undefined };
    }
    const stream = record.ledgerPayment.key;
    return { outcome: 'committed', deliver: () => this.#handOver(stream, committed) };
  }

  async deliver(paymentId: string): Promise<void> {
    const c = this.#c;
    const row = await c.read(() =>
      get(c.q.paymentByGatewayId, { gateway: this.#o.gateway, payment_id: paymentId }),
    );
    if (!row) return;
    await this.#outbox.deliverStream(String(row.key), this.#o.deliver, { waitMs: this.#o.deliveryWaitMs });
  }

  *#commitProgram(
    entry: JournalEntry,
    record: LedgerJournalRecord | undefined,
    messages: readonly NewOutboxMessage[],
  ): Program<Committed | JournalReceipt> {
    const c = this.#c;
    const now = c.now();
    const payment = record?.ledgerPayment;
    if (entry.eventKey !== undefined) {
      const recorded = yield* get(c.q.rememberEvent, {
        key: entry.eventKey,
        stream: payment?.key ?? null,
        expires_at: now + Math.ceil(entry.eventTtlMs),
        now,
      });
      if (!recorded) throw new Rollback(DUPLICATE);
    }
    if (!record || !payment) return { claimed: [], waiting: false };
    if (entry.change) {
      const change = entry.change;
      const changed = yield* run(c.q.applySettlement, {
        key: payment.key,
        version: payment.version,
        status: change.status,
        refunded_amount: change.refundedAmount,
        captured_amount: change.capturedAmount,
        authorization_expires_at: change.authorizationExpiresAt?.getTime() ?? null,
        now,
      });
      if (changed !== 1) throw new Rollback(STALE);
      const saved = entry.payment?.savedMethod;
      if (
        this.#o.keepSavedMethods &&
        entry.events.length > 0 &&
        saved &&
        payment.customerKey !== undefined &&
        isFunded(entry.payment?.status ?? change.status)
      ) {
        yield* this.#savedMethods.saveProgram({
          customerKey: payment.customerKey,
          gateway: payment.gateway,
          token: saved.token,
          brand: saved.brand,
          last4: saved.last4,
          expiryMonth: saved.expiryMonth,
          expiryYear: saved.expiryYear,
          holderName: saved.holderName,
          sourcePaymentId: entry.payment?.id ?? record.paymentId,
        });
      }
    }
    if (messages.length === 0 && !record.undelivered) return { claimed: [], waiting: false };
    const queued = yield* this.#outbox.enqueueProgram(messages, { claim: true });
    if (messages.length > 0 && !queued.waiting.has(payment.key))
      return { claimed: queued.claimed, waiting: false };
    // Older messages of the payment are still open: take the whole stream if nobody holds it, else wait for it.
    const claim = yield* this.#outbox.claimStreamProgram(payment.key);
    if (claim.state === 'claimed') return { claimed: claim.messages, waiting: false };
    return { claimed: [], waiting: claim.state === 'busy' };
  }

  #messages(payment: LedgerPayment, entry: JournalEntry): NewOutboxMessage[] {
    const settlement: Settlement = { payment, events: entry.events, gatewayPayment: entry.payment };
    const built: readonly SettlementMessage[] = this.#o.messages
      ? this.#o.messages(settlement)
      : entry.events.map((event, index) => ({
          id: `${payment.key}:${payment.version}:${index}`,
          topic: event.type,
          payload: event,
        }));
    return built.map((message) => ({ ...message, stream: payment.key }));
  }

  async #handOver(stream: string, committed: Committed): Promise<void> {
    if (committed.claimed.length > 0) await this.#outbox.handOver(committed.claimed, this.#o.deliver);
    if (committed.waiting) {
      await this.#outbox.deliverStream(stream, this.#o.deliver, { waitMs: this.#o.deliveryWaitMs });
    }
  }
}
