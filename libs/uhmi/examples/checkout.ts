import type { Payment } from '@tijara/core';
import type { UhmiDriver } from '@tijara/uhmi';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** 1. Create the Uhmi payment for the order and 2. give the buyer the widget. */
export async function startCheckout(uhmi: UhmiDriver, orderId: string, totalCents: number): Promise<Payment> {
  return uhmi.createPayment({
    amount: totalCents, // euro cents: 499 = €4,99 (Uhmi takes 0.01 to 150 EUR)
    currency: 'EUR',
    reference: orderId,
    description: `Article ${orderId}`, // the widget's title, at most 160 characters
    customer: { email: 'reader@example.com' },
    capture: 'automatic',
    // The widget posts transaction_id here once the buyer has paid.
    returnUrls: {
      success: `https://shop.example/uhmi/return/${orderId}`,
      failure: `https://shop.example/uhmi/return/${orderId}`,
    },
  });
}

/** The markup for the store's page: the hosted widget page when configured, else Widget.js with the payment id. */
export function widgetMarkup(payment: Payment): string {
  const action = payment.nextAction;
  if (action.type !== 'widget') return '';
  if (action.url) return `<iframe src="${escape(action.url)}" title="Pay with Uhmi"></iframe>`;
  const data = Object.entries(action.params)
    .map(([name, value]) => ` data-${escape(name.replaceAll('_', '-'))}="${escape(value)}"`)
    .join('');
  return `<div class="uhmi-widget"${data}></div><script src="${escape(action.script ?? '')}" async></script>`;
}
