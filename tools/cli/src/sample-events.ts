import { randomUUID } from 'node:crypto';

/** Body shapes a gateway of the family sends: seed 000's envelope, or CHIP's object with `event_type`. */
export type DeliveryShape = 'envelope' | 'chip';

/** Purchase status after each purchase event (seed 004's status list). */
const STATUS_AFTER: Readonly<Record<string, string>> = {
  'purchase.created': 'created',
  'purchase.viewed': 'viewed',
  'purchase.paid': 'paid',
  'purchase.payment_failure': 'error',
  'purchase.pending_execute': 'pending_execute',
  'purchase.preauthorized': 'preauthorized',
  'purchase.hold': 'hold',
  'purchase.pending_capture': 'pending_capture',
  'purchase.captured': 'paid',
  'purchase.pending_release': 'pending_release',
  'purchase.released': 'released',
  'purchase.pending_refund': 'pending_refund',
  'purchase.refunded': 'refunded',
  'purchase.cancelled': 'cancelled',
  'purchase.settled': 'settled',
  'purchase.pending_charge': 'pending_charge',
  'purchase.recurring_token_deleted': 'paid',
  'purchase.subscription_charge_failure': 'error',
};

const PAID = new Set([
  'paid',
  'settled',
  'refunded',
  'pending_refund',
  'hold',
  'pending_capture',
  'pending_release',
]);
const FAILED = new Set(['error']);

interface SampleContext {
  readonly now: number;
  readonly amount: number;
  readonly currency: string;
}

function card(failed: boolean) {
  return {
    masked_pan: failed ? '400000******0002' : '424242******4242',
    card_brand: 'visa',
    card_type: 'credit',
    expiry_month: 12,
    expiry_year: new Date().getUTCFullYear() + 3,
    cardholder_name: 'TEST BUYER',
    card_issuer_country: 'US',
  };
}

/** A Purchase as the gateway returns it, in the state right after `event`. */
export function samplePurchase(event: string, context: SampleContext): Record<string, unknown> {
  const status = STATUS_AFTER[event] ?? 'paid';
  const { now, amount, currency } = context;
  const id = randomUUID();
  const failed = FAILED.has(status);
  const charged = PAID.has(status) || status === 'preauthorized' || status === 'released';
  const recurring = event === 'purchase.preauthorized';
  const history = [
    { status: 'created', timestamp: now - 120 },
    { status: 'viewed', timestamp: now - 90 },
  ];
  if (status !== 'created' && status !== 'viewed') history.push({ status, timestamp: now });
  const refunded = status === 'refunded' ? amount : 0;
  return {
    id,
    type: 'purchase',
    status,
    status_history: status === 'created' ? history.slice(0, 1) : history,
    created_on: now - 120,
    updated_on: now,
    viewed_on: status === 'created' ? null : now - 90,
    brand_id: 'a1b2c3d4-0000-4000-8000-000000000001',
    client_id: null,
    client: { email: 'buyer@example.com', full_name: 'Test Buyer', phone: '', country: 'US' },
    purchase: {
      currency,
      products: [
        { name: 'Tijara test order', quantity: '1.0000', price: amount, discount: 0, tax_percent: '0.00' },
      ],
      total: amount,
      total_amount: amount,
      language: 'en',
      notes: '',
      total_override: null,
      timezone: 'UTC',
      due_strict: false,
    },
    payment: charged
      ? {
          is_outgoing: false,
          payment_type: 'purchase',
          amount: recurring ? 0 : amount,
          currency,
          net_amount: recurring ? 0 : amount - Math.round(amount * 0.029),
          fee_amount: recurring ? 0 : Math.round(amount * 0.029),
          pending_amount: 0,
          paid_on: now,
          method: 'visa',
          is_recurring_token: recurring,
        }
      : null,
    transaction_data:
      charged || failed
        ? { payment_method: 'visa', flow: 'payform', extra: card(failed), country: 'US', attempts: [] }
        : { payment_method: '', flow: '', extra: {}, country: '', attempts: [] },
    is_test: true,
    is_recurring_token: recurring,
    recurring_token: null,
    skip_capture: ['hold', 'pending_capture', 'pending_release', 'released', 'preauthorized'].includes(
      status,
    ),
    force_recurring: recurring,
    reference: `order-${now}`,
    reference_generated: '#1001',
    due: null,
    refund_availability: status === 'paid' || status === 'settled' ? 'all' : 'none',
    refundable_amount: status === 'paid' || status === 'settled' ? amount - refunded : 0,
    checkout_url: `https://gate.ummah.com/p/${id}/`,
    success_redirect: 'https://shop.example.com/checkout/success',
    failure_redirect: 'https://shop.example.com/checkout/failure',
    cancel_redirect: 'https://shop.example.com/checkout/cancel',
    success_callback: null,
    creator_agent: 'tijara-cli',
    platform: 'api',
    product: 'purchases',
  };
}

/** CHIP's refund notification object: a Payment related to the purchase. */
function sampleRefund(context: SampleContext): Record<string, unknown> {
  const purchaseId = randomUUID();
  return {
    id: randomUUID(),
    type: 'payment',
    status: 'success',
    payment_type: 'refund',
    is_outgoing: true,
    amount: context.amount,
    currency: context.currency,
    purchase: purchaseId,
    related_to: { type: 'purchase', id: purchaseId },
    method: 'visa',
    reference: `refund-${context.now}`,
    is_test: true,
    created_on: context.now,
    updated_on: context.now,
  };
}

function sampleSubscriber(context: SampleContext): Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'billing_template_client',
    billing_template_id: randomUUID(),
    client_id: randomUUID(),
    client: { email: 'subscriber@example.com', full_name: 'Test Subscriber' },
    status: 'active',
    is_subscription: true,
    next_billing_on: context.now + 30 * 86_400,
    created_on: context.now,
    updated_on: context.now,
  };
}

/** The object an event is about. */
export function sampleObject(event: string, context: SampleContext): Record<string, unknown> {
  if (event === 'payment.refunded') return sampleRefund(context);
  if (event === 'billing_template.client_activated') return sampleSubscriber(context);
  return samplePurchase(event, context);
}

/** The exact bytes of a realistic delivery of `event`. */
export function sampleDeliveryBody(
  event: string,
  options: { shape?: DeliveryShape; amount?: number; currency?: string; now?: number } = {},
): Buffer {
  const context: SampleContext = {
    now: options.now ?? Math.floor(Date.now() / 1000),
    amount: options.amount ?? 2999,
    currency: options.currency ?? 'USD',
  };
  const object = sampleObject(event, context);
  const body =
    (options.shape ?? 'envelope') === 'envelope'
      ? { id: `evt_${randomUUID()}`, type: event, created_on: context.now, object }
      : { ...object, event_type: event };
  return Buffer.from(JSON.stringify(body), 'utf8');
}
