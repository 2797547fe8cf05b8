/**
 * The ledger on PostgreSQL, for store instances on several machines. Same tables and semantics as the SQLite
 * ledger; the version check in `applySettlement` keeps two writers from both settling one payment.
 */
import pg from 'pg';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { ConfigurationError, silentLogger, type Logger } from '@tijara/core';
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

export interface PostgresLedgerOptions {
  /** `postgres://` URL; the ledger opens its own pool and ends it on `close()`. */
  readonly connectionString?: string;
  /** A pool to share instead; never ended by the ledger. */
  readonly pool?: Pool;
  readonly poolConfig?: Omit<PoolConfig, 'connectionString'>;
  /** Prepended to the table names (default `tijara_express_`). */
  readonly tablePrefix?: string;
  /** Schema holding the tables (default: the search path). */
  readonly schema?: string;
  readonly logger?: Logger;
}

export function postgresLedgerSchemaSql(
  options: Pick<PostgresLedgerOptions, 'tablePrefix' | 'schema'> = {},
): string {
  const t = ledgerTables(options.tablePrefix, options.schema);
  const index = (table: string, suffix: string) => `${table.split('.').pop()}_${suffix}`;
  return `${options.schema ? `CREATE SCHEMA IF NOT EXISTS ${options.schema};\n` : ''}
CREATE TABLE IF NOT EXISTS ${t.payments} (
  payment_id text PRIMARY KEY,
  order_id text NOT NULL,
  attempt integer NOT NULL,
  kind text NOT NULL,
  amount bigint NOT NULL,
  currency text NOT NULL,
  capture_mode text NOT NULL,
  save_method smallint NOT NULL,
  customer_key text,
  status text NOT NULL,
  captured_amount bigint NOT NULL DEFAULT 0,
  refunded_amount bigint NOT NULL DEFAULT 0,
  checkout_url text,
  idempotency_key text NOT NULL,
  version integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  UNIQUE (order_id, attempt)
);
CREATE INDEX IF NOT EXISTS ${index(t.payments, 'status_idx')} ON ${t.payments} (status, created_at);
CREATE TABLE IF NOT EXISTS ${t.refunds} (
  refund_id text PRIMARY KEY,
  payment_id text NOT NULL,
  order_id text NOT NULL,
  amount bigint NOT NULL,
  currency text NOT NULL,
  status text NOT NULL,
  gateway_refund_id text,
  reason text,
  failure text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index(t.refunds, 'payment_idx')} ON ${t.refunds} (payment_id);
CREATE TABLE IF NOT EXISTS ${t.savedMethods} (
  method_id text PRIMARY KEY,
  customer_key text NOT NULL,
  token text NOT NULL,
  brand text,
  last4 text,
  expiry_month integer,
  expiry_year integer,
  holder_name text,
  source_payment_id text NOT NULL,
  created_at bigint NOT NULL,
  UNIQUE (customer_key, token)
);
CREATE TABLE IF NOT EXISTS ${t.deliveries} (
  delivery_id text PRIMARY KEY,
  payment_id text NOT NULL,
  sequence integer NOT NULL,
  body text NOT NULL,
  delivered_at bigint,
  created_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS ${index(t.deliveries, 'pending_idx')} ON ${t.deliveries} (payment_id, delivered_at);
`;
}

type Queryable = Pick<PoolClient, 'query'>;

export class PostgresLedger implements PaymentLedger {
  readonly #pool: Pool;
  readonly #owned: boolean;
  readonly #t: ReturnType<typeof ledgerTables>;
  readonly #schemaSql: string;
  #ready: Promise<void> | undefined;

  constructor(options: PostgresLedgerOptions) {
    this.#t = ledgerTables(options.tablePrefix, options.schema);
    this.#schemaSql = postgresLedgerSchemaSql(options);
    if (options.pool) {
      this.#pool = options.pool;
      this.#owned = false;
    } else if (options.connectionString) {
      this.#pool = new pg.Pool({ ...options.poolConfig, connectionString: options.connectionString });
      this.#owned = true;
      const logger = options.logger ?? silentLogger;
      // An idle client's error is emitted on the pool; unhandled, it would crash the process.
      this.#pool.on('error', (error) =>
        logger.warn({ ledger: 'postgres', err: error }, 'idle PostgreSQL client error'),
      );
    } else {
      throw new ConfigurationError('PostgresLedger needs `connectionString` or `pool`');
    }
  }

  /** Create the tables once; a failure (database not up yet) is retried by the next call. */
  ready(): Promise<void> {
    this.#ready ??= this.#withClient(async (client) => {
      await client.query('BEGIN');
      try {
        // Concurrent CREATE TABLE IF NOT EXISTS can collide on pg_type; serialize the processes creating it.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `tijara:express-ledger:${this.#t.payments}`,
        ]);
        await client.query(this.#schemaSql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }

  async #query(sql: string, values: unknown[] = [], on: Queryable = this.#pool): Promise<Row[]> {
    await this.ready();
    return (await on.query(sql, values)).rows as Row[];
  }

  async #count(sql: string, values: unknown[]): Promise<number> {
    await this.ready();
    return (await this.#pool.query(sql, values)).rowCount ?? 0;
  }

  async insertPayment(p: NewLedgerPayment): Promise<boolean> {
    const now = Date.now();
    const inserted = await this.#count(
      `INSERT INTO ${this.#t.payments} (payment_id, order_id, attempt, kind, amount, currency, capture_mode,
         save_method, customer_key, status, captured_amount, refunded_amount, checkout_url, idempotency_key,
         version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, $15, $15)
       ON CONFLICT DO NOTHING`,
      [
        p.paymentId,
        p.orderId,
        p.attempt,
        p.kind,
        p.amount,
        p.currency,
        p.captureMode,
        p.saveMethod ? 1 : 0,
        p.customerKey ?? null,
        p.status,
        p.capturedAmount,
        p.refundedAmount ?? 0,
        p.checkoutUrl ?? null,
        p.idempotencyKey,
        now,
      ],
    );
    return inserted === 1;
  }

  async getPayment(paymentId: string): Promise<LedgerPayment | undefined> {
    const [row] = await this.#query(`SELECT * FROM ${this.#t.payments} WHERE payment_id = $1`, [paymentId]);
    return row && paymentFromRow(row);
  }

  async listPayments(orderId: string): Promise<LedgerPayment[]> {
    const rows = await this.#query(`SELECT * FROM ${this.#t.payments} WHERE order_id = $1 ORDER BY attempt`, [
      orderId,
    ]);
    return rows.map(paymentFromRow);
  }

  async listUnsettled(createdBefore: Date, createdAfter: Date, limit: number): Promise<string[]> {
    const rows = await this.#query(
      `SELECT payment_id FROM (
         SELECT payment_id, created_at FROM ${this.#t.payments}
         WHERE status = ANY($1) AND created_at <= $2 AND created_at >= $3
         UNION
         SELECT payment_id, MIN(created_at) FROM ${this.#t.deliveries} WHERE delivered_at IS NULL GROUP BY payment_id
       ) AS due ORDER BY created_at LIMIT $4`,
      [UNSETTLED_STATUSES, createdBefore.getTime(), createdAfter.getTime(), limit],
    );
    return [...new Set(rows.map((row) => String(row.payment_id)))];
  }

  async applySettlement(
    paymentId: string,
    update: SettlementUpdate,
    deliveries: readonly PendingDelivery[],
  ): Promise<void> {
    await this.ready();
    const now = Date.now();
    await this.#withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await client.query(
          `UPDATE ${this.#t.payments}
           SET status = $2, refunded_amount = $3, captured_amount = $4, version = version + 1, updated_at = $6
           WHERE payment_id = $1 AND version = $5`,
          [
            paymentId,
            update.next.status,
            update.next.refundedAmount,
            update.capturedAmount,
            update.expectedVersion,
            now,
          ],
        );
        if (result.rowCount !== 1) throw versionConflict(paymentId, update.expectedVersion);
        for (const d of deliveries) {
          await client.query(
            `INSERT INTO ${this.#t.deliveries} (delivery_id, payment_id, sequence, body, created_at)
             VALUES ($1, $2, $3, $4, $5)`,
            [d.id, d.paymentId, d.sequence, d.body, now],
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async pendingDeliveries(paymentId: string): Promise<PendingDelivery[]> {
    const rows = await this.#query(
      `SELECT delivery_id, payment_id, sequence, body FROM ${this.#t.deliveries}
       WHERE payment_id = $1 AND delivered_at IS NULL ORDER BY sequence`,
      [paymentId],
    );
    return rows.map((row) => ({
      id: String(row.delivery_id),
      paymentId: String(row.payment_id),
      sequence: Number(row.sequence),
      body: String(row.body),
    }));
  }

  async markDelivered(id: string): Promise<void> {
    await this.#query(`UPDATE ${this.#t.deliveries} SET delivered_at = $2 WHERE delivery_id = $1`, [
      id,
      Date.now(),
    ]);
  }

  async insertRefund(r: NewLedgerRefund): Promise<boolean> {
    const now = Date.now();
    const inserted = await this.#count(
      `INSERT INTO ${this.#t.refunds} (refund_id, payment_id, order_id, amount, currency, status, reason,
         created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $7)
       ON CONFLICT DO NOTHING`,
      [r.id, r.paymentId, r.orderId, r.amount, r.currency, r.reason ?? null, now],
    );
    return inserted === 1;
  }

  async getRefund(id: string): Promise<LedgerRefund | undefined> {
    const [row] = await this.#query(`SELECT * FROM ${this.#t.refunds} WHERE refund_id = $1`, [id]);
    return row && refundFromRow(row);
  }

  async listRefunds(paymentId: string): Promise<LedgerRefund[]> {
    const rows = await this.#query(
      `SELECT * FROM ${this.#t.refunds} WHERE payment_id = $1 ORDER BY created_at, refund_id`,
      [paymentId],
    );
    return rows.map(refundFromRow);
  }

  async updateRefund(
    id: string,
    update: { status: RefundStatus; gatewayRefundId?: string | undefined; failure?: string | undefined },
  ): Promise<void> {
    await this.#query(
      `UPDATE ${this.#t.refunds}
       SET status = $2, gateway_refund_id = COALESCE($3, gateway_refund_id), failure = $4, updated_at = $5
       WHERE refund_id = $1`,
      [id, update.status, update.gatewayRefundId ?? null, update.failure ?? null, Date.now()],
    );
  }

  async saveMethod(m: NewLedgerSavedMethod): Promise<LedgerSavedMethod> {
    const [row] = await this.#query(
      `INSERT INTO ${this.#t.savedMethods} (method_id, customer_key, token, brand, last4, expiry_month, expiry_year,
         holder_name, source_payment_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (customer_key, token) DO UPDATE SET brand = excluded.brand, last4 = excluded.last4,
         expiry_month = excluded.expiry_month, expiry_year = excluded.expiry_year, holder_name = excluded.holder_name
       RETURNING *`,
      [
        m.id,
        m.customerKey,
        m.token,
        m.brand ?? null,
        m.last4 ?? null,
        m.expiryMonth ?? null,
        m.expiryYear ?? null,
        m.holderName ?? null,
        m.sourcePaymentId,
        Date.now(),
      ],
    );
    return savedMethodFromRow(row as Row);
  }

  async listSavedMethods(customerKey: string): Promise<LedgerSavedMethod[]> {
    const rows = await this.#query(
      `SELECT * FROM ${this.#t.savedMethods} WHERE customer_key = $1 ORDER BY created_at, method_id`,
      [customerKey],
    );
    return rows.map(savedMethodFromRow);
  }

  async getSavedMethod(id: string): Promise<LedgerSavedMethod | undefined> {
    const [row] = await this.#query(`SELECT * FROM ${this.#t.savedMethods} WHERE method_id = $1`, [id]);
    return row && savedMethodFromRow(row);
  }

  async deleteSavedMethod(id: string): Promise<void> {
    await this.#query(`DELETE FROM ${this.#t.savedMethods} WHERE method_id = $1`, [id]);
  }

  async close(): Promise<void> {
    if (this.#owned && !this.#pool.ended) await this.#pool.end();
  }
}
