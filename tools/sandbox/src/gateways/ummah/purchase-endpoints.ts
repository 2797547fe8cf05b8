import { ENDPOINTS } from '@tijara/ummah';
import { fieldError } from './api-errors.js';
import type { UmmahConfig } from './config.js';
import { implement, type Implementation } from './endpoints.js';
import type { PurchaseService } from './purchases.js';

const CARD_METHODS = ['visa', 'mastercard'];
const NAMES = { visa: 'Visa', mastercard: 'Mastercard' };
const LOGOS = { visa: '/static/images/icon-visa.svg', mastercard: '/static/images/icon-mastercard.svg' };
const E = ENDPOINTS.purchases;
const tag = 'Payments';

function checkBrand(config: UmmahConfig, brandId: string): void {
  if (brandId !== config.brandId) throw fieldError('brand_id', 'Object with this ID does not exist.');
}

/** The purchase endpoints of seed 000, CHIP's `charge/` (seed 004), and payment/payout methods. */
export function purchaseEndpoints(purchases: PurchaseService, config: UmmahConfig): Implementation[] {
  return [
    implement(
      E.create,
      { summary: 'Create a purchase', tag, status: 201 },
      ({ input, baseUrl, req }) => purchases.create(input, { baseUrl, createdFromIp: req.ip ?? null }).object,
    ),
    implement(
      E.retrieve,
      { summary: 'Retrieve a purchase', tag },
      ({ params }) => purchases.get(params['id']!).object,
    ),
    // Seed 000 answers these two with the status alone (`{"status": "cancelled"}`, `{"status": "released"}`),
    // unlike capture and mark_as_paid, which answer the purchase. The sandbox gives exactly that, so a client
    // that needs the purchase afterwards reads it, as it would have to against the gateway.
    implement(E.cancel, { summary: 'Cancel a purchase', tag }, ({ params }) => ({
      status: purchases.cancel(params['id']!).object.status,
    })),
    implement(E.release, { summary: 'Release held funds', tag }, ({ params }) => ({
      status: purchases.release(params['id']!).object.status,
    })),
    implement(
      E.capture,
      { summary: 'Capture a purchase on hold', tag },
      ({ params, input }) => purchases.capture(params['id']!, input.amount).object,
    ),
    implement(E.refund, { summary: 'Refund a purchase', tag }, ({ params, input }) =>
      purchases.refund(params['id']!, input.amount, input.reference),
    ),
    implement(
      E.markAsPaid,
      { summary: 'Confirm an offline payment', tag },
      ({ params, input }) => purchases.markAsPaid(params['id']!, input.paid_on).object,
    ),
    implement(E.resendInvoice, { summary: 'Resend the invoice email', tag }, ({ params }) =>
      purchases.resendInvoice(params['id']!),
    ),
    implement(E.deleteRecurringToken, { summary: 'Detach the saved payment method', tag }, ({ params }) =>
      purchases.deleteRecurringToken(params['id']!),
    ),
    implement(
      E.charge,
      { summary: 'Charge a purchase with a saved card (recurring token)', tag },
      ({ params, input }) => purchases.charge(params['id']!, input.recurring_token).object,
    ),
    implement(ENDPOINTS.paymentMethods.list, { summary: 'List payment methods', tag }, ({ input }) => {
      checkBrand(config, input.brand_id);
      return {
        available_payment_methods: CARD_METHODS,
        by_country: { any: ['card'] },
        country_names: { any: 'Other' },
        names: NAMES,
        logos: LOGOS,
        card_methods: CARD_METHODS,
      };
    }),
    implement(ENDPOINTS.payoutMethods.list, { summary: 'List payout methods', tag }, ({ input }) => {
      checkBrand(config, input.brand_id);
      return {
        available_payout_methods: CARD_METHODS,
        names: NAMES,
        logos: LOGOS,
        card_methods: CARD_METHODS,
      };
    }),
  ];
}
