/**
 * Every statement the ledger runs, written once for SQLite and PostgreSQL (see `sql/statement.ts` for the
 * parameter and macro rules). Times are epoch milliseconds from the ledger's clock (`$now`), so both backends
 * order and expire things the same way.
 */
import { createHash } from 'node:crypto';
import { AWAITING_STATUSES } from '@tijara/core';
import type { LedgerTables } from './schema.js';
import { StatementSet, type Statement } from './sql/statement.js';

/** The statuses the reconciler re-reads regardless of capture policy, as an SQL list (from core's vocabulary). */
const awaiting = [...AWAITING_STATUSES].map((status) => `'${status}'`).join(', ');

export function ledgerQueries(t: LedgerTables) {
  // Prepared statement names must be unique per set of tables and short (PostgreSQL keeps 63 bytes).
  const tag = createHash('sha256')
    .update(`${t.schema ?? ''}.${t.prefix}`)
    .digest('hex')
    .slice(0, 10);
  const s = new StatementSet(`tl${tag}_`);
  const q = (text: string): Statement => s.define(text);
  const payments = t.payments;
  const outbox = t.outbox;
  /** Open (not yet delivered, not dead) messages of the stream named by `stream_ref`. */
  const pendingIn = (streamRef: string) =>
    `EXISTS (SELECT 1 FROM ${outbox} o WHERE o.stream = ${streamRef} AND o.status = 'pending')`;
  return {
    // ---------------------------------------------------------------------------------------- migrations
    appliedMigrations: q(`SELECT version FROM ${t.migrations}`),
    migrationRows: q(`SELECT version, name, applied_at FROM ${t.migrations} ORDER BY version`),
    recordMigration: q(
      `INSERT INTO ${t.migrations} (version, name, applied_at) VALUES ($version, $name, $now)`,
    ),

    // ------------------------------------------------------------------------------------------ payments
    insertPayment: q(
      `INSERT INTO ${payments} (key, gateway, payment_id, order_id, attempt, amount, currency, capture_mode, status,
         captured_amount, refunded_amount, customer_key, next_action, idempotency_key, metadata, version,
         created_at, updated_at)
       VALUES ($key, $gateway, $payment_id, $order_id, $attempt, $amount, $currency, $capture_mode, $status,
         0, 0, $customer_key, $next_action, $idempotency_key, $metadata, 0, $now, $now)
       ON CONFLICT DO NOTHING
       RETURNING *`,
    ),
    paymentByKey: q(`SELECT * FROM ${payments} WHERE key = $key`),
    paymentByKeyForUpdate: q(`SELECT * FROM ${payments} WHERE key = $key {for_update}`),
    paymentByGatewayId: q(`SELECT * FROM ${payments} WHERE gateway = $gateway AND payment_id = $payment_id`),
    paymentByAttempt: q(`SELECT * FROM ${payments} WHERE order_id = $order_id AND attempt = $attempt`),
    paymentsByOrder: q(`SELECT * FROM ${payments} WHERE order_id = $order_id ORDER BY attempt`),
    /** The settlement's view of a payment: the row, and whether messages of its stream wait to be handed over. */
    settlementRecord: q(
      `SELECT p.*, CASE WHEN ${pendingIn('p.key')} THEN 1 ELSE 0 END AS undelivered
       FROM ${payments} p WHERE p.gateway = $gateway AND p.payment_id = $payment_id`,
    ),
    applySettlement: q(
      `UPDATE ${payments}
       SET status = $status, refunded_amount = $refunded_amount, captured_amount = $captured_amount,
           authorization_expires_at = $authorization_expires_at, version = version + 1, updated_at = $now
       WHERE key = $key AND version = $version`,
    ),
    attachPayment: q(
      `UPDATE ${payments}
       SET payment_id = $payment_id, next_action = COALESCE($next_action, next_action), version = version + 1,
           updated_at = $now
       WHERE key = $key AND (payment_id IS NULL OR payment_id = $payment_id)
       RETURNING *`,
    ),
    patchPayment: q(
      `UPDATE ${payments}
       SET status = $status, next_action = $next_action, metadata = $metadata, version = version + 1,
           updated_at = $now
       WHERE key = $key AND version = $version
       RETURNING *`,
    ),
    /**
     * What the reconciler re-reads (core's `needsSweep`: awaiting the buyer or the bank, or an approval the suite
     * must still capture) inside the age window, and any payment whose messages wait to be handed over.
     */
    unsettledPayments: q(
      `SELECT key, payment_id, created_at FROM ${payments}
       WHERE gateway = $gateway AND payment_id IS NOT NULL
         AND (status IN (${awaiting})
              OR (status = 'authorized' AND capture_mode = 'automatic' AND $capture_on_approval = 1))
         AND created_at <= $created_before AND created_at >= $created_after
       UNION
       SELECT p.key, p.payment_id, p.created_at FROM ${payments} p
       WHERE p.gateway = $gateway AND p.payment_id IS NOT NULL AND ${pendingIn('p.key')}
       ORDER BY created_at LIMIT $limit`,
    ),

    // ---------------------------------------------------------------------------------------- operations
    operationById: q(`SELECT * FROM ${t.operations} WHERE id = $id`),
    operationTotal: q(
      `SELECT COALESCE(SUM(amount), 0) AS total FROM ${t.operations}
       WHERE payment_key = $payment_key AND kind = $kind AND status <> 'failed'`,
    ),
    insertOperation: q(
      `INSERT INTO ${t.operations} (id, kind, payment_key, order_id, amount, currency, status, reason, metadata,
         created_at, updated_at)
       VALUES ($id, $kind, $payment_key, $order_id, $amount, $currency, 'pending', $reason, $metadata, $now, $now)
       RETURNING *`,
    ),
    resolveOperation: q(
      `UPDATE ${t.operations}
       SET status = $status, gateway_id = COALESCE($gateway_id, gateway_id), failure = $failure,
           metadata = COALESCE($metadata, metadata), updated_at = $now
       WHERE id = $id
       RETURNING *`,
    ),
    operationsByPayment: q(
      `SELECT * FROM ${t.operations} WHERE payment_key = $payment_key ORDER BY created_at, id`,
    ),

    // -------------------------------------------------------------------------------------------- outbox
    /** The first open message of a stream, locked on PostgreSQL so claimers of one stream take turns. */
    streamHead: q(
      `SELECT sequence, status, lease_owner, lease_until FROM ${outbox}
       WHERE stream = $stream AND status <> 'delivered' ORDER BY sequence LIMIT 1 {for_update}`,
    ),
    insertMessage: q(
      `INSERT INTO ${outbox} (id, topic, stream, payload, status, attempts, available_at, lease_owner, lease_until,
         fence, created_at)
       VALUES ($id, $topic, $stream, $payload, 'pending', 0, $available_at, $lease_owner, $lease_until, $fence, $now)
       ON CONFLICT (id) DO NOTHING
       RETURNING sequence`,
    ),
    claimStream: q(
      `UPDATE ${outbox} SET lease_owner = $owner, lease_until = $lease_until, fence = fence + 1
       WHERE stream = $stream AND status = 'pending'
       RETURNING *`,
    ),
    /** Heads of streams that are due and not leased. */
    dueHeads: q(
      `SELECT sequence FROM ${outbox} o
       WHERE o.status = 'pending' AND o.available_at <= $now AND (o.lease_until IS NULL OR o.lease_until <= $now)
         AND NOT EXISTS (SELECT 1 FROM ${outbox} p
                         WHERE p.stream = o.stream AND p.status <> 'delivered' AND p.sequence < o.sequence)
       ORDER BY o.available_at, o.sequence LIMIT $limit {skip_locked}`,
    ),
    claimMessage: q(
      `UPDATE ${outbox} SET lease_owner = $owner, lease_until = $lease_until, fence = fence + 1
       WHERE sequence = $sequence AND status = 'pending' AND (lease_until IS NULL OR lease_until <= $now)
       RETURNING *`,
    ),
    completeMessage: q(
      `UPDATE ${outbox} SET status = 'delivered', delivered_at = $now, lease_owner = NULL, lease_until = NULL
       WHERE id = $id AND fence = $fence AND status = 'pending'`,
    ),
    failMessage: q(
      `UPDATE ${outbox}
       SET attempts = attempts + 1, last_error = $error, lease_owner = NULL, lease_until = NULL,
           available_at = $available_at, status = CASE WHEN attempts + 1 >= $max_attempts THEN 'dead' ELSE 'pending' END
       WHERE id = $id AND fence = $fence AND status = 'pending'
       RETURNING status, attempts`,
    ),
    releaseStream: q(
      `UPDATE ${outbox} SET lease_owner = NULL, lease_until = NULL
       WHERE stream = $stream AND lease_owner = $owner AND status = 'pending'`,
    ),
    reviveMessage: q(
      `UPDATE ${outbox} SET status = 'pending', attempts = 0, available_at = $now, last_error = NULL
       WHERE id = $id AND status = 'dead'`,
    ),
    messageById: q(`SELECT * FROM ${outbox} WHERE id = $id`),
    messagesOfStream: q(`SELECT * FROM ${outbox} WHERE stream = $stream ORDER BY sequence`),
    openMessages: q(`SELECT * FROM ${outbox} WHERE status <> 'delivered' ORDER BY sequence LIMIT $limit`),
    purgeDelivered: q(
      `DELETE FROM ${outbox} WHERE sequence IN
         (SELECT sequence FROM ${outbox} WHERE status = 'delivered' AND delivered_at < $before LIMIT 1000)`,
    ),

    // -------------------------------------------------------------------------------------------- events
    /** Records a new key or takes over an expired one; RETURNING yields a row only when this call recorded it. */
    rememberEvent: q(
      `INSERT INTO ${t.events} AS e (key, stream, expires_at) VALUES ($key, $stream, $expires_at)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at, stream = excluded.stream
       WHERE e.expires_at <= $now
       RETURNING key`,
    ),
    eventSeen: q(`SELECT 1 AS found FROM ${t.events} WHERE key = $key AND expires_at > $now`),
    forgetEvent: q(`DELETE FROM ${t.events} WHERE key = $key`),
    purgeEvents: q(
      `DELETE FROM ${t.events} WHERE key IN
         (SELECT key FROM ${t.events} WHERE expires_at <= $now LIMIT 1000)`,
    ),

    // ------------------------------------------------------------------------------------- saved methods
    saveMethod: q(
      `INSERT INTO ${t.savedMethods} (id, customer_key, gateway, token, brand, last4, expiry_month, expiry_year,
         holder_name, source_payment_id, created_at)
       VALUES ($id, $customer_key, $gateway, $token, $brand, $last4, $expiry_month, $expiry_year, $holder_name,
         $source_payment_id, $now)
       ON CONFLICT (customer_key, gateway, token) DO UPDATE SET brand = excluded.brand, last4 = excluded.last4,
         expiry_month = excluded.expiry_month, expiry_year = excluded.expiry_year,
         holder_name = excluded.holder_name
       RETURNING *`,
    ),
    savedMethodsOf: q(
      `SELECT * FROM ${t.savedMethods} WHERE customer_key = $customer_key ORDER BY created_at, id`,
    ),
    savedMethodById: q(`SELECT * FROM ${t.savedMethods} WHERE id = $id`),
    deleteSavedMethod: q(`DELETE FROM ${t.savedMethods} WHERE id = $id`),
  };
}

export type LedgerQueries = ReturnType<typeof ledgerQueries>;
