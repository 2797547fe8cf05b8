import type { Refund } from '@tijara/core';
import type { UmmahDriver } from '@tijara/ummah';

/** Partial refunds may repeat while their total stays within what was captured; omit the amount for the rest. */
export async function refundReturnedItem(
  ummah: UmmahDriver,
  paymentId: string,
  returnId: string,
  amountMinor: number,
): Promise<Refund> {
  return ummah.refund(
    paymentId,
    { amount: amountMinor, reference: returnId },
    { idempotencyKey: `refund-${returnId}` },
  );
}

export async function refundEverythingLeft(ummah: UmmahDriver, paymentId: string): Promise<Refund> {
  return ummah.refund(paymentId, {}, { idempotencyKey: `refund-all-${paymentId}` });
}
