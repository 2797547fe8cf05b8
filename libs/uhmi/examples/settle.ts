import {
  MemoryEventStore,
  MemoryLockStore,
  SettlementPipeline,
  type DomainEvent,
  type SettlementRecord,
} from '@tijara/core';
import type { UhmiDriver } from '@tijara/uhmi';

/**
 * 3. The return route: the widget posted `transaction_id` to success_url. The pipeline asks the driver to resolve
 * it (read the transaction from Uhmi, check it paid this order's payment, settle only on a final status).
 */
export async function handleReturn(
  uhmi: UhmiDriver,
  order: SettlementRecord,
  form: Record<string, string>,
): Promise<{ status: string; events: readonly DomainEvent[] }> {
  let record = order;
  const pipeline = new SettlementPipeline({
    driver: uhmi,
    events: new MemoryEventStore(),
    locks: new MemoryLockStore(),
    load: async (paymentId) => (paymentId === record.paymentId ? record : undefined),
    commit: async (next) => {
      record = next; // persist with your order, in one transaction with what you do on `payment.paid`
    },
  });
  const result = await pipeline.settleReturn({ query: {}, form, paymentId: order.paymentId });
  return { status: record.status, events: result.events };
}
