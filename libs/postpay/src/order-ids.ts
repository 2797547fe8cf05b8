import { createHash } from 'node:crypto';

/** Longest store reference an order id is built from; the id adds 13 characters. */
export const MAX_REFERENCE_LENGTH = 100;

const SUFFIX = /-[0-9a-f]{12}$/;

/**
 * The `order_id` of one payment attempt: the store's reference, a dash, and 12 hex digits of a hash of the reference
 * and the operation's idempotency key. Postpay has no idempotency keys, but its order ids are unique, so the same
 * attempt retried (same reference, same key) names the same order, and a new attempt for the same store order (a
 * buyer who was denied and tries again) gets a new one. The reference stays readable in Postpay's dashboard.
 */
export function orderIdFor(reference: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${reference}\n${idempotencyKey}`).digest('hex');
  return `${reference}-${digest.slice(0, 12)}`;
}

/** The store reference an order id was built from by `orderIdFor`, or undefined for ids made elsewhere. */
export function referenceOf(orderId: string): string | undefined {
  return SUFFIX.test(orderId) && orderId.length > 13 ? orderId.slice(0, -13) : undefined;
}
