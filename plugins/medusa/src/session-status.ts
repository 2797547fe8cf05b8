import type { PaymentActions, PaymentSessionStatus } from '@medusajs/framework/types';
import type { PaymentStatus } from '@tijara/core';

/**
 * Core's normalized status → the status of a Medusa payment session. Pure, and the only place the plugin decides
 * it, so authorize, getPaymentStatus, initiate and the reconcile job cannot disagree.
 *
 * - `pending` → `requires_more`: the buyer must still act on the gateway's page; completing the cart now answers
 *   Medusa's "payment requires more" instead of pretending the money is on its way.
 * - `processing` → `pending_authorization`: the buyer acted and the bank decides; Medusa 2.21.2 lets the cart
 *   complete with the order awaiting payment, and the webhook or the reconcile job finishes it.
 * - every captured state (also refunded or disputed later) → `captured`: money was taken, the order is a sale.
 */
export const SESSION_STATUS: Readonly<Record<PaymentStatus, PaymentSessionStatus>> = {
  pending: 'requires_more',
  processing: 'pending_authorization',
  authorized: 'authorized',
  paid: 'captured',
  partially_refunded: 'captured',
  refunded: 'captured',
  disputed: 'captured',
  canceled: 'canceled',
  failed: 'error',
  expired: 'error',
};

export function sessionStatusOf(status: PaymentStatus): PaymentSessionStatus {
  return SESSION_STATUS[status];
}

/**
 * Core's normalized status (read from the gateway just now) → Medusa's webhook action. Medusa acts only on
 * `authorized` and `captured`; the others are reported truthfully and dropped by Medusa's subscriber (the
 * reconcile job covers what that leaves open). A chargeback has no Medusa action: `not_supported`.
 */
export const WEBHOOK_ACTION: Readonly<Record<PaymentStatus, PaymentActions>> = {
  pending: 'pending',
  processing: 'pending_authorization',
  authorized: 'authorized',
  paid: 'captured',
  partially_refunded: 'captured',
  refunded: 'captured',
  disputed: 'not_supported',
  canceled: 'canceled',
  failed: 'failed',
  expired: 'canceled',
};

export function webhookActionOf(status: PaymentStatus): PaymentActions {
  return WEBHOOK_ACTION[status];
}

/** Session statuses the reconcile job re-reads: the buyer may still pay, or the bank may still decide. */
export const UNSETTLED_SESSION_STATUSES = [
  'pending',
  'requires_more',
  'pending_authorization',
  'error',
] as const;

/**
 * What core's settlement pipeline should take as "last settled" for a Medusa session status. `error` is a failed
 * attempt the buyer may retry on the same gateway page (Ummah lets an errored purchase be paid again).
 */
export function coreStatusOfSession(status: string): PaymentStatus {
  switch (status) {
    case 'pending_authorization':
      return 'processing';
    case 'error':
      return 'failed';
    case 'authorized':
      return 'authorized';
    case 'captured':
      return 'paid';
    case 'canceled':
      return 'canceled';
    default:
      return 'pending';
  }
}
