/**
 * How Shopify's sessions live in `@tijara/ledger`: a payment session is a ledger payment keyed by shop and
 * Shopify's `id`, with what the app must remember about Shopify in its metadata; refunds, captures and voids are
 * ledger operations; every mutation is an outbox message with a deterministic id (`<gid>:<mutation>`), so queuing
 * it twice queues it once.
 */
import type { JsonObject, LedgerPayment, NewOutboxMessage } from '@tijara/ledger';
import type { PlannedMutation, PurchaseKind } from './outcomes.js';
import type { MutationName } from './payments-api/mutations.js';

export const MUTATION_TOPIC = 'shopify.mutation';
export const OPERATION_TOPIC = 'shopify.operation';

/** Where a payment session stands with Shopify (what it has accepted from the app). */
export type ShopifyState = 'open' | 'pending' | 'resolved' | 'rejected';

/** The app's own facts about a payment session, kept in the ledger payment's metadata. */
export interface PaymentSessionMeta {
  readonly shop: string;
  /** Shopify's `id` (the idempotency key, shown to the merchant). */
  readonly id: string;
  readonly gid: string;
  readonly group: string | undefined;
  readonly kind: PurchaseKind;
  readonly test: boolean;
  /** `Shopify-Api-Version` of the session request: every mutation about it uses the same version. */
  readonly apiVersion: string;
  readonly cancelUrl: string;
  readonly shopify: ShopifyState;
  /** Where Shopify said to send the buyer (`nextAction.context.redirectUrl` of the accepted mutation). */
  readonly shopifyRedirectUrl: string | undefined;
  /** Why the app refused the session at once (it was rejected without a gateway payment). */
  readonly refusal: { readonly code: string; readonly message: string } | undefined;
}

export function paymentKey(shop: string, id: string): string {
  return `shopify:${shop}:${id}`;
}

export function operationId(shop: string, kind: 'refund' | 'capture' | 'void', id: string): string {
  return `shopify:${shop}:${kind}:${id}`;
}

export function metaOf(payment: LedgerPayment): PaymentSessionMeta {
  const m = payment.metadata as Record<string, unknown>;
  const refusal = m.refusal as { code?: unknown; message?: unknown } | undefined;
  return {
    shop: String(m.shop),
    id: String(m.id),
    gid: String(m.gid),
    group: typeof m.group === 'string' ? m.group : undefined,
    kind: m.kind === 'authorization' ? 'authorization' : 'sale',
    test: m.test === true,
    apiVersion: String(m.apiVersion),
    cancelUrl: String(m.cancelUrl),
    shopify: (['open', 'pending', 'resolved', 'rejected'].includes(String(m.shopify))
      ? m.shopify
      : 'open') as ShopifyState,
    shopifyRedirectUrl: typeof m.shopifyRedirectUrl === 'string' ? m.shopifyRedirectUrl : undefined,
    refusal:
      refusal && typeof refusal.code === 'string'
        ? { code: refusal.code, message: typeof refusal.message === 'string' ? refusal.message : '' }
        : undefined,
  };
}

export function metaToJson(meta: PaymentSessionMeta): JsonObject {
  return {
    shop: meta.shop,
    id: meta.id,
    gid: meta.gid,
    ...(meta.group ? { group: meta.group } : {}),
    kind: meta.kind,
    test: meta.test,
    apiVersion: meta.apiVersion,
    cancelUrl: meta.cancelUrl,
    shopify: meta.shopify,
    ...(meta.shopifyRedirectUrl ? { shopifyRedirectUrl: meta.shopifyRedirectUrl } : {}),
    ...(meta.refusal ? { refusal: { code: meta.refusal.code, message: meta.refusal.message } } : {}),
  };
}

/** What a mutation message carries: enough to send it without reading anything but the shop's token. */
export interface MutationPayload {
  readonly shop: string;
  readonly apiVersion: string;
  readonly mutation: MutationName;
  readonly variables: JsonObject;
  /** The ledger payment the session belongs to (its metadata learns Shopify's answer). */
  readonly paymentKey: string;
  readonly session: 'payment' | 'refund' | 'capture' | 'void';
}

export function mutationMessage(
  planned: PlannedMutation,
  context: {
    shop: string;
    apiVersion: string;
    paymentKey: string;
    session: MutationPayload['session'];
    stream: string;
  },
  availableAt?: Date,
): NewOutboxMessage {
  const gid = String(planned.variables.id);
  const payload: MutationPayload = {
    shop: context.shop,
    apiVersion: context.apiVersion,
    mutation: planned.mutation,
    variables: planned.variables as JsonObject,
    paymentKey: context.paymentKey,
    session: context.session,
  };
  return {
    id: `${gid}:${planned.mutation}`,
    topic: MUTATION_TOPIC,
    stream: context.stream,
    payload: payload as unknown as JsonObject,
    ...(availableAt ? { availableAt } : {}),
  };
}

/** A refund, capture or void to run at the gateway, then report. */
export interface OperationPayload {
  readonly shop: string;
  readonly operationId: string;
  readonly kind: 'refund' | 'capture' | 'void';
  readonly gid: string;
  readonly apiVersion: string;
  readonly paymentKey: string;
  /** Shopify's id of the refund/capture/void session. */
  readonly sessionId: string;
}

export function operationMessage(payload: OperationPayload, availableAt: Date): NewOutboxMessage {
  return {
    id: `${payload.operationId}:run`,
    topic: OPERATION_TOPIC,
    stream: payload.operationId,
    payload: payload as unknown as JsonObject,
    availableAt,
  };
}
