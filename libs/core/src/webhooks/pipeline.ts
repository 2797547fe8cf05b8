import { AmountMismatchError, ConfigurationError, ConflictError, InvalidRequestError } from '../errors.js';
import {
  requireCapability,
  type GatewayDriver,
  type GatewayEvent,
  type HeaderBag,
  type Payment,
  type ReturnParams,
  type ReturnResolution,
} from '../gateway.js';
import { needsCaptureOnApproval } from '../status.js';
import { silentLogger, type Logger } from '../logger.js';
import type { EventStore, LockStore } from '../stores/types.js';
import {
  isRegression,
  planTransition,
  type DomainEvent,
  type SettlementChange,
  type SettlementRecord,
  type TransitionPlan,
} from './transition.js';

/** Where the information came from: only a verified webhook is trusted without re-reading the gateway. */
export type SettlementSource = 'webhook' | 'redirect' | 'reconcile' | 'admin';

/** A settled return: the settlement, and what the gateway's redirect claimed (for the buyer's page only). */
export interface ReturnSettlement extends SettlementResult {
  readonly claimed?: ReturnResolution['claimed'];
}

export type SettlementOutcome =
  /** Domain events were committed. */
  | 'settled'
  /** The gateway's state matched what the store had: nothing to do. */
  | 'unchanged'
  /** This event was already processed. */
  | 'duplicate'
  /** The event names no payment, or a payment the store does not know. */
  | 'ignored'
  /** The gateway's amount or currency differs from the order's; nothing was changed. */
  | 'amount_mismatch';

export interface SettlementResult {
  readonly outcome: SettlementOutcome;
  readonly events: readonly DomainEvent[];
  readonly record?: SettlementRecord;
  /** The payment the decision was made on. */
  readonly payment?: Payment;
  /** Whether the payment was re-read from the gateway rather than taken from the payload. */
  readonly refetched: boolean;
  /** The event, when it was built (a duplicate answered from its id alone has only `eventId`). */
  readonly gatewayEvent?: GatewayEvent;
  /** The gateway's event id, for webhooks. */
  readonly eventId?: string;
}

/** A store record as a journal keeps it: the settlement record, plus what optimistic settlement needs. */
export interface JournalRecord extends SettlementRecord {
  /**
   * Moves on with every committed settlement. A commit planned on an older version is refused (`stale`) and the
   * pipeline plans again on the fresh record. Undefined when the journal relies on the pipeline's lock instead.
   */
  readonly version?: number;
  /** Events of this payment are queued and not handed over yet (a store handler failed earlier). */
  readonly undelivered?: boolean;
}

/** What one settlement writes. */
export interface JournalEntry {
  /** The gateway event being settled; recorded in the same transaction when the journal keeps event ids. */
  readonly eventKey?: string;
  /** How long the event id is remembered (ms). */
  readonly eventTtlMs: number;
  /** The record the plan was made on; undefined for an event about a payment the store does not know. */
  readonly record?: JournalRecord;
  /** The change to persist; undefined when nothing changed and only the event is recorded. */
  readonly change?: SettlementChange;
  /** The domain events to queue for the store, in order. */
  readonly events: readonly DomainEvent[];
  /** The payment the decision was made on. */
  readonly payment?: Payment;
}

export interface JournalReceipt {
  /**
   * `committed`; `duplicate` when the event id was already recorded (nothing written); `stale` when the record
   * moved on since it was loaded (nothing written; the pipeline plans again).
   */
  readonly outcome: 'committed' | 'duplicate' | 'stale';
  /**
   * Hand over what this commit queued, and anything older still queued for the payment, after the commit.
   * Throws when a store handler fails; what it could not hand over stays queued.
   */
  deliver(): Promise<void>;
}

/**
 * A store's payment records as the pipeline needs them (`@tijara/ledger` implements it). With `events`, the
 * journal records the gateway's event ids itself: the pipeline then settles a first delivery in one transaction
 * (event id + transition + queued events) with the database's own serialisation as the lock, instead of a lease
 * lock around five separate writes.
 */
export interface SettlementJournal {
  /** Present when event ids live in the journal's own database, written in the settlement's transaction. */
  readonly events?: {
    has(key: string): Promise<boolean>;
    forget(key: string): Promise<void>;
  };
  load(paymentId: string): Promise<JournalRecord | undefined>;
  commit(entry: JournalEntry): Promise<JournalReceipt>;
  /** Hand over what is queued for the payment (when `load` reported `undelivered`). */
  deliver(paymentId: string): Promise<void>;
}

export interface SettlementPipelineOptions {
  readonly driver: GatewayDriver;
  /**
   * The store's records. With `journal.events` and no `events` option, each first delivery is one commit
   * (see SettlementJournal); otherwise the pipeline dedupes in `events` and serialises on `locks`.
   */
  readonly journal?: SettlementJournal;
  /**
   * Dedupe store for gateway event ids, when the journal does not keep them (e.g. Redis beside a SQL ledger: the
   * slower path, since the event id and the settlement cannot share a transaction).
   */
  readonly events?: EventStore;
  /** Serialises settlements of one payment when they are not serialised by the journal's database. */
  readonly locks?: LockStore;
  /** Without a journal: find the store's record for a payment id. */
  readonly load?: (paymentId: string) => Promise<SettlementRecord | undefined>;
  /**
   * Without a journal: persist `next` and react to `events` (fulfil, email…). Called only when something
   * changed, under the payment's lock. Throwing leaves the event unprocessed so the gateway's retry (or the
   * reconciler) processes it again; the store must persist `next` together with its reaction.
   */
  readonly commit?: (next: SettlementRecord, events: readonly DomainEvent[]) => Promise<void>;
  /** Payloads older than this are re-read from the gateway (default 5 minutes). They are never dropped. */
  readonly replayWindowMs?: number;
  /** How long processed event ids are remembered (default 7 days; gateways retry for ~36 h). */
  readonly dedupeTtlMs?: number;
  /** Lock lease per payment (default 30 s). */
  readonly lockTtlMs?: number;
  /** How long to wait for a payment's lock (default 15 s). */
  readonly lockWaitMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** How many times a settlement is planned again after a concurrent writer moved the record. */
const MAX_ROUNDS = 8;

interface ResolvedOptions {
  readonly driver: GatewayDriver;
  readonly journal: SettlementJournal;
  /** The dedupe store of the locked path; undefined on the one-commit path. */
  readonly events: EventStore | undefined;
  readonly locks: LockStore | undefined;
  readonly replayWindowMs: number;
  readonly dedupeTtlMs: number;
  readonly lockTtlMs: number;
  readonly lockWaitMs: number;
  readonly logger: Logger;
  readonly now: () => number;
}

/** Where the payment to settle on comes from, given the record. */
type PaymentSource = (record: JournalRecord) => Promise<{ payment: Payment; refetched: boolean }>;

/**
 * The one settlement routine every plugin uses (architecture §5): authenticate, parse, drop duplicates, re-read
 * when the payload cannot be trusted, transition idempotently, record the event, hand the domain events over.
 *
 * Two paths, same outcome:
 * - **one commit** (the journal keeps event ids, e.g. `@tijara/ledger` with its dedupe table in the same SQLite
 *   or PostgreSQL database): dedupe lookup, plan outside any transaction, then one transaction records the event
 *   id, applies the change if the record is still at the planned version, and queues the store's events; they
 *   are handed over after the commit. Concurrent deliveries of one event meet on the event id's unique key.
 * - **locked** (dedupe elsewhere, e.g. Redis; or a store with `load`/`commit` callbacks): the payment's lease lock
 *   around load, plan, commit and remember.
 */
export class SettlementPipeline {
  readonly #o: ResolvedOptions;
  /** The journal records event ids in the settlement's own transaction. */
  readonly #oneCommit: boolean;

  constructor(options: SettlementPipelineOptions) {
    if (!options.driver) throw new ConfigurationError('SettlementPipeline needs a driver');
    const journal = options.journal ?? legacyJournal(options);
    const oneCommit = journal.events !== undefined && options.events === undefined;
    if (!oneCommit && (!options.events || !options.locks)) {
      throw new ConfigurationError(
        'SettlementPipeline needs events and locks, unless its journal keeps event ids itself',
      );
    }
    this.#oneCommit = oneCommit;
    this.#o = {
      driver: options.driver,
      journal,
      events: oneCommit ? undefined : options.events,
      locks: options.locks,
      replayWindowMs: options.replayWindowMs ?? 5 * 60_000,
      dedupeTtlMs: options.dedupeTtlMs ?? 7 * 24 * 3_600_000,
      lockTtlMs: options.lockTtlMs ?? 30_000,
      lockWaitMs: options.lockWaitMs ?? 15_000,
      logger: options.logger ?? silentLogger,
      now: options.now ?? Date.now,
    };
  }

  get driver(): GatewayDriver {
    return this.#o.driver;
  }

  /** Whether first deliveries are settled in one transaction with their event id (see the class comment). */
  get oneCommit(): boolean {
    return this.#oneCommit;
  }

  /**
   * Verify a webhook over its exact raw bytes and settle it. Throws SignatureVerificationError for a bad
   * signature (answer 4xx), InvalidResponseError for a signed body that is not an event (4xx), and whatever the
   * store throws (answer 5xx so the gateway retries). A redelivery is answered from its event id alone when the
   * driver can read it before validating the body (`openWebhook`).
   */
  async handleWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<SettlementResult> {
    const { driver } = this.#o;
    if (!driver.openWebhook) return this.settleEvent(await driver.verifyWebhook(rawBody, headers));
    const webhook = await driver.openWebhook(rawBody, headers);
    if (webhook.eventId !== undefined && (await this.#seen(this.#eventKey(webhook.eventId)))) {
      return this.#duplicate(webhook.eventId, undefined);
    }
    return this.#settleEvent(await webhook.event(), true);
  }

  /** Settle an already verified event. */
  settleEvent(event: GatewayEvent): Promise<SettlementResult> {
    return this.#settleEvent(event, false);
  }

  async #settleEvent(event: GatewayEvent, lookedUp: boolean): Promise<SettlementResult> {
    const key = this.#eventKey(event.id);
    // Redeliveries are common (gateways retry until they see a 2xx) and an event id is recorded only once its
    // settlement is done, so a recorded one is answered without any write.
    if (!lookedUp && (await this.#seen(key))) return this.#duplicate(event.id, event);
    const source = this.#eventSource(event);
    const paymentId = event.paymentId;
    if (this.#oneCommit) {
      const result = await this.#settle(paymentId, source, key);
      return { ...result, gatewayEvent: event, eventId: event.id };
    }
    const events = this.#o.events as EventStore;
    const settle = async (): Promise<SettlementResult> => {
      // Checked again under the lock: concurrent deliveries of one event all miss the check above, and only the
      // first to get the lock may settle it.
      if (await events.has(key)) return this.#duplicate(event.id, event);
      const result = await this.#settle(paymentId, source, undefined);
      await events.rememberOnce(key, this.#o.dedupeTtlMs);
      return { ...result, gatewayEvent: event, eventId: event.id };
    };
    return paymentId === undefined ? settle() : this.#withPaymentLock(paymentId, settle);
  }

  #eventKey(eventId: string): string {
    return `${this.#o.driver.name}:event:${eventId}`;
  }

  #seen(key: string): Promise<boolean> {
    return this.#oneCommit
      ? (this.#o.journal.events as NonNullable<SettlementJournal['events']>).has(key)
      : (this.#o.events as EventStore).has(key);
  }

  /** A signed payload is trusted while it is fresh and moves the record forward; otherwise re-read the gateway. */
  #eventSource(event: GatewayEvent): PaymentSource {
    const stale = this.#o.now() - event.createdAt.getTime() > this.#o.replayWindowMs;
    const payload = event.payment;
    return async (record) => {
      if (payload !== undefined && !stale && !isRegression(record.status, payload.status)) {
        return { payment: payload, refetched: false };
      }
      return { payment: await this.#o.driver.retrievePayment(record.paymentId), refetched: true };
    };
  }

  #duplicate(eventId: string, event: GatewayEvent | undefined): SettlementResult {
    this.#o.logger.debug({ eventId, paymentId: event?.paymentId }, 'duplicate gateway event');
    return {
      outcome: 'duplicate',
      events: [],
      refetched: false,
      eventId,
      ...(event ? { gatewayEvent: event } : {}),
    };
  }

  /**
   * Settle from the gateway's current state: for browser redirects (unsigned, so never trusted), the
   * reconciler and admin actions. Always re-reads the payment.
   */
  async settlePayment(paymentId: string, source: SettlementSource = 'redirect'): Promise<SettlementResult> {
    return this.#settleLocked(paymentId, async () => {
      const payment = await this.#o.driver.retrievePayment(paymentId);
      this.#o.logger.debug({ paymentId, source, status: payment.status }, 'settling from gateway state');
      return { payment, refetched: true };
    });
  }

  /**
   * Settle what a buyer brought back from the gateway. With a driver that resolves returns, the parameters are
   * turned into a payment read from the gateway (a Postpay `order_id`, a Uhmi `transaction_id`); otherwise the
   * payment the store expected is re-read. Either way nothing the buyer sent is trusted as such, and a return
   * that names another payment than the one the store sent the buyer to is refused.
   */
  async settleReturn(params: ReturnParams): Promise<ReturnSettlement> {
    const { driver } = this.#o;
    if (driver.resolveReturn && driver.capabilities.returnResolution) {
      const resolution = await driver.resolveReturn(params);
      if (params.paymentId !== undefined && resolution.payment.id !== params.paymentId) {
        throw new InvalidRequestError(
          `The return names payment ${resolution.payment.id}, not ${params.paymentId} which the buyer was sent to pay`,
          { gateway: driver.name, code: 'return_payment_mismatch' },
        );
      }
      const result = await this.settleWithPayment(resolution.payment);
      return resolution.claimed ? { ...result, claimed: resolution.claimed } : result;
    }
    if (params.paymentId === undefined) {
      requireCapability(driver, 'returnResolution');
    }
    return this.settlePayment(params.paymentId as string, 'redirect');
  }

  /** Settle with a payment object the caller just received from the gateway (e.g. a capture response). */
  async settleWithPayment(payment: Payment): Promise<SettlementResult> {
    let first = true;
    return this.#settleLocked(payment.id, async (record) => {
      // A concurrent settlement moved the record since: the answer in hand may be older than what it settled.
      if (first || !isRegression(record.status, payment.status)) {
        first = false;
        return { payment, refetched: false };
      }
      return { payment: await this.#o.driver.retrievePayment(payment.id), refetched: true };
    });
  }

  #settleLocked(paymentId: string, source: PaymentSource): Promise<SettlementResult> {
    if (this.#oneCommit) return this.#settle(paymentId, source, undefined);
    return this.#withPaymentLock(paymentId, () => this.#settle(paymentId, source, undefined));
  }

  /**
   * Load, plan, commit, hand over — planned again when a concurrent writer moved the record between the load and
   * the commit (the commit checks the version in its transaction, so nothing is written on a stale plan).
   */
  async #settle(
    paymentId: string | undefined,
    source: PaymentSource,
    eventKey: string | undefined,
  ): Promise<SettlementResult> {
    const { journal } = this.#o;
    const ttl = this.#o.dedupeTtlMs;
    for (let round = 1; ; round++) {
      const record = paymentId === undefined ? undefined : await journal.load(paymentId);
      if (!record) {
        if (paymentId !== undefined) {
          this.#o.logger.info({ paymentId, eventKey }, 'settlement for a payment this store does not know');
        }
        if (eventKey !== undefined) {
          const receipt = await journal.commit({ eventKey, eventTtlMs: ttl, events: [] });
          if (receipt.outcome === 'duplicate') return this.#duplicate(eventKey, undefined);
        }
        return { outcome: 'ignored', events: [], refetched: false };
      }
      const { payment: seen, refetched } = await source(record);
      const decision = await this.#decide(record, seen, refetched);
      const { plan, result } = decision;
      const changed = result.outcome === 'settled';
      if (!changed && eventKey === undefined) {
        // Nothing to write; events an earlier handler failed to take are handed over now.
        if (record.undelivered) await journal.deliver(record.paymentId);
        return result;
      }
      const receipt = await journal.commit({
        ...(eventKey === undefined ? {} : { eventKey }),
        eventTtlMs: ttl,
        record,
        ...(changed && plan ? { change: plan.change } : {}),
        events: changed && plan ? plan.events : [],
        payment: result.payment,
      });
      if (receipt.outcome === 'duplicate') return this.#duplicate(eventKey ?? '', undefined);
      if (receipt.outcome === 'stale') {
        if (round >= MAX_ROUNDS) {
          throw new ConflictError(
            `Payment ${record.paymentId} kept changing while it was being settled; settle it again`,
            { code: 'settlement_contention' },
          );
        }
        continue;
      }
      try {
        await receipt.deliver();
      } catch (error) {
        // The settlement is committed; the store's handler is not done with it. Forget the event id so the
        // gateway's retry of this delivery comes back through here and hands the queued events over again.
        if (eventKey !== undefined) {
          await journal.events?.forget(eventKey).catch((forgetError: unknown) => {
            this.#o.logger.warn({ eventKey, err: forgetError }, 'could not forget an event id');
          });
        }
        throw error;
      }
      return result;
    }
  }

  /** Capture an approval if the suite must, then plan the transition. Pure apart from that capture. */
  async #decide(
    record: JournalRecord,
    seen: Payment,
    refetched: boolean,
  ): Promise<{ plan: TransitionPlan | undefined; result: SettlementResult }> {
    const { driver } = this.#o;
    const captureOnApproval = driver.capabilities.captureOnApproval;
    let payment = seen;
    // An approval on a capture-on-approval gateway is not a sale yet: capture it before anything is announced,
    // so the store sees one `payment.paid`. The key is per payment, and a capture of a captured payment answers
    // it (already done = success), so every path that gets here captures exactly once.
    if (
      needsCaptureOnApproval(payment.status, { captureMode: record.captureMode, captureOnApproval }) &&
      payment.amount === record.amount
    ) {
      payment = await this.#captureOnApproval(payment);
    }
    let plan: TransitionPlan;
    try {
      plan = planTransition(record, payment, { amountPolicy: driver.capabilities.amountPolicy });
    } catch (error) {
      if (error instanceof AmountMismatchError) {
        this.#o.logger.error(
          { orderId: record.orderId, paymentId: payment.id, expected: record.amount, got: payment.amount },
          error.message,
        );
        return {
          plan: undefined,
          result: { outcome: 'amount_mismatch', events: [], record, payment, refetched },
        };
      }
      throw error;
    }
    const changed = plan.events.length > 0 || plan.next.status !== record.status;
    if (!changed) return { plan, result: { outcome: 'unchanged', events: [], record, payment, refetched } };
    return {
      plan,
      result: { outcome: 'settled', events: plan.events, record: plan.next, payment, refetched },
    };
  }

  async #captureOnApproval(payment: Payment): Promise<Payment> {
    const { driver, logger } = this.#o;
    try {
      const captured = await driver.capture(payment.id, undefined, {
        idempotencyKey: `capture-on-approval:${payment.id}`,
      });
      logger.info({ paymentId: payment.id, status: captured.status }, 'captured an approval');
      return captured;
    } catch (error) {
      // A refusal (the approval expired, the capture was declined) leaves the payment in a state the gateway now
      // reports; settle on that. Anything else (gateway down) is thrown so the delivery or the sweep retries.
      const status = (error as { statusCode?: number }).statusCode;
      if (status === undefined || status >= 500 || status === 429) throw error;
      logger.warn({ paymentId: payment.id, err: error }, 'capture of an approval was refused');
      return driver.retrievePayment(payment.id);
    }
  }

  #withPaymentLock<T>(paymentId: string, fn: () => Promise<T>): Promise<T> {
    const key = `${this.#o.driver.name}:payment:${paymentId}`;
    const locks = this.#o.locks as LockStore;
    return locks.withLock(key, this.#o.lockTtlMs, fn, { waitMs: this.#o.lockWaitMs });
  }
}

/** The `load`/`commit` callbacks of a store without a journal, as one; always used under the payment lock. */
function legacyJournal(options: SettlementPipelineOptions): SettlementJournal {
  const { load, commit } = options;
  if (!load || !commit) {
    throw new ConfigurationError('SettlementPipeline needs a journal, or load and commit');
  }
  const done = async (): Promise<void> => undefined;
  return {
    load,
    async commit(entry) {
      if (entry.record && entry.change) {
        await commit({ ...entry.record, ...entry.change }, entry.events);
      }
      return { outcome: 'committed', deliver: done };
    },
    deliver: done,
  };
}
