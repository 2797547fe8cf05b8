import type { Refund } from '@tijara/core';
import type { PostpayDriver } from '@tijara/postpay';

/**
 * A partial refund with your own refund id. Postpay keeps the id: sending the same refund again (a retry after a
 * timeout, a double click) answers the first refund instead of refunding twice.
 */
export async function refundReturnedItem(
  postpay: PostpayDriver,
  orderId: string,
  returnId: string,
  amountMinor: number,
): Promise<Refund> {
  return postpay.refund(orderId, { amount: amountMinor, reference: returnId, reason: 'Item returned' });
}

/** Whatever is left: no amount means a full refund of the rest. */
export async function refundEverythingLeft(postpay: PostpayDriver, orderId: string): Promise<Refund> {
  return postpay.refund(orderId, { reference: `${orderId}-rest` });
}
