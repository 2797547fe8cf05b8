/**
 * Refunds, captures and voids, each recorded under the merchant's (or platform's) own id before the gateway is
 * called. The cumulative cap is checked in the same transaction as the insert, with the payment's row locked
 * (PostgreSQL) or the database's write lock held (SQLite): two concurrent refunds can never both fit in the
 * same remainder, and a refund that does not fit writes nothing.
 */
import { assertMinorUnits, InvalidRequestError, isCaptured, NotFoundError } from '@tijara/core';
import type { LedgerContext } from './context.js';
import { CaptureLimitError, RefundLimitError } from './errors.js';
import type { Outbox } from './outbox.js';
import { operationFromRow, paymentFromRow, sqlValue } from './rows.js';
import { all, get, type Program } from './sql/program.js';
import type {
  JsonObject,
  LedgerOperation,
  LedgerPayment,
  NewOperation,
  NewOutboxMessage,
  OperationStatus,
  RecordOperationOptions,
  RecordedOperation,
} from './types.js';

const ID = /^[A-Za-z0-9_.:@/+=-]{1,200}$/;

export interface OperationResolution {
  readonly status: OperationStatus;
  /** The gateway's id for it (e.g. its refund id). */
  readonly gatewayId?: string;
  /** Why the gateway refused it: a safe, short message (never a raw gateway body). */
  readonly failure?: string;
  /** Replaces the operation's metadata when given. */
  readonly metadata?: JsonObject;
}

export class Operations {
  readonly #c: LedgerContext;
  readonly #outbox: Outbox;

  constructor(context: LedgerContext, outbox: Outbox) {
    this.#c = context;
    this.#outbox = outbox;
  }

  /**
   * Record a refund, capture or void as `pending`. Recording an id again with the same terms answers the first
   * one (`created: false`); with other terms it is refused (InvalidRequestError `operation_id_reused`). A refund
   * or capture that does not fit in what is left throws RefundLimitError / CaptureLimitError, and nothing is
   * written.
   */
  async record(input: NewOperation, options: RecordOperationOptions = {}): Promise<RecordedOperation> {
    if (typeof input.id !== 'string' || !ID.test(input.id)) {
      throw new InvalidRequestError('An operation id must be 1–200 letters, digits or _ . : @ / + = -', {
        code: 'invalid_operation_id',
      });
    }
    if (input.amount !== undefined) assertMinorUnits(input.amount, `${input.kind} amount`);
    const c = this.#c;
    return c.write(function* (): Program<RecordedOperation> {
      const row = yield* get(c.q.paymentByKeyForUpdate, { key: input.paymentKey });
      if (!row) {
        throw new NotFoundError(`No payment ${input.paymentKey} in the ledger`, {
          code: 'payment_not_found',
        });
      }
      const payment = paymentFromRow(row);
      const existing = yield* get(c.q.operationById, { id: input.id });
      if (existing) {
        const operation = operationFromRow(existing);
        const same =
          operation.kind === input.kind &&
          operation.paymentKey === input.paymentKey &&
          (input.amount === undefined || input.kind === 'void' || input.amount === operation.amount);
        if (!same) {
          throw new InvalidRequestError(`Operation ${input.id} already exists with other terms`, {
            code: 'operation_id_reused',
          });
        }
        return { operation, created: false };
      }
      let amount: number | null = null;
      if (input.kind !== 'void') {
        const total = yield* get(c.q.operationTotal, { payment_key: payment.key, kind: input.kind });
        const committed = Number(total?.total ?? 0);
        const cap = options.cap ?? defaultCap(input.kind, payment);
        const remaining = Math.max(
          0,
          Math.min(cap - committed, options.available ?? Number.POSITIVE_INFINITY),
        );
        const requested = input.amount ?? remaining;
        if (requested <= 0 || requested > remaining) {
          throw input.kind === 'refund'
            ? new RefundLimitError({ requested, refundable: remaining, currency: payment.currency })
            : new CaptureLimitError({ requested, capturable: remaining, currency: payment.currency });
        }
        amount = requested;
      }
      const inserted = yield* get(c.q.insertOperation, {
        id: input.id,
        kind: input.kind,
        payment_key: payment.key,
        order_id: payment.orderId,
        amount,
        currency: payment.currency,
        reason: sqlValue(input.reason),
        metadata: JSON.stringify(input.metadata ?? {}),
        now: c.now(),
      });
      return { operation: operationFromRow(inserted as NonNullable<typeof inserted>), created: true };
    });
  }

  /** Record the gateway's answer, and queue `enqueue` messages in the same transaction. */
  async resolve(
    id: string,
    resolution: OperationResolution,
    options: { enqueue?: readonly NewOutboxMessage[] } = {},
  ): Promise<LedgerOperation> {
    const c = this.#c;
    const outbox = this.#outbox;
    return c.write(function* (): Program<LedgerOperation> {
      const row = yield* get(c.q.resolveOperation, {
        id,
        status: resolution.status,
        gateway_id: sqlValue(resolution.gatewayId),
        failure: sqlValue(resolution.failure),
        metadata: resolution.metadata === undefined ? null : JSON.stringify(resolution.metadata),
        now: c.now(),
      });
      if (!row) throw new NotFoundError(`No operation ${id} in the ledger`, { code: 'operation_not_found' });
      if (options.enqueue?.length) yield* outbox.enqueueProgram(options.enqueue);
      return operationFromRow(row);
    });
  }

  async get(id: string): Promise<LedgerOperation | undefined> {
    const row = await this.#c.read(() => get(this.#c.q.operationById, { id }));
    return row && operationFromRow(row);
  }

  /** A payment's operations (optionally of one kind), oldest first. */
  async list(paymentKey: string, kind?: LedgerOperation['kind']): Promise<LedgerOperation[]> {
    const rows = await this.#c.read(() => all(this.#c.q.operationsByPayment, { payment_key: paymentKey }));
    const operations = rows.map(operationFromRow);
    return kind === undefined ? operations : operations.filter((o) => o.kind === kind);
  }
}

/** Refunds: what was captured. Captures: the authorized amount. */
function defaultCap(kind: 'refund' | 'capture', payment: LedgerPayment): number {
  if (kind === 'capture') return payment.amount;
  if (payment.capturedAmount > 0) return payment.capturedAmount;
  return isCaptured(payment.status) ? payment.amount : 0;
}
