import type { z } from 'zod';
import type { createPurchaseRequestSchema, purchaseDetailsRequestSchema } from '@tijara/ummah';
import { fieldError } from './api-errors.js';
import type { CardExtra, SavedCard } from './cards.js';

export type CreatePurchaseBody = z.output<typeof createPurchaseRequestSchema>;
export type PurchaseDetailsBody = z.output<typeof purchaseDetailsRequestSchema>;

export interface Product {
  name: string;
  quantity: string;
  price: number;
  discount: number;
  tax_percent: string;
  category: string;
}

export interface PurchaseDetails {
  currency: string;
  products: Product[];
  /** CHIP's name for the total. */
  total: number;
  /** Seed 000's name for the same total. */
  total_amount: number;
  language: string;
  notes: string;
  debt: number;
  subtotal_override: number | null;
  total_tax_override: number | null;
  total_discount_override: number | null;
  total_override: number | null;
  request_client_details: string[];
  timezone: string;
  due_strict: boolean;
  email_message: string;
}

export type ClientDetails = Record<string, unknown> & { email: string };

export interface StatusHistoryEntry {
  status: string;
  timestamp: number;
  related_object?: { type: string; id: string };
}

export interface PaymentDetails {
  is_outgoing: boolean;
  payment_type: 'purchase';
  amount: number;
  currency: string;
  net_amount: number;
  fee_amount: number;
  pending_amount: number;
  pending_unfreeze_on: number | null;
  description: string;
  paid_on: number;
  remote_paid_on: number;
  /** Seed 000 shows these two on `payment`. */
  method: string;
  is_recurring_token: boolean;
}

export interface TransactionAttempt {
  type: 'execute' | 'recurring_execute' | 'authorize';
  successful: boolean;
  flow: string;
  payment_method: string;
  processing_time: number;
  country: string;
  extra: Partial<CardExtra>;
  error: { code: string; message: string; decline_code?: string } | null;
}

export interface Purchase {
  id: string;
  type: 'purchase';
  status: string;
  status_history: StatusHistoryEntry[];
  created_on: number;
  updated_on: number;
  viewed_on: number | null;
  brand_id: string;
  company_id: string;
  client_id: string | null;
  client: ClientDetails;
  purchase: PurchaseDetails;
  payment: PaymentDetails | null;
  issuer_details: Record<string, unknown>;
  transaction_data: {
    payment_method: string;
    flow: string;
    extra: Partial<CardExtra>;
    country: string;
    attempts: TransactionAttempt[];
  };
  is_test: true;
  user_id: null;
  billing_template_id: string | null;
  send_receipt: boolean;
  is_recurring_token: boolean;
  recurring_token: string | null;
  skip_capture: boolean;
  force_recurring: boolean;
  reference: string;
  reference_generated: string;
  issued: string;
  due: number | null;
  refund_availability: string;
  refundable_amount: number;
  currency_conversion: null;
  payment_method_whitelist: string[] | null;
  success_redirect: string | null;
  failure_redirect: string | null;
  cancel_redirect: string | null;
  success_callback: string | null;
  creator_agent: string;
  platform: string;
  product: string;
  created_from_ip: string | null;
  checkout_url: string;
  invoice_url: string;
  direct_post_url: string | null;
  marked_as_paid: boolean;
  order_id: string | null;
}

/** What the sandbox keeps per purchase: the API object plus the money and card state behind it. */
export interface PurchaseRecord {
  id: string;
  object: Purchase;
  /** Amount authorized and on hold (skip_capture), minor units. */
  held: number;
  captured: number;
  refunded: number;
  /** Display data and behaviour of the card that paid, kept for recurring charges. */
  card: SavedCard | null;
  /** Set when the purchase was created for a subscriber (first payment or renewal). */
  subscriber_id: string | null;
  /** Actions armed (control API) to go through their `pending_*` status next time; each is used once. */
  delays?: Partial<Record<DelayedAction, ArmedDelay>>;
  /** Amount taken back by a chargeback. */
  charged_back?: number;
}

/** Actions that can be made to take a while on the acquirer's side (seed 004's `pending_*` statuses). */
export const DELAYED_ACTIONS = ['execute', 'charge', 'capture', 'release', 'refund'] as const;
export type DelayedAction = (typeof DELAYED_ACTIONS)[number];

export interface ArmedDelay {
  /** Sandbox-clock seconds until the pending step completes. */
  seconds: number;
  /** `execute`/`charge` only: force the outcome (default: success, or the saved card's own behaviour). */
  outcome?: 'success' | 'failure';
}

/** A transition waiting for the sandbox clock: a pending action completing, or a scheduled later-life status. */
export interface ScheduledStep {
  id: string;
  purchase_id: string;
  action: DelayedAction | 'clear' | 'settle' | 'chargeback';
  due_ms: number;
  outcome?: 'success' | 'failure';
  amount?: number;
  refund_id?: string;
  /** `execute`: how the buyer paid, to finish the payment with. */
  card?: SavedCard;
  remember_card?: boolean;
  flow?: string;
}

/** A refund, as the seed shows it (`status: "refunded"`) with CHIP's Payment fields alongside. */
export interface RefundObject {
  id: string;
  type: 'payment';
  payment_type: 'refund';
  is_outgoing: true;
  /** `pending` while a delayed refund is processing (`pending_refund` on the purchase). */
  status: 'refunded' | 'pending';
  amount: number;
  net_amount: number;
  fee_amount: number;
  currency: string;
  purchase: string;
  related_to: { type: 'purchase'; id: string };
  method: string;
  reference: string | null;
  description: string;
  is_test: true;
  paid_on: number;
  company_id: string;
  brand_id: string;
  created_on: number;
  updated_on: number;
}

/** Statuses of a purchase whose money was taken and not (all) given back: refundable, clearable, disputable. */
export const CAPTURED_STATUSES: ReadonlySet<string> = new Set(['paid', 'cleared', 'settled', 'refunded']);

/** Statuses in which the buyer may still pay (or the merchant cancel). */
export const AWAITING_PAYMENT: ReadonlySet<string> = new Set([
  'created',
  'sent',
  'viewed',
  'error',
  'overdue',
]);

export interface PurchaseCreateOptions {
  baseUrl: string;
  product?: 'purchases' | 'billing_invoices' | 'billing_subscriptions' | 'billing_subscriptions_invoice';
  billingTemplateId?: string | null;
  subscriberId?: string | null;
  createdFromIp?: string | null;
}

function decimal(value: number | string | undefined, places: number, fallback: string): string {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n.toFixed(places) : fallback;
}

/** A canonical fixed-point string ("1.5000", "-5.00") as an integer count of its last decimal place. */
function fixedPoint(value: string, field: string): bigint {
  const match = /^(-?)(\d+)\.(\d+)$/.exec(value);
  if (!match) throw fieldError(field, 'Ensure this value is a finite number of reasonable size.');
  return BigInt(`${match[1]}${match[2]}${match[3]}`);
}

/** numerator / denominator rounded half up (as `Math.round` does), exactly. */
function roundedQuotient(numerator: bigint, denominator: bigint): bigint {
  const twice = numerator * 2n + denominator;
  const divisor = denominator * 2n;
  const quotient = twice / divisor;
  // BigInt division truncates toward zero; Math.round floors (x + 0.5).
  return twice % divisor !== 0n && twice < 0n ? quotient - 1n : quotient;
}

/**
 * Totals in integer minor units: each line rounds once, tax per line. Quantities (4 places) and tax rates
 * (2 places) are scaled to integers first, so no binary fraction ever decides a rounding (25 × 0.58 is 14.5
 * and rounds to 15, where the float product 14.499… would give 14).
 */
export function buildPurchaseDetails(input: PurchaseDetailsBody, defaultCurrency: string): PurchaseDetails {
  const products: Product[] = input.products.map((p) => ({
    name: p.name,
    quantity: decimal(p.quantity, 4, '1.0000'),
    price: p.price,
    discount: p.discount ?? 0,
    tax_percent: decimal(p.tax_percent, 2, '0.00'),
    category: p.category ?? '',
  }));
  let sum = 0n;
  products.forEach((p, index) => {
    const gross = roundedQuotient(
      BigInt(p.price) * fixedPoint(p.quantity, `purchase.products.${index}.quantity`),
      10_000n,
    );
    const line = gross > BigInt(p.discount) ? gross - BigInt(p.discount) : 0n;
    const taxHundredths = fixedPoint(p.tax_percent, `purchase.products.${index}.tax_percent`);
    sum += line + roundedQuotient(line * taxHundredths, 10_000n);
  });
  if (sum > BigInt(Number.MAX_SAFE_INTEGER) || sum < 0n) {
    throw fieldError('purchase.products', 'Ensure the purchase total is a non-negative safe integer.');
  }
  let total = Number(sum);
  if (input.total_override !== undefined && input.total_override !== null) total = input.total_override;
  return {
    currency: (input.currency ?? defaultCurrency).toUpperCase(),
    products,
    total,
    total_amount: total,
    language: input.language ?? 'en',
    notes: input.notes ?? '',
    debt: 0,
    subtotal_override: null,
    total_tax_override: null,
    total_discount_override: null,
    total_override: input.total_override ?? null,
    request_client_details: [],
    timezone: input.timezone ?? 'UTC',
    due_strict: input.due_strict ?? false,
    email_message: input.email_message ?? '',
  };
}

const CLIENT_FIELDS = [
  'email',
  'phone',
  'full_name',
  'personal_code',
  'street_address',
  'country',
  'city',
  'zip_code',
  'state',
  'shipping_street_address',
  'shipping_country',
  'shipping_city',
  'shipping_zip_code',
  'shipping_state',
  'legal_name',
  'brand_name',
  'registration_number',
  'tax_number',
  'bank_account',
  'bank_code',
] as const;

/** ClientDetails as CHIP returns them: every documented field present, unset text as "". */
export function clientDetails(input: Record<string, unknown>): ClientDetails {
  const out: Record<string, unknown> = {};
  for (const field of CLIENT_FIELDS) {
    const value = input[field];
    out[field] = typeof value === 'string' ? value : '';
  }
  out['cc'] = Array.isArray(input['cc']) ? input['cc'] : [];
  out['bcc'] = Array.isArray(input['bcc']) ? input['bcc'] : [];
  return out as ClientDetails;
}
