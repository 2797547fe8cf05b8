import { ConflictError, NotFoundError } from '@tijara/core';
import type { LedgerContext } from './context.js';
import type { Outbox } from './outbox.js';
import { paymentFromRow, sqlValue } from './rows.js';
import { all, get, type Program } from './sql/program.js';
import type { JsonObject, LedgerPayment, NewOutboxMessage, NewPayment, PaymentPatch } from './types.js';

export interface CreatedPayment {
  readonly payment: LedgerPayment;
  /**
   * False when nothing was written because a row already holds this key, this order attempt or this gateway
   * payment id; `payment` is then that row (by key first), for the caller to judge.
   */
  readonly created: boolean;
}

export interface UnsettledQuery {
  readonly gateway: string;
  /** The driver's `capabilities.captureOnApproval`: its automatic-capture approvals are swept too. */
  readonly captureOnApproval: boolean;
  /** Only payments created at or before this time (the reconciler's minimum age)… */
  readonly createdBefore: Date;
  /** …and at or after this one (older ones the gateway has expired). */
  readonly createdAfter: Date;
  readonly limit?: number;
}

export class Payments {
  readonly #c: LedgerContext;
  readonly #outbox: Outbox;

  constructor(context: LedgerContext, outbox: Outbox) {
    this.#c = context;
    this.#outbox = outbox;
  }

  /** Record a payment. Nothing is overwritten: see CreatedPayment. */
  async create(input: NewPayment): Promise<CreatedPayment> {
    const c = this.#c;
    const inserted = await c.autocommit(() =>
      get(c.q.insertPayment, {
        key: input.key,
        gateway: input.gateway,
        payment_id: sqlValue(input.paymentId),
        order_id: input.orderId,
        attempt: input.attempt ?? 1,
        amount: input.amount,
        currency: input.currency,
        capture_mode: input.captureMode,
        status: input.status ?? 'pending',
        customer_key: sqlValue(input.customerKey),
        next_action: sqlValue(input.nextAction),
        idempotency_key: sqlValue(input.idempotencyKey),
        metadata: JSON.stringify(input.metadata ?? {}),
        now: c.now(),
      }),
    );
    if (inserted) return { payment: paymentFromRow(inserted), created: true };
    const existing =
      (await this.get(input.key)) ??
      (await this.byAttempt(input.orderId, input.attempt ?? 1)) ??
      (input.paymentId === undefined ? undefined : await this.find(input.gateway, input.paymentId));
    if (!existing) {
      throw new ConflictError(`Payment ${input.key} could not be recorded`, {
        code: 'ledger_insert_conflict',
      });
    }
    return { payment: existing, created: false };
  }

  async get(key: string): Promise<LedgerPayment | undefined> {
    const row = await this.#c.read(() => get(this.#c.q.paymentByKey, { key }));
    return row && paymentFromRow(row);
  }

  /** By the gateway's payment id. */
  async find(gateway: string, paymentId: string): Promise<LedgerPayment | undefined> {
    const row = await this.#c.read(() =>
      get(this.#c.q.paymentByGatewayId, { gateway, payment_id: paymentId }),
    );
    return row && paymentFromRow(row);
  }

  async byAttempt(orderId: string, attempt: number): Promise<LedgerPayment | undefined> {
    const row = await this.#c.read(() => get(this.#c.q.paymentByAttempt, { order_id: orderId, attempt }));
    return row && paymentFromRow(row);
  }

  /** An order's attempts, oldest first. */
  async list(orderId: string): Promise<LedgerPayment[]> {
    const rows = await this.#c.read(() => all(this.#c.q.paymentsByOrder, { order_id: orderId }));
    return rows.map(paymentFromRow);
  }

  /** The next attempt number for an order (1 for its first). */
  async nextAttempt(orderId: string): Promise<number> {
    return ((await this.list(orderId)).at(-1)?.attempt ?? 0) + 1;
  }

  /**
   * Set the gateway's payment id on a payment recorded before the gateway was called (and where to send the
   * buyer). Attaching the same id again is a no-op; another id is refused (ConflictError).
   */
  async attach(
    key: string,
    gatewayPayment: { paymentId: string; nextAction?: LedgerPayment['nextAction'] },
  ): Promise<LedgerPayment> {
    const c = this.#c;
    const row = await c.autocommit(() =>
      get(c.q.attachPayment, {
        key,
        payment_id: gatewayPayment.paymentId,
        next_action: sqlValue(gatewayPayment.nextAction),
        now: c.now(),
      }),
    );
    if (row) return paymentFromRow(row);
    const existing = await this.get(key);
    if (!existing) throw new NotFoundError(`No payment ${key} in the ledger`, { code: 'payment_not_found' });
    throw new ConflictError(`Payment ${key} is already attached to ${existing.paymentId}`, {
      code: 'payment_already_attached',
    });
  }

  /**
   * Change what a plugin keeps about a payment outside a settlement (its status, where the buyer goes next, its
   * metadata), and queue `enqueue` messages in the same transaction.
   */
  async update(
    key: string,
    patch: PaymentPatch,
    options: { enqueue?: readonly NewOutboxMessage[] } = {},
  ): Promise<LedgerPayment> {
    const c = this.#c;
    const outbox = this.#outbox;
    return c.write(function* (): Program<LedgerPayment> {
      const row = yield* get(c.q.paymentByKeyForUpdate, { key });
      if (!row) throw new NotFoundError(`No payment ${key} in the ledger`, { code: 'payment_not_found' });
      const current = paymentFromRow(row);
      if (patch.expectedVersion !== undefined && patch.expectedVersion !== current.version) {
        throw versionConflict(key, patch.expectedVersion);
      }
      const metadata = mergeMetadata(current.metadata, patch.metadata);
      const nextAction =
        patch.nextAction === undefined ? current.nextAction : (patch.nextAction ?? undefined);
      const updated = yield* get(c.q.patchPayment, {
        key,
        version: current.version,
        status: patch.status ?? current.status,
        next_action: sqlValue(nextAction),
        metadata: JSON.stringify(metadata),
        now: c.now(),
      });
      if (!updated) throw versionConflict(key, current.version);
      if (options.enqueue?.length) yield* outbox.enqueueProgram(options.enqueue);
      return paymentFromRow(updated);
    });
  }

  /**
   * What a reconciler should re-read, oldest first: see UnsettledQuery. Also every payment with messages still
   * waiting to be handed over, whatever its age (a store callback that failed).
   */
  async unsettled(query: UnsettledQuery): Promise<LedgerPayment[]> {
    const c = this.#c;
    await c.flush();
    const rows = await c.read(() =>
      all(c.q.unsettledPayments, {
        gateway: query.gateway,
        capture_on_approval: query.captureOnApproval ? 1 : 0,
        created_before: query.createdBefore.getTime(),
        created_after: query.createdAfter.getTime(),
        limit: query.limit ?? 500,
      }),
    );
    const out: LedgerPayment[] = [];
    for (const row of rows) {
      const payment = await this.get(String(row.key));
      if (payment) out.push(payment);
    }
    return out;
  }
}

function mergeMetadata(current: JsonObject, patch: JsonObject | undefined): JsonObject {
  if (!patch) return current;
  const merged: JsonObject = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export function versionConflict(key: string, version: number): ConflictError {
  return new ConflictError(
    `Payment ${key} changed since version ${version} was read; read it again and retry`,
    { code: 'ledger_version_conflict' },
  );
}
