/**
 * Realistic Ummah webhook deliveries: the documented envelope `{id, type, created_on, object}` around a full
 * Purchase object as the sandbox returns it (≈3 KB), with a fresh event id per delivery.
 */
import { randomUUID } from 'node:crypto';

export type PurchaseTemplate = Record<string, unknown>;

/** A copy of `template` as purchase `paymentId` for `amount`, in `status`. */
export function purchaseLike(
  template: PurchaseTemplate,
  paymentId: string,
  reference: string,
  amount: number,
  currency: string,
  status: string,
  nowSeconds: number,
): Record<string, unknown> {
  const purchase = structuredClone(template) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  purchase.id = paymentId;
  purchase.reference = reference;
  purchase.status = status;
  purchase.created_on = nowSeconds - 60;
  purchase.updated_on = nowSeconds;
  if (purchase.purchase) {
    purchase.purchase.currency = currency;
    purchase.purchase.total = amount;
    purchase.purchase.total_amount = amount;
    if (Array.isArray(purchase.purchase.products) && purchase.purchase.products[0]) {
      purchase.purchase.products = [
        { ...purchase.purchase.products[0], name: `Order ${reference}`, price: amount },
      ];
    }
  }
  if (purchase.payment) {
    purchase.payment.amount = amount;
    purchase.payment.net_amount = amount;
    purchase.payment.currency = currency;
    purchase.payment.description = reference;
  }
  if (status === 'paid') {
    purchase.refundable_amount = amount;
    purchase.refund_availability = 'all';
  }
  purchase.status_history = [
    { status: 'created', timestamp: nowSeconds - 60 },
    { status, timestamp: nowSeconds },
  ];
  return purchase;
}

export function envelope(
  type: string,
  object: Record<string, unknown>,
  nowSeconds: number,
  id = `evt_${randomUUID()}`,
): string {
  return JSON.stringify({ id, type, created_on: nowSeconds, object });
}
