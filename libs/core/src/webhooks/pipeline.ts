import { AmountMismatchError, ConfigurationError, InvalidRequestError } from '../errors.js';
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
import type { EventStore, Lease, LockStore } from '../stores/types.js';
import { isRegression, planTransition, type DomainEvent, type SettlementRecord } from './transition.js';

/** How long one settlement may hold its payment's lock: room for two of the slowest gateway calls. */
const SETTLEMENT_DEADLINE_MS = 5 * 60_000;

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
  readonly gatewayEvent?: GatewayEvent;
}

export interface SettlementPipelineOptions {
  readonly driver: GatewayDriver;
  /** Dedupe store for gateway event ids. */
  readonly events: EventStore;
  readonly locks: LockStore;
  /** Find the store's record for a payment id. */
  readonly load: (paymentId: string) => Promise<SettlementRecord | undefined>;
  /**
   * Persist `next` and react to `events` (fulfil, email…). Called only when something changed, under the
   * payment's lock. Throwing leaves the event unprocessed so the gateway's retry (or the reconciler)
   * processes it again; the store must persist `next` together with its reaction.
   */
  readonly commit: (next: SettlementRecord, events: readonly DomainEvent[]) => Promise<void>;
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

/**
 * The one settlement routine every plugin uses (architecture §5): authenticate, parse, lock the payment,
 * drop duplicates, re-read when the payload cannot be trusted, transition idempotently, remember the event.
 */
type ResolvedOptions = Required<SettlementPipelineOptions>;

export class SettlementPipeline {
  readonly #o: ResolvedOptions;

  constructor(options: SettlementPipelineOptions) {
    if (!options.driver || !options.events || !options.locks || !options.load || !options.commit) {
      throw new ConfigurationError('SettlementPipeline needs driver, events, locks, load and commit');
    }
    this.#o = {
      ...options,
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

  /**
   * Verify a webhook over its exact raw bytes and settle it. Throws SignatureVerificationError for a bad
   * signature (answer 4xx) and whatever `commit` throws (answer 5xx so the gateway retries).
   */
  async handleWebhook(rawBody: Buffer | Uint8Array | string, headers: HeaderBag): Promise<SettlementResult> {
    const event = await this.#o.driver.verifyWebhook(rawBody, headers);
    return this.settleEvent(event);
  }

  /** Settle an already verified event. */
  async settleEvent(event: GatewayEvent): Promise<SettlementResult> {
    const { driver, events, logger } = this.#o;
    const dedupeKey = `${driver.name}:event:${event.id}`;
    if (!event.paymentId) {
      if (await events.has(dedupeKey))
        return { outcome: 'duplicate', events: [], refetched: false, gatewayEvent: event };
      await events.rememberOnce(dedupeKey, this.#o.dedupeTtlMs);
      return { outcome: 'ignored', events: [], refetched: false, gatewayEvent: event };
    }
    const paymentId = event.paymentId;
    // Redeliveries are common (gateways retry until they see a 2xx), and an event id is recorded only once its
    // settlement is done, so a recorded one is answered without taking the lock (two writes on shared stores).
    if (await events.has(dedupeKey)) return this.#duplicate(event, paymentId);
    return this.#withPaymentLock(paymentId, async ({ signal }) => {
      // Checked again under the lock: concurrent deliveries of one event all miss the check above, and only
      // the first to get the lock may settle it.
      if (await events.has(dedupeKey)) return this.#duplicate(event, paymentId);
      const record = await this.#o.load(paymentId);
      if (!record) {
        logger.info(
          { eventId: event.id, paymentId, type: event.rawType },
          'event for a payment this store does not know',
        );
        await events.rememberOnce(dedupeKey, this.#o.dedupeTtlMs);
        return { outcome: 'ignored', events: [], refetched: false, gatewayEvent: event };
      }
      const stale = this.#o.now() - event.createdAt.getTime() > this.#o.replayWindowMs;
      const payload = event.payment;
      const trustPayload = payload !== undefined && !stale && !isRegression(record.status, payload.status);
      const payment = trustPayload ? payload : await driver.retrievePayment(paymentId, { signal });
      const result = await this.#apply(record, payment, !trustPayload, signal);
      await events.rememberOnce(dedupeKey, this.#o.dedupeTtlMs);
      return { ...result, gatewayEvent: event };
    });
  }

  #duplicate(event: GatewayEvent, paymentId: string): SettlementResult {
    this.#o.logger.debug({ eventId: event.id, paymentId }, 'duplicate gateway event');
    return { outcome: 'duplicate', events: [], refetched: false, gatewayEvent: event };
  }

  /**
   * Settle from the gateway's current state: for browser redirects (unsigned, so never trusted), the
   * reconciler and admin actions. Always re-reads the payment.
   */
  async settlePayment(paymentId: string, source: SettlementSource = 'redirect'): Promise<SettlementResult> {
    return this.#withPaymentLock(paymentId, async ({ signal }) => {
      const record = await this.#o.load(paymentId);
      if (!record) return { outcome: 'ignored', events: [], refetched: false };
      const payment = await this.#o.driver.retrievePayment(paymentId, { signal });
      this.#o.logger.debug({ paymentId, source, status: payment.status }, 'settling from gateway state');
      return this.#apply(record, payment, true, signal);
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
    return this.#withPaymentLock(payment.id, async ({ signal }) => {
      const record = await this.#o.load(payment.id);
      if (!record) return { outcome: 'ignored', events: [], refetched: false, payment };
      return this.#apply(record, payment, false, signal);
    });
  }

  async #apply(
    record: SettlementRecord,
    seen: Payment,
    refetched: boolean,
    signal: AbortSignal,
  ): Promise<SettlementResult> {
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
      payment = await this.#captureOnApproval(payment, signal);
    }
    let plan;
    try {
      plan = planTransition(record, payment, { amountPolicy: driver.capabilities.amountPolicy });
    } catch (error) {
      if (error instanceof AmountMismatchError) {
        this.#o.logger.error(
          { orderId: record.orderId, paymentId: payment.id, expected: record.amount, got: payment.amount },
          error.message,
        );
        return { outcome: 'amount_mismatch', events: [], record, payment, refetched };
      }
      throw error;
    }
    const changed = plan.events.length > 0 || plan.next.status !== record.status;
    if (!changed) return { outcome: 'unchanged', events: [], record, payment, refetched };
    await this.#o.commit(plan.next, plan.events);
    return { outcome: 'settled', events: plan.events, record: plan.next, payment, refetched };
  }

  async #captureOnApproval(payment: Payment, signal: AbortSignal): Promise<Payment> {
    const { driver, logger } = this.#o;
    try {
      const captured = await driver.capture(payment.id, undefined, {
        idempotencyKey: `capture-on-approval:${payment.id}`,
        signal,
      });
      logger.info({ paymentId: payment.id, status: captured.status }, 'captured an approval');
      return captured;
    } catch (error) {
      // A refusal (the approval expired, the capture was declined) leaves the payment in a state the gateway now
      // reports; settle on that. Anything else (gateway down) is thrown so the delivery or the sweep retries.
      const status = (error as { statusCode?: number }).statusCode;
      if (status === undefined || status >= 500 || status === 429) throw error;
      logger.warn({ paymentId: payment.id, err: error }, 'capture of an approval was refused');
      return driver.retrievePayment(payment.id, { signal });
    }
  }

  /**
   * The payment's lock. Its lease is renewed while the settlement works, however slow the gateway (one call may
   * take 30 s × 3 attempts plus a Retry-After wait), and its signal, passed to every gateway call made under the
   * lock, aborts them before the lease could expire (if it cannot be renewed) and at the deadline.
   */
  #withPaymentLock<T>(paymentId: string, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const key = `${this.#o.driver.name}:payment:${paymentId}`;
    return this.#o.locks.withLock(key, this.#o.lockTtlMs, fn, {
      waitMs: this.#o.lockWaitMs,
      deadlineMs: Math.max(SETTLEMENT_DEADLINE_MS, this.#o.lockTtlMs),
    });
  }
}
