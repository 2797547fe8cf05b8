import { fromMinorUnits, minorUnitsFromDecimal } from '@tijara/core';
import type { SandboxClock } from '../../engine/clock.js';
import type { ObjectStore } from '../../engine/database.js';
import type { GatewayDeliveries } from '../../engine/gateway-module.js';
import type { NumipayConfig } from './config.js';
import {
  dayOf,
  listDate,
  newToken,
  newTransactionId,
  parseDay,
  TEST_CARDS,
  type RequestFields,
  type Session,
  type Transaction,
  type TransactionStatus,
  type TransactionType,
} from './model.js';

const SESSION = 'session';
const TRANSACTION = 'transaction';
/** An approved payout is paid out by the provider this long after approval (sandbox clock). */
export const PAYOUT_PROCESSING_MS = 30_000;
const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 7;
const PROVIDER = 'numipay_simulator';

/** A refusal in Numipay's words: `{"message": …}` (and `errors` by field for validation). */
export class NumipayError extends Error {
  readonly status: number;
  readonly errors: Record<string, string[]> | undefined;
  constructor(status: number, message: string, errors?: Record<string, string[]>) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

/** The validated `request` envelope, as the API hands it over. */
export interface EnvelopeInput {
  readonly mode: 'test' | 'live';
  readonly user_id: string;
  readonly tracking_id: string;
  readonly ip?: string | undefined;
  readonly amount: number;
  readonly currency: string;
  readonly settings?: Record<string, unknown> | undefined;
  readonly customer?: Record<string, unknown> | undefined;
}

export interface CardInput {
  readonly card_number: string;
}

function fields(input: EnvelopeInput): RequestFields {
  return {
    mode: input.mode,
    user_id: input.user_id,
    tracking_id: input.tracking_id,
    ...(input.ip ? { ip: input.ip } : {}),
    amount: minorUnitsFromDecimal(input.amount, input.currency),
    currency: input.currency.toUpperCase(),
    settings: input.settings ?? {},
    ...(input.customer ? { customer: input.customer } : {}),
  };
}

export interface TransactionServiceDeps {
  readonly store: ObjectStore;
  readonly clock: SandboxClock;
  readonly config: NumipayConfig;
  readonly deliveries: GatewayDeliveries;
}

/**
 * Cashier sessions and transactions (seed 002): deposits through the hosted cashier, a provider directly or a card
 * server to server (with a 3-D Secure step for the challenge card); payouts that wait for the merchant's approval
 * and are paid out on the sandbox clock; every change of a transaction's status sent as a signed webhook.
 */
export class TransactionService {
  readonly #d: TransactionServiceDeps;

  constructor(deps: TransactionServiceDeps) {
    this.#d = deps;
  }

  /** A cashier (or direct) session; its token opens the hosted page. */
  openSession(
    type: TransactionType,
    flow: Session['flow'],
    input: EnvelopeInput,
    providerId?: number,
  ): Session {
    const session: Session = {
      id: newToken(),
      type,
      flow,
      ...(providerId !== undefined ? { provider_id: providerId } : {}),
      request: fields(input),
      created_ms: this.#d.clock.nowMs(),
    };
    return this.#d.store.put(SESSION, session);
  }

  session(token: string): Session {
    const session = this.#d.store.get<Session>(SESSION, token);
    if (!session) throw new NumipayError(404, 'Session not found');
    return session;
  }

  /** The session a token, a tracking id or a transaction id names (for the control API). */
  sessionFor(id: string): Session {
    const byToken = this.#d.store.get<Session>(SESSION, id);
    if (byToken) return byToken;
    const sessions = this.#d.store.list<Session>(SESSION, { '$.request.tracking_id': id });
    const session = sessions.at(-1);
    if (!session) throw new NumipayError(404, 'Session not found');
    return session;
  }

  /** The buyer at the cashier (or the provider's page): a deposit, successful or rejected. */
  deposit(token: string, outcome: 'success' | 'decline'): Transaction {
    const session = this.session(token);
    if (session.type !== 'deposit') throw new NumipayError(400, 'This session is a withdrawal');
    if (session.transaction_id) throw new NumipayError(400, 'This session has been used');
    const transaction = this.#create('deposit', session.request, {
      status: outcome === 'success' ? 'successful' : 'rejected',
      rejected_reason: outcome === 'success' ? null : 'Insufficient funds',
    });
    this.#d.store.put(SESSION, { ...session, transaction_id: transaction.id });
    this.#notify(transaction);
    return transaction;
  }

  /** The payee at the payout cashier: a withdrawal that waits, `pending`, for the merchant's decision. */
  requestPayout(token: string): Transaction {
    const session = this.session(token);
    if (session.type !== 'withdrawal') throw new NumipayError(400, 'This session is a deposit');
    if (session.transaction_id) throw new NumipayError(400, 'This session has been used');
    const transaction = this.#create('withdrawal', session.request, {
      status: 'pending',
      rejected_reason: null,
    });
    this.#d.store.put(SESSION, { ...session, transaction_id: transaction.id });
    this.#notify(transaction);
    return transaction;
  }

  /** A card payment server to server. Only the last four digits are kept. */
  chargeCard(
    input: EnvelopeInput,
    card: CardInput,
    gatewayUrl: string,
  ): { transaction: Transaction; url: string } {
    const test = TEST_CARDS[card.card_number];
    const last4 = card.card_number.slice(-4);
    if (test?.outcome === 'three_ds') {
      const transaction = this.#create(
        'deposit',
        fields(input),
        { status: 'pending', rejected_reason: null },
        { card_last4: last4, three_ds: true },
      );
      return { transaction, url: `${gatewayUrl}/3ds/${transaction.id}` };
    }
    const transaction = this.#create(
      'deposit',
      fields(input),
      test?.outcome === 'rejected'
        ? { status: 'rejected', rejected_reason: test.reason ?? 'Declined' }
        : { status: 'successful', rejected_reason: null },
      { card_last4: last4 },
    );
    this.#notify(transaction);
    return { transaction, url: '' };
  }

  /** The buyer at the 3-D Secure page. */
  completeThreeDs(id: string, pass: boolean): Transaction {
    const transaction = this.transaction(id);
    if (!transaction.three_ds || transaction.status !== 'pending') {
      throw new NumipayError(400, 'This transaction is not waiting for 3-D Secure');
    }
    return this.#update(transaction, {
      status: pass ? 'successful' : 'rejected',
      rejected_reason: pass ? null : '3-D Secure authentication failed',
      three_ds: false,
    });
  }

  /** The merchant approves a pending payout: it stays `pending` while the provider pays out. */
  approve(id: string): Transaction {
    const transaction = this.#pendingPayout(id);
    const approved: Transaction = {
      ...transaction,
      approved: true,
      payout_due_ms: this.#d.clock.nowMs() + PAYOUT_PROCESSING_MS,
      updated_ms: this.#d.clock.nowMs(),
    };
    return this.#d.store.put(TRANSACTION, approved);
  }

  reject(id: string): Transaction {
    return this.#update(this.#pendingPayout(id), {
      status: 'rejected',
      rejected_reason: 'Rejected by merchant',
    });
  }

  /** By the merchant's tracking id (the seed: "unique transaction id in your system") or Numipay's own id. */
  transaction(id: string): Transaction {
    const own = this.#d.store.get<Transaction>(TRANSACTION, id);
    if (own) return own;
    const tracked = this.#d.store.list<Transaction>(TRANSACTION, { '$.request.tracking_id': id }).at(-1);
    if (!tracked) throw new NumipayError(404, 'Transaction not found');
    return tracked;
  }

  /** Transactions from `from` to `to` (DD-MM-YYYY, both included, at most seven days apart); default today. */
  list(from: string | undefined, to: string | undefined): Record<string, unknown>[] {
    const today = dayOf(this.#d.clock.nowMs());
    const start = parseDay(from ?? to ?? today);
    const end = parseDay(to ?? from ?? today);
    if (start === undefined || end === undefined)
      throw new NumipayError(400, 'from and to must be dates in DD-MM-YYYY format');
    if (end < start) throw new NumipayError(400, 'from must not be after to');
    if (end - start > MAX_RANGE_DAYS * DAY_MS)
      throw new NumipayError(400, "Maximum range between dates it's 7 days");
    return this.#d.store
      .list<Transaction>(TRANSACTION)
      .filter((t) => t.created_ms >= start && t.created_ms < end + DAY_MS)
      .map((t) => ({
        transaction_id: t.id,
        gateway_transaction_id: `gw${t.id}`.slice(0, 15),
        provider_transaction_id: null,
        transaction_type: t.type,
        transaction_date: listDate(t.created_ms),
        status: t.status,
        payment_provider: t.provider,
        customer_id: t.request.user_id,
        amount: Number(fromMinorUnits(t.request.amount, t.request.currency)),
        currency: t.request.currency,
        user_amount: Number(fromMinorUnits(t.request.amount, t.request.currency)),
        user_currency: t.request.currency,
        fx_amount: 0,
      }));
  }

  /** Payouts whose provider has paid out by now. */
  nextDueMs(): number | undefined {
    const due = this.#approvedPayouts().map((t) => t.payout_due_ms as number);
    return due.length === 0 ? undefined : Math.min(...due);
  }

  runDue(): void {
    const now = this.#d.clock.nowMs();
    for (const payout of this.#approvedPayouts()) {
      if ((payout.payout_due_ms as number) <= now)
        this.#update(payout, { status: 'successful', rejected_reason: null });
    }
  }

  #approvedPayouts(): Transaction[] {
    return this.#d.store
      .list<Transaction>(TRANSACTION, { '$.type': 'withdrawal', '$.status': 'pending' })
      .filter((t) => t.approved && t.payout_due_ms !== undefined);
  }

  #pendingPayout(id: string): Transaction {
    const transaction = this.transaction(id);
    if (transaction.type !== 'withdrawal' || transaction.status !== 'pending' || transaction.approved) {
      throw new NumipayError(400, 'Transaction is not a payout pending approval');
    }
    return transaction;
  }

  #create(
    type: TransactionType,
    request: RequestFields,
    outcome: { status: TransactionStatus; rejected_reason: string | null },
    extra: Partial<Transaction> = {},
  ): Transaction {
    const now = this.#d.clock.nowMs();
    const transaction: Transaction = {
      id: newTransactionId(),
      type,
      ...outcome,
      request,
      provider: PROVIDER,
      ...extra,
      created_ms: now,
      updated_ms: now,
    };
    return this.#d.store.put(TRANSACTION, transaction);
  }

  #update(transaction: Transaction, change: Partial<Transaction>): Transaction {
    const updated = this.#d.store.put(TRANSACTION, {
      ...transaction,
      ...change,
      updated_ms: this.#d.clock.nowMs(),
    });
    this.#notify(updated);
    return updated;
  }

  /** The seed's webhook payload, to the request's `settings.callback_url` or the account's webhook URL. */
  #notify(transaction: Transaction): void {
    const settings = transaction.request.settings;
    const url =
      typeof settings['callback_url'] === 'string' ? settings['callback_url'] : this.#d.config.webhookUrl;
    if (!url) return;
    const payload = {
      transaction_id: transaction.id,
      user_id: transaction.request.user_id,
      tracking_id: transaction.request.tracking_id,
      status: transaction.status,
      currency: transaction.request.currency,
      amount: fromMinorUnits(transaction.request.amount, transaction.request.currency),
      transaction_type: transaction.type,
    };
    this.#d.deliveries.enqueue({
      kind: 'webhook',
      url,
      event: `${transaction.type}.${transaction.status}`,
      eventId: `${transaction.id}:${transaction.status}`,
      source: { type: 'transaction', id: transaction.id },
      // Compact JSON, as `JSON.stringify(data)` writes it: the bytes sent are the bytes signed.
      body: JSON.stringify(payload),
      signer: 'signature_password',
    });
  }

  /** Where the buyer goes back to: the request's `settings.success_url` or `failure_url`, if it gave one. */
  returnUrl(request: RequestFields, outcome: 'success' | 'failure'): string | undefined {
    const url = request.settings[outcome === 'success' ? 'success_url' : 'failure_url'];
    return typeof url === 'string' ? url : undefined;
  }
}
