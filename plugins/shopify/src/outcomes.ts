/**
 * Gateway outcomes → Payments Apps mutations. Pure functions: the handlers decide when, these decide what.
 */
import type { Payment, PaymentStatus } from '@tijara/core';
import type { SessionMutationName } from './payments-api/mutations.js';

/** One mutation to send, with its variables exactly as the GraphQL document declares them. */
export interface PlannedMutation {
  readonly mutation: SessionMutationName;
  readonly variables: Readonly<Record<string, unknown>>;
}

export type PurchaseKind = 'sale' | 'authorization';

/**
 * The rejection codes of API versions before 2026-04; later versions know 36 (`INSUFFICIENT_FUNDS`,
 * `INVALID_PURCHASE_TYPE`, …). A code the version does not know fails the whole mutation, so every code is
 * folded into this set for older versions.
 */
const EARLY_REJECT_CODES: ReadonlySet<string> = new Set([
  'AUTHENTICATION_FAILED',
  'CARD_DECLINED',
  'CONFIRMATION_REJECTED',
  'EXPIRED_CARD',
  'INCORRECT_ADDRESS',
  'INCORRECT_CVC',
  'INCORRECT_NUMBER',
  'INCORRECT_PIN',
  'INCORRECT_ZIP',
  'INVALID_CVC',
  'INVALID_EXPIRY_DATE',
  'INVALID_NUMBER',
  'PROCESSING_ERROR',
  'RISKY',
]);

const EARLY_FALLBACK: Readonly<Record<string, string>> = {
  FRAUD_SUSPECTED: 'RISKY',
  HIGH_RISK_FRAUD_SUSPECTED: 'RISKY',
  CARD_TESTING: 'RISKY',
  INSUFFICIENT_FUNDS: 'CARD_DECLINED',
  DO_NOT_HONOR: 'CARD_DECLINED',
  CALL_ISSUER: 'CARD_DECLINED',
  PICK_UP_CARD: 'CARD_DECLINED',
  INSTRUMENT_DECLINED: 'CARD_DECLINED',
  RETRY_DECLINED: 'CARD_DECLINED',
  TRANSACTION_LIMIT_EXCEEDED: 'CARD_DECLINED',
  AUTHENTICATION_REQUIRED: 'AUTHENTICATION_FAILED',
};

/** Whether `version` has the long list of rejection codes (2026-04 and later, and `unstable`). */
export function hasExtendedRejectCodes(apiVersion: string): boolean {
  return apiVersion === 'unstable' || apiVersion >= '2026-04';
}

/** Say `code` in words the API version knows. */
export function rejectCodeFor(code: string, apiVersion: string): string {
  if (hasExtendedRejectCodes(apiVersion)) return code === 'RISKY' ? 'FRAUD_SUSPECTED' : code;
  if (EARLY_REJECT_CODES.has(code)) return code;
  return EARLY_FALLBACK[code] ?? 'PROCESSING_ERROR';
}

/**
 * Gateways' decline codes (Stripe-style names, which most gateways and the sandbox use) → Shopify's reasons.
 * Unknown codes of a declined payment become INSTRUMENT_DECLINED: the buyer's method was refused.
 */
const DECLINE_CODES: Readonly<Record<string, string>> = {
  insufficient_funds: 'INSUFFICIENT_FUNDS',
  expired_card: 'EXPIRED_CARD',
  incorrect_cvc: 'INCORRECT_CVC',
  invalid_cvc: 'INVALID_CVC',
  incorrect_number: 'INCORRECT_NUMBER',
  invalid_number: 'INVALID_NUMBER',
  invalid_card: 'INVALID_NUMBER',
  invalid_expiry_year: 'INVALID_EXPIRY_DATE',
  invalid_expiry_month: 'INVALID_EXPIRY_DATE',
  incorrect_zip: 'INCORRECT_ZIP',
  incorrect_address: 'INCORRECT_ADDRESS',
  incorrect_pin: 'INCORRECT_PIN',
  do_not_honor: 'DO_NOT_HONOR',
  call_issuer: 'CALL_ISSUER',
  pickup_card: 'PICK_UP_CARD',
  pick_up_card: 'PICK_UP_CARD',
  lost_card: 'PICK_UP_CARD',
  stolen_card: 'PICK_UP_CARD',
  fraudulent: 'FRAUD_SUSPECTED',
  merchant_blacklist: 'MERCHANT_RULE',
  card_velocity_exceeded: 'TRANSACTION_LIMIT_EXCEEDED',
  withdrawal_count_limit_exceeded: 'TRANSACTION_LIMIT_EXCEEDED',
  authentication_required: 'AUTHENTICATION_REQUIRED',
  authentication_failed: 'AUTHENTICATION_FAILED',
  three_d_secure_failed: 'AUTHENTICATION_FAILED',
  try_again_later: 'RETRY_DECLINED',
  processing_error: 'PROCESSING_ERROR',
  card_not_supported: 'PAYMENT_METHOD_UNSUPPORTED',
  currency_not_supported: 'INVALID_CURRENCY',
  generic_decline: 'CARD_DECLINED',
  card_declined: 'CARD_DECLINED',
};

/** The reason to give Shopify for a failed payment. */
export function rejectReasonOf(payment: Pick<Payment, 'failure'>): string {
  const failure = payment.failure;
  for (const code of [failure?.declineCode, failure?.code]) {
    const mapped = code ? DECLINE_CODES[code.toLowerCase()] : undefined;
    if (mapped) return mapped;
  }
  return 'INSTRUMENT_DECLINED';
}

export interface PaymentSessionFacts {
  readonly gid: string;
  readonly kind: PurchaseKind;
  readonly apiVersion: string;
}

const RESOLVES_SALE: ReadonlySet<PaymentStatus> = new Set([
  'paid',
  'partially_refunded',
  'refunded',
  'disputed',
]);

/**
 * What Shopify must hear about a payment session whose gateway payment is now `payment`, or undefined when
 * there is nothing to tell yet (the buyer is still paying; an approval still to be captured) or nothing to tell
 * at all (the buyer cancelled or let it expire: they go back to checkout and may try again, so no reject).
 */
export function paymentSessionMutation(
  session: PaymentSessionFacts,
  payment: Payment,
): PlannedMutation | undefined {
  const id = session.gid;
  if (RESOLVES_SALE.has(payment.status)) return { mutation: 'paymentSessionResolve', variables: { id } };
  if (payment.status === 'authorized' && session.kind === 'authorization') {
    return {
      mutation: 'paymentSessionResolve',
      variables: {
        id,
        ...(payment.authorizationExpiresAt
          ? { authorizationExpiresAt: payment.authorizationExpiresAt.toISOString() }
          : {}),
      },
    };
  }
  if (payment.status === 'failed')
    return rejectMutation(session, rejectReasonOf(payment), payment.failure?.message);
  return undefined;
}

export function rejectMutation(
  session: Pick<PaymentSessionFacts, 'gid' | 'apiVersion'>,
  code: string,
  merchantMessage?: string,
): PlannedMutation {
  return {
    mutation: 'paymentSessionReject',
    variables: {
      id: session.gid,
      reason: {
        code: rejectCodeFor(code, session.apiVersion),
        ...(merchantMessage ? { merchantMessage: merchantMessage.slice(0, 255) } : {}),
      },
    },
  };
}

/** Still processing when the buyer comes back: Shopify shows the order as pending until we resolve or reject. */
export function pendingMutation(
  session: Pick<PaymentSessionFacts, 'gid'>,
  now: Date,
  pendingForMs = 3 * 24 * 3_600_000,
): PlannedMutation {
  return {
    mutation: 'paymentSessionPending',
    variables: {
      id: session.gid,
      pendingExpiresAt: new Date(now.getTime() + pendingForMs).toISOString(),
      reason: 'PARTNER_ACTION_REQUIRED',
    },
  };
}

export type FollowUpKind = 'refund' | 'capture' | 'void';

export function followUpMutation(
  kind: FollowUpKind,
  gid: string,
  outcome: { readonly ok: true } | { readonly ok: false; readonly code?: string; readonly message: string },
): PlannedMutation {
  if (outcome.ok) return { mutation: `${kind}SessionResolve`, variables: { id: gid } };
  return {
    mutation: `${kind}SessionReject`,
    variables: {
      id: gid,
      reason: { code: outcome.code ?? 'PROCESSING_ERROR', merchantMessage: outcome.message.slice(0, 255) },
    },
  };
}
