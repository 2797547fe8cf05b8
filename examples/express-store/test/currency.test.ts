/**
 * A store selling in a 3-decimal (KWD) or 0-decimal (JPY) currency, over plain HTTP: every page shows the
 * currency's own ISO 4217 decimals, the gateway is asked for exactly the cart's minor units, and an admin refund
 * typed as a decimal is converted with the same exponent.
 */
import { ADMIN_AUTHORIZATION, startExampleStore, type RunningStore } from './support/store-harness.js';

/** A browser without a browser: one cookie jar, manual redirects. */
function buyer(store: RunningStore) {
  let cookie = '';
  const request = async (
    path: string,
    form?: Record<string, string>,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(new URL(path, store.url), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return {
      status: response.status,
      location: response.headers.get('location'),
      html: await response.text(),
    };
  };
  return { request };
}

const textOf = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];

async function waitForStatus(request: ReturnType<typeof buyer>['request'], path: string, status: string) {
  for (let i = 0; i < 100; i += 1) {
    const page = await request(path);
    if (page.html.includes(`data-status="${status}"`)) return page.html;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} never reached ${status}`);
}

test.each([
  // Prayer mat 8900 + oud oil 14 900 minor units.
  ['KWD', 'KWD 8.900', 'KWD 23.800', 23_800, '1.234', 'KWD 1.234', /KWD \d+\.\d{2}(?!\d)/],
  ['JPY', 'JPY 8900', 'JPY 23800', 23_800, '500', 'JPY 500', /JPY \d+\./],
])(
  'a %s store shows, charges and refunds with the currency’s own decimals',
  async (currency, matPrice, totalShown, total, refundDecimal, refundShown, wrongFormat) => {
    const running = await startExampleStore({ currency });
    try {
      const { request } = buyer(running);
      const shop = await request('/');
      expect(shop.html).toContain(`<span class="price">${matPrice}</span>`);
      expect(shop.html).not.toMatch(wrongFormat);

      await request('/cart/items', { productId: 'prayer-mat' });
      await request('/cart/items', { productId: 'oud-oil' });
      const cart = await request('/cart');
      expect(textOf(cart.html, 'cart-total')).toBe(totalShown);
      expect(cart.html).not.toMatch(wrongFormat);

      const checkout = await request('/checkout', { name: 'Aisha Rahman', email: 'aisha@example.com' });
      expect(checkout.status).toBe(303);
      const checkoutUrl = checkout.location!;
      expect(checkoutUrl.startsWith(`${running.sandbox.url}/checkout/`)).toBe(true);
      const purchaseId = /\/checkout\/([^/]+)\//.exec(checkoutUrl)![1]!;
      const hosted = await (await fetch(checkoutUrl)).text();
      expect(textOf(hosted, 'total')).toBe(totalShown);
      // The order and the gateway's payment hold the cart's minor units, in the store's currency, untouched.
      const [placed] = running.store.db.allOrders();
      expect(placed).toMatchObject({ amount: total, currency });
      const orderId = placed!.id;
      const created = await running.store.tijara.listPayments(orderId);
      expect(created.map((p) => [p.paymentId, p.amount, p.currency])).toEqual([
        [purchaseId, total, currency],
      ]);
      const purchase = await fetch(`${running.sandbox.apiBase}purchases/${purchaseId}/`, {
        headers: { authorization: `Bearer ${running.sandbox.secretKey}` },
      });
      expect(await purchase.json()).toMatchObject({ purchase: { total, currency } });

      const paid = await fetch(checkoutUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          cardholder_name: 'Aisha Rahman',
          card_number: '4242 4242 4242 4242',
          expires: '12/34',
          cvc: '123',
        }).toString(),
      });
      const back = await request(paid.headers.get('location')!);
      const orderPath = `/orders/${orderId}`;
      expect(new URL(back.location!, running.url).pathname).toBe(orderPath);
      const order = await waitForStatus(request, orderPath, 'paid');
      expect(textOf(order, 'order-total')).toBe(totalShown);
      expect(order).not.toMatch(wrongFormat);
      const charged = await running.store.tijara.listPayments(orderId);
      expect(charged.map((p) => [p.status, p.amount, p.currency])).toEqual([['paid', total, currency]]);

      // The admin refund form takes a decimal in the order's currency and refunds exactly that.
      const asAdmin = { authorization: ADMIN_AUTHORIZATION };
      const admin = await request('/admin', undefined, asAdmin);
      expect(admin.html).toContain(`placeholder="${totalShown.split(' ')[1]}"`);
      const refunded = await request(
        `/payments/admin/orders/${orderId}/refund`,
        { amountDecimal: refundDecimal, redirect: '/admin' },
        asAdmin,
      );
      expect(new URL(refunded.location!).searchParams.get('done')).toBe('refund');
      const after = await waitForStatus(request, orderPath, 'partially_refunded');
      expect(textOf(after, 'order-refunded')).toBe(refundShown);
    } finally {
      await running.close();
    }
  },
);
