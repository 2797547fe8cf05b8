/**
 * The ledger on the built-in `node:sqlite`: the default, one file, shared safely by several processes on one
 * machine (WAL and a busy timeout, set by core's `openSqliteDatabase`). Calls are synchronous underneath;
 * the async interface keeps it interchangeable with PostgreSQL.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { openSqliteDatabase, type Logger } from '@tijara/core';
import {
  ledgerTables,
  paymentFromRow,
  refundFromRow,
  savedMethodFromRow,
  UNSETTLED_STATUSES,
  versionConflict,
  type Row,
} from './rows.js';
import type {
  LedgerPayment,
  LedgerRefund,
  LedgerSavedMethod,
  NewLedgerPayment,
  NewLedgerRefund,
  NewLedgerSavedMethod,
  PaymentLedger,
  PendingDelivery,
  RefundStatus,
  SettlementUpdate,
} from './types.js';

export interface SqliteLedgerOptions {
  /** Database file (created with its directory) or `:memory:`. */
  readonly path?: string;
  /** An open database to share, e.g. with core's SQLite stores. Not closed by the ledger. */
  readonly database?: DatabaseSync;
  /** Prepended to the table names (default `tijara_express_`). */
  readonly tablePrefix?: string;
  /**
   * SQLite's `synchronous` for a database the ledger opens itself (default `'normal'` in WAL mode; see core's
   * `SqliteStoreOptions.synchronous`). Ignored with `database`.
   */
  readonly synchronous?: 'full' | 'normal';
  readonly logger?: Logger;
}

type Params = Record<string, SQLInputValue>;

/** node:sqlite binds neither booleans nor undefined. */
const value = (v: unknown): SQLInputValue =>
  v === undefined || v === null ? null : typeof v === 'boolean' ? (v ? 1 : 0) : (v as SQLInputValue);

export class SqliteLedger implements PaymentLedger {
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #t: ReturnType<typeof ledgerTables>;
  /**
   * One prepared statement per SQL text: preparing (parsing and planning) on every call was ≈ 8 % of a busy
   * process. The SQL texts are a fixed set (table names and placeholders only), so the cache stays small.
   */
  readonly #statements = new Map<string, StatementSync>();

  constructor(options: SqliteLedgerOptions = {}) {
    this.#t = ledgerTables(options.tablePrefix);
    this.#owned = options.database === undefined;
    this.#db =
      options.database ??
      openSqliteDatabase(options.path ?? ':memory:', {
        logger: options.logger,
        ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
      });
    this.#db.exec(this.#schema());
  }

  #schema(): string {
    const t = this.#t;
    return `
CREATE TABLE IF NOT EXISTS ${t.payments} (
  payment_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  capture_mode TEXT NOT NULL,
  save_method INTEGER NOT NULL,
  customer_key TEXT,
  status TEXT NOT NULL,
  captured_amount INTEGER NOT NULL DEFAULT 0,
  refunded_amount INTEGER NOT NULL DEFAULT 0,
  checkout_url TEXT,
  idempotency_key TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (order_id, attempt)
);
CREATE INDEX IF NOT EXISTS ${t.payments}_status_idx ON ${t.payments} (status, created_at);
CREATE TABLE IF NOT EXISTS ${t.refunds} (
  refund_id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL,
  order_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  status TEXT NOT NULL,
  gateway_refund_id TEXT,
  reason TEXT,
  failure TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ${t.refunds}_payment_idx ON ${t.refunds} (payment_id);
CREATE TABLE IF NOT EXISTS ${t.savedMethods} (
  method_id TEXT PRIMARY KEY,
  customer_key TEXT NOT NULL,
  token TEXT NOT NULL,
  brand TEXT,
  last4 TEXT,
  expiry_month INTEGER,
  expiry_year INTEGER,
  holder_name TEXT,
  source_payment_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (customer_key, token)
);
CREATE TABLE IF NOT EXISTS ${t.deliveries} (
  delivery_id TEXT PRIMARY KEY,
  payment_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  body TEXT NOT NULL,
  delivered_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ${t.deliveries}_pending_idx ON ${t.deliveries} (payment_id, delivered_at);
`;
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
  #run(sql: string, params: Params = {}): number {
    return Number(this.#statement(sql).run(params).changes);
  }
  #get(sql: string, params: Params = {}): Row | undefined {
    return this.#statement(sql).get(params) as Row | undefined;
  }
  #all(sql: string, params: Params = {}): Row[] {
    return this.#statement(sql).all(params) as Row[];
  }

  /** A write transaction; IMMEDIATE so two processes never both read then both write. */
  #transaction<T>(fn: () => T): T {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  async insertPayment(p: NewLedgerPayment): Promise<boolean> {
    const now = Date.now();
    const changes = this.#run(
      `INSERT INTO ${this.#t.payments} (payment_id, order_id, attempt, kind, amount, currency, capture_mode,
         save_method, customer_key, status, captured_amount, refunded_amount, checkout_url, idempotency_key,
         version, created_at, updated_at)
       VALUES ($payment_id, $order_id, $attempt, $kind, $amount, $currency, $capture_mode, $save_method,
         $customer_key, $status, $captured_amount, $refunded_amount, $checkout_url, $idempotency_key, 0, $now, $now)
       ON CONFLICT DO NOTHING`,
      {
        payment_id: p.paymentId,
        order_id: p.orderId,
        attempt: p.attempt,
        kind: p.kind,
        amount: p.amount,
        currency: p.currency,
        capture_mode: p.captureMode,
        save_method: value(p.saveMethod),
        customer_key: value(p.customerKey),
        status: p.status,
        captured_amount: p.capturedAmount,
        refunded_amount: p.refundedAmount ?? 0,
        checkout_url: value(p.checkoutUrl),
        idempotency_key: p.idempotencyKey,
        now,
      },
    );
    return changes === 1;
  }

  async getPayment(paymentId: string): Promise<LedgerPayment | undefined> {
    const row = this.#get(`SELECT * FROM ${this.#t.payments} WHERE payment_id = $id`, { id: paymentId });
    return row && paymentFromRow(row);
  }

  async listPayments(orderId: string): Promise<LedgerPayment[]> {
    return this.#all(`SELECT * FROM ${this.#t.payments} WHERE order_id = $id ORDER BY attempt`, {
      id: orderId,
    }).map(paymentFromRow);
  }

  async listUnsettled(createdBefore: Date, createdAfter: Date, limit: number): Promise<string[]> {
    const statuses = UNSETTLED_STATUSES.map((s) => `'${s}'`).join(', ');
    const rows = this.#all(
      `SELECT payment_id FROM (
         SELECT payment_id, created_at FROM ${this.#t.payments}
         WHERE status IN (${statuses}) AND created_at <= $before AND created_at >= $after
         UNION
         SELECT payment_id, MIN(created_at) FROM ${this.#t.deliveries} WHERE delivered_at IS NULL GROUP BY payment_id
       ) ORDER BY created_at LIMIT $limit`,
      { before: createdBefore.getTime(), after: createdAfter.getTime(), limit },
    );
    return [...new Set(rows.map((row) => String(row.payment_id)))];
  }

  async applySettlement(
    paymentId: string,
    update: SettlementUpdate,
    deliveries: readonly PendingDelivery[],
  ): Promise<void> {
    const now = Date.now();
    this.#transaction(() => {
      const changed = this.#run(
        `UPDATE ${this.#t.payments}
         SET status = $status, refunded_amount = $refunded, captured_amount = $captured,
             version = version + 1, updated_at = $now
         WHERE payment_id = $id AND version = $version`,
        {
          id: paymentId,
          status: update.next.status,
          refunded: update.next.refundedAmount,
          captured: update.capturedAmount,
          version: update.expectedVersion,
          now,
        },
      );
      if (changed !== 1) throw versionConflict(paymentId, update.expectedVersion);
      for (const d of deliveries) {
        this.#run(
          `INSERT INTO ${this.#t.deliveries} (delivery_id, payment_id, sequence, body, created_at)
           VALUES ($id, $payment_id, $sequence, $body, $now)`,
          { id: d.id, payment_id: d.paymentId, sequence: d.sequence, body: d.body, now },
        );
      }
    });
  }

  async pendingDeliveries(paymentId: string): Promise<PendingDelivery[]> {
    return this.#all(
      `SELECT delivery_id, payment_id, sequence, body FROM ${this.#t.deliveries}
       WHERE payment_id = $id AND delivered_at IS NULL ORDER BY sequence`,
      { id: paymentId },
    ).map((row) => ({
      id: String(row.delivery_id),
      paymentId: String(row.payment_id),
      sequence: Number(row.sequence),
      body: String(row.body),
    }));
  }

  async markDelivered(id: string): Promise<void> {
    this.#run(`UPDATE ${this.#t.deliveries} SET delivered_at = $now WHERE delivery_id = $id`, {
      id,
      now: Date.now(),
    });
  }

  async insertRefund(r: NewLedgerRefund): Promise<boolean> {
    const now = Date.now();
    const changes = this.#run(
      `INSERT INTO ${this.#t.refunds} (refund_id, payment_id, order_id, amount, currency, status, reason,
         created_at, updated_at)
       VALUES ($id, $payment_id, $order_id, $amount, $currency, 'pending', $reason, $now, $now)
       ON CONFLICT DO NOTHING`,
      {
        id: r.id,
        payment_id: r.paymentId,
        order_id: r.orderId,
        amount: r.amount,
        currency: r.currency,
        reason: value(r.reason),
        now,
      },
    );
    return changes === 1;
  }

  async getRefund(id: string): Promise<LedgerRefund | undefined> {
    const row = this.#get(`SELECT * FROM ${this.#t.refunds} WHERE refund_id = $id`, { id });
    return row && refundFromRow(row);
  }

  async listRefunds(paymentId: string): Promise<LedgerRefund[]> {
    return this.#all(
      `SELECT * FROM ${this.#t.refunds} WHERE payment_id = $id ORDER BY created_at, refund_id`,
      {
        id: paymentId,
      },
    ).map(refundFromRow);
  }

  async updateRefund(
    id: string,
    update: { status: RefundStatus; gatewayRefundId?: string | undefined; failure?: string | undefined },
  ): Promise<void> {
    this.#run(
      `UPDATE ${this.#t.refunds}
       SET status = $status, gateway_refund_id = COALESCE($gateway_refund_id, gateway_refund_id),
           failure = $failure, updated_at = $now
       WHERE refund_id = $id`,
      {
        id,
        status: update.status,
        gateway_refund_id: value(update.gatewayRefundId),
        failure: value(update.failure),
        now: Date.now(),
      },
    );
  }

  async saveMethod(m: NewLedgerSavedMethod): Promise<LedgerSavedMethod> {
    this.#run(
      `INSERT INTO ${this.#t.savedMethods} (method_id, customer_key, token, brand, last4, expiry_month, expiry_year,
         holder_name, source_payment_id, created_at)
       VALUES ($id, $customer_key, $token, $brand, $last4, $expiry_month, $expiry_year, $holder_name,
         $source_payment_id, $now)
       ON CONFLICT (customer_key, token) DO UPDATE SET brand = excluded.brand, last4 = excluded.last4,
         expiry_month = excluded.expiry_month, expiry_year = excluded.expiry_year, holder_name = excluded.holder_name`,
      {
        id: m.id,
        customer_key: m.customerKey,
        token: m.token,
        brand: value(m.brand),
        last4: value(m.last4),
        expiry_month: value(m.expiryMonth),
        expiry_year: value(m.expiryYear),
        holder_name: value(m.holderName),
        source_payment_id: m.sourcePaymentId,
        now: Date.now(),
      },
    );
    const row = this.#get(
      `SELECT * FROM ${this.#t.savedMethods} WHERE customer_key = $customer AND token = $token`,
      {
        customer: m.customerKey,
        token: m.token,
      },
    );
    return savedMethodFromRow(row as Row);
  }

  async listSavedMethods(customerKey: string): Promise<LedgerSavedMethod[]> {
    return this.#all(
      `SELECT * FROM ${this.#t.savedMethods} WHERE customer_key = $customer ORDER BY created_at, method_id`,
      { customer: customerKey },
    ).map(savedMethodFromRow);
  }

  async getSavedMethod(id: string): Promise<LedgerSavedMethod | undefined> {
    const row = this.#get(`SELECT * FROM ${this.#t.savedMethods} WHERE method_id = $id`, { id });
    return row && savedMethodFromRow(row);
  }

  async deleteSavedMethod(id: string): Promise<void> {
    this.#run(`DELETE FROM ${this.#t.savedMethods} WHERE method_id = $id`, { id });
  }

  async close(): Promise<void> {
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }
}
