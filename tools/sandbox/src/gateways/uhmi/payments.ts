import { createPaymentRequestSchema, priceToMinorUnits, updatePaymentRequestSchema } from '@tijara/uhmi';
import type { z } from 'zod';
import type { SandboxClock } from '../../engine/clock.js';
import type { ObjectStore } from '../../engine/database.js';
import { MESSAGES, UhmiError } from './errors.js';
import {
  newPaymentId,
  newTransactionId,
  uhmiTimestamp,
  type PaymentRecord,
  type TransactionRecord,
  type TransactionStatus,
  type UhmiPaymentObject,
  type UhmiTransactionObject,
} from './model.js';

const PAYMENT = 'payment';
const TRANSACTION = 'transaction';

/** What a buyer does in the widget: pay (at `price` cents with pay-what-you-want), fail, or leave it open. */
export interface WidgetPayment {
  readonly outcome: TransactionStatus;
  /** Cents; only for pay-what-you-want, at least the payment's price. */
  readonly price?: number;
}

/** Uhmi answers one message per refusal: the first issue's, which already names its parameter. */
function badRequest(error: z.ZodError): UhmiError {
  return new UhmiError(400, error.issues[0]?.message ?? 'The request is invalid.');
}

type Fields = z.output<typeof createPaymentRequestSchema>;

/**
 * Payments and their transactions, as seed 001 describes them: CRUD for every type with the documented limits
 * (the driver's own schemas, so the API is described once), and transactions made by the widget.
 */
export class PaymentService {
  readonly #store: ObjectStore;
  readonly #clock: SandboxClock;

  constructor(store: ObjectStore, clock: SandboxClock) {
    this.#store = store;
    this.#clock = clock;
  }

  create(body: unknown): UhmiPaymentObject {
    const parsed = createPaymentRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw badRequest(parsed.error);
    const id = newPaymentId();
    const object = this.#object(id, uhmiTimestamp(this.#clock.nowMs()), parsed.data);
    this.#store.put<PaymentRecord>(PAYMENT, { id, object });
    return object;
  }

  retrieve(id: string): UhmiPaymentObject {
    const record = this.#store.get<PaymentRecord>(PAYMENT, id);
    if (!record) throw new UhmiError(404, MESSAGES[404]);
    return record.object;
  }

  /** Any parameters not provided are left unchanged; the result must still be a valid payment. */
  update(id: string, body: unknown): UhmiPaymentObject {
    const current = this.retrieve(id);
    const patch = updatePaymentRequestSchema.safeParse(body ?? {});
    if (!patch.success) throw badRequest(patch.error);
    const { payment_id: _id, status: _status, created_at: createdAt, ...fields } = current;
    const merged = createPaymentRequestSchema.safeParse({ ...stripNulls(fields), ...stripNulls(patch.data) });
    if (!merged.success) throw badRequest(merged.error);
    const object = this.#object(id, createdAt, merged.data);
    this.#store.put<PaymentRecord>(PAYMENT, { id, object });
    return object;
  }

  /** Permanently deletes a payment; its transactions stay readable, as money moved for them. */
  delete(id: string): void {
    this.retrieve(id);
    this.#store.delete(PAYMENT, id);
  }

  transaction(id: string): UhmiTransactionObject {
    const record = this.#store.get<TransactionRecord>(TRANSACTION, id);
    if (!record) throw new UhmiError(404, MESSAGES[404]);
    return record.object;
  }

  /** What the widget does when the buyer acts: a transaction for the payment, with what they paid. */
  pay(paymentId: string, payment: WidgetPayment): UhmiTransactionObject {
    const current = this.retrieve(paymentId);
    const minimum = priceToMinorUnits(current.price);
    let cents = minimum;
    if (payment.price !== undefined) {
      if (!current.pwyw) throw new UhmiError(400, "The 'price' parameter is invalid or missing.");
      if (!Number.isSafeInteger(payment.price) || payment.price < minimum || payment.price > 15_000) {
        throw new UhmiError(400, "The 'price' parameter is invalid or missing.");
      }
      cents = payment.price;
    }
    if (!current.repeatable && payment.outcome === 'paid' && this.paidTransactions(paymentId).length > 0) {
      throw new UhmiError(400, 'This payment has been paid already and is not repeatable.');
    }
    const transactionId = newTransactionId();
    const { status: _status, ...fields } = current;
    const object: UhmiTransactionObject = {
      ...fields,
      transaction_id: transactionId,
      created_at: uhmiTimestamp(this.#clock.nowMs()),
      status: payment.outcome,
      price: cents / 100,
    };
    this.#store.put<TransactionRecord>(TRANSACTION, { id: transactionId, object });
    return object;
  }

  /** A later change of a transaction: an open one paid or failed, a refund asked for within the window. */
  setTransactionStatus(id: string, status: TransactionStatus): UhmiTransactionObject {
    const object = { ...this.transaction(id), status };
    this.#store.put<TransactionRecord>(TRANSACTION, { id, object });
    return object;
  }

  paidTransactions(paymentId: string): UhmiTransactionObject[] {
    return this.#store
      .list<TransactionRecord>(TRANSACTION, { '$.object.payment_id': paymentId })
      .map((record) => record.object)
      .filter((transaction) => transaction.status === 'paid');
  }

  list(): UhmiPaymentObject[] {
    return this.#store.list<PaymentRecord>(PAYMENT).map((record) => record.object);
  }

  transactions(): UhmiTransactionObject[] {
    return this.#store.list<TransactionRecord>(TRANSACTION).map((record) => record.object);
  }

  #object(id: string, createdAt: string, fields: Fields): UhmiPaymentObject {
    const subscription = fields.type === 'subscription';
    return {
      payment_id: id,
      status: 'active',
      created_at: createdAt,
      type: fields.type,
      title: fields.title,
      price: fields.price,
      pwyw: fields.pwyw ?? false,
      category: fields.category ?? null,
      refundable: subscription ? false : (fields.refundable ?? false),
      repeatable: fields.repeatable ?? false,
      cover: fields.cover ?? null,
      metadata: fields.metadata ?? {},
      success_url: fields.success_url ?? null,
      ...(subscription
        ? {
            interval: fields.interval as string,
            interval_count: fields.interval_count ?? 1,
            ...(fields.trial_days !== undefined ? { trial_days: fields.trial_days } : {}),
          }
        : {}),
    };
  }
}

/** A stored `null` (no category, no cover) is "not set" when the payment is re-validated after a change. */
function stripNulls<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== null && v !== undefined),
  ) as Partial<T>;
}
