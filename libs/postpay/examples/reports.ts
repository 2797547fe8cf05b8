import type { PostpayDriver } from '@tijara/postpay';

/** Captured orders of a period, largest first, every page (50 at a time, following `next`). */
export async function capturedBetween(postpay: PostpayDriver, from: Date, to: Date): Promise<string[]> {
  const ids: string[] = [];
  const orders = postpay.client.orders.list({
    status: 'captured',
    created__gte: from,
    created__lt: to,
    ordering: '-total_amount',
    page_size: 50,
  });
  for await (const order of orders) ids.push(order.order_id);
  return ids;
}

/** What the next payout cycle will pay: settlement lines not paid yet, after Postpay's fees. */
export async function nextPayout(postpay: PostpayDriver): Promise<number> {
  let total = 0;
  for await (const line of postpay.client.transactions.list({ paid__isnull: true }))
    total += line.total_amount;
  return total;
}
