import { InvalidSavedMethodError, type Payment } from '@tijara/core';
import type { UmmahDriver } from '@tijara/ummah';

/** First order: save the card (force_recurring). After payment, `payment.savedMethod.token` is what you store. */
export async function checkoutSavingCard(
  ummah: UmmahDriver,
  orderId: string,
  totalMinor: number,
): Promise<Payment> {
  return ummah.createPayment({
    amount: totalMinor,
    currency: 'MYR',
    reference: orderId,
    customer: { email: 'aisha@example.com' },
    capture: 'automatic',
    saveMethod: true,
    returnUrls: { success: `https://shop.example/orders/${orderId}`, failure: 'https://shop.example/cart' },
  });
}

/** Later orders: charge the stored token without a redirect. A dead token means asking the buyer again. */
export async function chargeSavedCard(
  ummah: UmmahDriver,
  token: string,
  orderId: string,
  totalMinor: number,
): Promise<Payment | 'ask-for-a-new-card'> {
  try {
    return await ummah.chargeSavedMethod(
      token,
      { amount: totalMinor, currency: 'MYR', reference: orderId, customer: { email: 'aisha@example.com' } },
      { idempotencyKey: `charge-${orderId}` }, // never charges twice, however often this is retried
    );
  } catch (error) {
    if (error instanceof InvalidSavedMethodError) return 'ask-for-a-new-card'; // and forget the token
    throw error;
  }
}

export async function forgetCard(ummah: UmmahDriver, token: string): Promise<void> {
  await ummah.deleteSavedMethod(token);
}
