import type { CardDetails, NumipayDriver } from '@tijara/numipay';

/**
 * Server to server: your form collected the card, so your systems are in PCI DSS scope. The driver never logs,
 * keeps or repeats the card; do the same with `card` in your code.
 */
export async function payByCard(numipay: NumipayDriver, orderId: string, card: CardDetails) {
  const payment = await numipay.chargeCard(
    {
      amount: 1005,
      currency: 'EUR',
      reference: orderId,
      customer: { email: 'jane@example.com', name: 'Jane Doe', reference: 'U123' },
      capture: 'automatic',
      returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
    },
    card,
    { idempotencyKey: `card-${orderId}` }, // a repeat reads the transaction instead of charging twice
  );
  if (payment.nextAction.type === 'redirect') return { next: '3ds', url: payment.nextAction.url };
  if (payment.status === 'failed') return { next: 'declined', reason: payment.failureReason ?? 'rejected' };
  return { next: 'wait', status: payment.status };
}
