import { createHash, randomBytes } from 'node:crypto';
import { assertCurrency, assertMinorUnits } from '@tijara/core';

/**
 * The payment id this driver hands out is the `tracking_id` it sends Numipay ("unique transaction id in your
 * system"), and it spells the amount and currency that were asked: `tj1-EUR-2999-<nonce>`.
 *
 * Why: Numipay's status endpoint answers a status and a reason, no amount or currency, and its list of
 * transactions has amounts but no tracking id. Carrying the request in the id lets `retrievePayment` report a
 * whole Payment from the status alone, with no database, and lets a store find the payment a webhook is about
 * from the webhook's `tracking_id`. The amount is what was asked with `amount_restricted`, which Numipay holds the
 * buyer to; it is not a claim of what was paid, which only the status says.
 */
export interface TrackingId {
  readonly id: string;
  readonly currency: string;
  /** Minor units. */
  readonly amount: number;
}

const FORMAT = /^tj1-([A-Z]{3})-(\d{1,15})-([a-z0-9]{8,40})$/;

/** A tracking id for a new payment; the same idempotency key always gives the same id (so a retry is the same payment). */
export function createTrackingId(amount: number, currency: string, idempotencyKey?: string): string {
  const code = assertCurrency(currency);
  assertMinorUnits(amount);
  const nonce =
    idempotencyKey === undefined
      ? randomBytes(12).toString('hex')
      : createHash('sha256').update(`${code}:${amount}:${idempotencyKey}`).digest('hex').slice(0, 24);
  return `tj1-${code}-${amount}-${nonce}`;
}

/** The amount and currency a driver-made tracking id carries, or undefined for any other id. */
export function parseTrackingId(id: string): TrackingId | undefined {
  const match = FORMAT.exec(id);
  if (!match) return undefined;
  const amount = Number(match[2]);
  if (!Number.isSafeInteger(amount)) return undefined;
  try {
    return { id, currency: assertCurrency(match[1]), amount };
  } catch {
    return undefined;
  }
}
