import type { Payment } from '@tijara/core';
import type { PostpayDriver } from '@tijara/postpay';

/** 1. Create the checkout and 2. send the buyer to Postpay. */
export async function startCheckout(
  postpay: PostpayDriver,
  cartId: string,
  attempt: number,
): Promise<string> {
  const payment = await postpay.createPayment(
    {
      amount: 21000, // integer minor units: 21000 = AED 210.00, tax and shipping included
      currency: 'AED',
      reference: cartId,
      taxAmount: 1000,
      shipping: { name: 'Express Delivery', amount: 2000 },
      customer: {
        email: 'aisha@example.ae',
        name: 'Aisha Rahman',
        phone: '+971 50 123 4567',
        shippingAddress: { line1: 'Al Wasl Road 12', city: 'Dubai', country: 'AE' },
      },
      lineItems: [
        {
          name: 'Oud candle',
          price: 18000,
          quantity: 1,
          reference: 'sku-oud',
          url: 'https://shop.example/oud',
        },
      ],
      capture: 'automatic', // the only mode: an approval is captured as soon as it is seen
      returnUrls: {
        success: 'https://shop.example/postpay/return', // Postpay appends ?order_id=…&status=APPROVED
        failure: 'https://shop.example/cart',
        cancel: 'https://shop.example/postpay/cancel', // …&status=CANCELLED or DENIED
      },
    },
    // One key per attempt: a retry of this attempt names the same Postpay order, a new attempt a new one.
    { idempotencyKey: `${cartId}-attempt-${attempt}` },
  );
  if (payment.nextAction.type !== 'redirect') throw new Error(`payment ${payment.id} needs no redirect`);
  return payment.nextAction.url;
}

/**
 * 3. The buyer comes back with `order_id` and `status` in the query. The status is a claim; the order read from
 * Postpay is the truth. 4. An approval is not a sale until it is captured: capture it (once — capturing a captured
 * order answers it as captured). Core's SettlementPipeline.settleReturn does all of this for you.
 */
export async function handleReturn(postpay: PostpayDriver, query: Record<string, string>): Promise<Payment> {
  const { payment, claimed } = await postpay.resolveReturn({ query });
  if (payment.status === 'authorized') return postpay.capture(payment.id);
  if (claimed === 'approved' && payment.status !== 'paid') {
    // The query said APPROVED but Postpay does not: show the buyer a failure, not a success.
  }
  return payment;
}
