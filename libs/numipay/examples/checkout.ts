import {
  MemoryEventStore,
  MemoryLockStore,
  SettlementPipeline,
  type HeaderBag,
  type SettlementRecord,
  type SettlementResult,
} from '@tijara/core';
import type { NumipayDriver } from '@tijara/numipay';

/** 1. Open the hosted cashier for the order; 2. send the buyer to the URL. */
export async function startCheckout(numipay: NumipayDriver, orderId: string, totalMinor: number) {
  const payment = await numipay.createPayment(
    {
      amount: totalMinor, // minor units: 2999 = £29.99, sent to Numipay as 29.99
      currency: 'GBP',
      reference: orderId,
      customer: { email: 'jane@example.com', name: 'Jane Doe', reference: 'U123' }, // reference → user_id
      capture: 'automatic',
      returnUrls: {
        success: `https://shop.example/numipay/return/${orderId}`,
        failure: `https://shop.example/numipay/return/${orderId}`,
      },
      numipay: { ip: '127.34.125.54' }, // the buyer's IP, which Numipay's request carries
    },
    { idempotencyKey: `checkout-${orderId}` }, // same key, same tracking id: a retry is the same payment
  );
  // Keep payment.id (the tracking id) with the order: webhooks and status reads name the payment by it.
  return {
    paymentId: payment.id,
    redirectTo: payment.nextAction.type === 'redirect' ? payment.nextAction.url : '',
  };
}

/** 3. The webhook route: verify x-signature over the raw body, then settle on the status re-read from Numipay. */
export async function handleWebhook(
  numipay: NumipayDriver,
  order: SettlementRecord,
  rawBody: Buffer,
  headers: HeaderBag,
): Promise<SettlementResult> {
  let record = order;
  const pipeline = new SettlementPipeline({
    driver: numipay,
    events: new MemoryEventStore(),
    locks: new MemoryLockStore(),
    load: async (paymentId) => (paymentId === record.paymentId ? record : undefined),
    commit: async (next) => {
      record = next; // persist with the order, together with what you do on `payment.paid`
    },
  });
  return pipeline.handleWebhook(rawBody, headers);
}
