import type { Payment } from '@tijara/core';
import type { UmmahDriver } from '@tijara/ummah';

/** Hold the funds at checkout (skip_capture); the buyer pays on the hosted page as usual. */
export async function holdAtCheckout(
  ummah: UmmahDriver,
  orderId: string,
  totalMinor: number,
): Promise<Payment> {
  return ummah.createPayment({
    amount: totalMinor,
    currency: 'MYR',
    reference: orderId,
    customer: { email: 'aisha@example.com' },
    capture: 'manual',
    returnUrls: { success: `https://shop.example/orders/${orderId}`, failure: 'https://shop.example/cart' },
  });
}

/** Once the order ships: capture what was shipped (up to the hold), or release the hold if nothing was. */
export async function settleHold(
  ummah: UmmahDriver,
  paymentId: string,
  shippedMinor: number,
): Promise<Payment> {
  const held = await ummah.retrievePayment(paymentId);
  if (held.status !== 'authorized') throw new Error(`payment ${paymentId} is ${held.status}, not on hold`);
  if (shippedMinor === 0) return ummah.release(paymentId);
  return ummah.capture(paymentId, shippedMinor, { idempotencyKey: `capture-${paymentId}` });
}
