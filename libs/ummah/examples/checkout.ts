import type { HeaderBag, Payment } from '@tijara/core';
import type { UmmahDriver } from '@tijara/ummah';

/** 1. Create the purchase and 2. redirect the buyer to the hosted checkout page. */
export async function startCheckout(
  ummah: UmmahDriver,
  orderId: string,
  totalMinor: number,
): Promise<string> {
  const payment = await ummah.createPayment(
    {
      amount: totalMinor, // integer minor units: 2999 = MYR 29.99
      currency: 'MYR',
      reference: orderId,
      customer: { email: 'aisha@example.com', name: 'Aisha Rahman' },
      capture: 'automatic',
      returnUrls: { success: `https://shop.example/orders/${orderId}`, failure: 'https://shop.example/cart' },
      callbackUrl: 'https://shop.example/ummah/callback',
    },
    { idempotencyKey: `checkout-${orderId}` }, // a retry after a timeout finds the same purchase
  );
  // nextAction says what the buyer must do: for Ummah, a GET redirect to the hosted payment page.
  if (payment.nextAction.type !== 'redirect') throw new Error(`payment ${payment.id} needs no redirect`);
  return payment.nextAction.url; // send the buyer here
}

/**
 * 3. Verify the signed callback (mount it with express.raw({ type: 'application/json' }), never express.json()),
 * then 4. retrieve the purchase: GET is the source of truth, the payload may be stale or replayed.
 */
export async function handleCallback(
  ummah: UmmahDriver,
  rawBody: Buffer,
  headers: HeaderBag,
): Promise<Payment> {
  const event = await ummah.verifyWebhook(rawBody, headers); // throws SignatureVerificationError
  const payment = await ummah.retrievePayment(event.paymentId!);
  if (payment.status === 'paid') {
    // Check payment.amount and payment.currency against the order, then fulfil it once (dedupe on event.id).
  }
  return payment;
}
