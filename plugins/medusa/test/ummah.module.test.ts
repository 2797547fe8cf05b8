import type { PaymentSessionDTO } from '@medusajs/framework/types';
import ummahProvider from '../src/providers/ummah/index.js';
import { paymentModuleSuite } from './support/payment-module.js';

jest.setTimeout(60_000);

const PROVIDER = 'pp_ummah_ummah';
const HOLD = 'pp_ummah_hold';

paymentModuleSuite(
  'medusa_ummah',
  [
    { resolve: ummahProvider, id: 'ummah', options: (w) => w.ummah.options() },
    {
      resolve: ummahProvider,
      id: 'hold',
      options: (w) => w.ummah.options({ capture: 'manual', providerId: 'hold' }),
    },
  ],
  ({ service, session: newSession, authorize, world }) => {
    const session = (
      provider: string,
      amount: number | string,
      currency = 'myr',
      data: Record<string, unknown> = { email: 'aisha@example.com' },
      context: Record<string, unknown> = {},
    ) => newSession(provider, amount, currency, data, context);

    const purchaseOf = (s: PaymentSessionDTO) => String(s.data['id']);

    it('pays on the hosted page, authorizes as captured, refunds twice and refuses what is over the cap', async () => {
      const created = await session(PROVIDER, 120.5);
      expect(created.status).toBe('requires_more');
      expect(created.data).toMatchObject({
        tijara_gateway: 'ummah',
        session_id: created.id,
        amount: 12050,
        currency: 'MYR',
        capture: 'automatic',
        status: 'pending',
        next_action: { type: 'redirect', method: 'GET' },
      });
      expect(String(created.data['redirect_url'])).toContain('/checkout/');
      const purchase = await world.ummah.api<Record<string, unknown>>(
        'GET',
        `purchases/${purchaseOf(created)}/`,
      );
      expect(purchase).toMatchObject({
        reference: created.id,
        success_callback: `${world.receiver.url}/hooks/payment/ummah_ummah`,
      });

      // Not paid yet: Medusa is told the buyer must still act.
      await expect(service.authorizePaymentSession(created.id, {})).rejects.toThrow(/not authorized/);

      await world.ummah.pay(purchaseOf(created));
      const payment = await authorize(created.id);
      const captured = await service.retrievePayment(payment.id, { relations: ['captures'] });
      expect(captured.captures).toHaveLength(1);
      expect(captured.data).toMatchObject({ status: 'paid', captured_amount: 12050 });

      await service.refundPayment({ payment_id: payment.id, amount: 20 });
      await service.refundPayment({ payment_id: payment.id, amount: 30.25 });
      const after = await world.ummah.api<{ refundable_amount: number; status: string }>(
        'GET',
        `purchases/${purchaseOf(created)}/`,
      );
      expect(after).toMatchObject({ status: 'refunded', refundable_amount: 12050 - 2000 - 3025 });
      // Each refund was sent once, keyed by Medusa's refund id, with that id as the gateway's reference.
      const refundIds = (await service.listRefunds({ payment_id: payment.id }))
        .map((refund) => refund.id)
        .sort();
      const sent = world.proxy.sent('POST', /\/refund\/$/);
      expect(sent.map((r) => r.headers['idempotency-key']).sort()).toEqual(refundIds);
      expect(sent.map((r) => (r.json as { reference: string }).reference).sort()).toEqual(refundIds);
      expect(sent.map((r) => (r.json as { amount: number }).amount).sort()).toEqual([2000, 3025]);

      // Medusa's own cap refuses first…
      await expect(service.refundPayment({ payment_id: payment.id, amount: 71 })).rejects.toThrow(
        /cannot refund more than what is captured/,
      );
      // …and the gateway's cap counts refunds made in its dashboard.
      await world.ummah.api('POST', `purchases/${purchaseOf(created)}/refund/`, { amount: 6000 });
      await expect(service.refundPayment({ payment_id: payment.id, amount: 11 })).rejects.toThrow(
        /exceeds the 10\.25 MYR the gateway has left to refund/,
      );
      // A refund within what is left still works after the dashboard refund.
      await service.refundPayment({ payment_id: payment.id, amount: 10.25 });
      const last = await world.ummah.api<{ refundable_amount: number }>(
        'GET',
        `purchases/${purchaseOf(created)}/`,
      );
      expect(last.refundable_amount).toBe(0);
      expect(await service.listRefunds({ payment_id: payment.id })).toHaveLength(3);
    });

    it('converts by the currency exponent: KWD has three decimals, JPY none', async () => {
      const kwd = await session(PROVIDER, '12.345', 'kwd');
      expect(kwd.data).toMatchObject({ amount: 12345, currency: 'KWD' });
      const jpy = await session(PROVIDER, 5000, 'jpy');
      expect(jpy.data).toMatchObject({ amount: 5000, currency: 'JPY' });
      const kwdPurchase = await world.ummah.api<{ purchase: { total: number; currency: string } }>(
        'GET',
        `purchases/${purchaseOf(kwd)}/`,
      );
      expect(kwdPurchase.purchase).toMatchObject({ total: 12345, currency: 'KWD' });

      await world.ummah.pay(purchaseOf(kwd));
      const payment = await authorize(kwd.id);
      await service.refundPayment({ payment_id: payment.id, amount: '1.005' });
      const refunded = await world.ummah.api<{ refundable_amount: number }>(
        'GET',
        `purchases/${purchaseOf(kwd)}/`,
      );
      expect(refunded.refundable_amount).toBe(12345 - 1005);
      // A fraction KWD cannot carry is refused, never rounded.
      await expect(service.refundPayment({ payment_id: payment.id, amount: '0.0005' })).rejects.toThrow(
        /more precision than KWD allows/,
      );
    });

    it('holds with manual capture, then captures the whole hold', async () => {
      const created = await session(HOLD, 80);
      expect(created.data).toMatchObject({ capture: 'manual' });
      await world.ummah.pay(purchaseOf(created));
      const payment = await authorize(created.id);
      expect(
        (await world.ummah.api<{ status: string }>('GET', `purchases/${purchaseOf(created)}/`)).status,
      ).toBe('hold');
      await service.capturePayment({ payment_id: payment.id });
      expect(
        (await world.ummah.api<{ status: string }>('GET', `purchases/${purchaseOf(created)}/`)).status,
      ).toBe('paid');
      const captures = world.proxy.sent('POST', new RegExp(`/purchases/${purchaseOf(created)}/capture/$`));
      expect(captures).toHaveLength(1);
      expect(captures[0]?.json).toEqual({});
    });

    it('releases a hold when the payment is canceled, and never cancels a captured payment', async () => {
      const held = await session(HOLD, 45);
      await world.ummah.pay(purchaseOf(held));
      const payment = await authorize(held.id);
      await service.cancelPayment(payment.id);
      expect(
        (await world.ummah.api<{ status: string }>('GET', `purchases/${purchaseOf(held)}/`)).status,
      ).toBe('released');

      const paid = await session(PROVIDER, 45);
      await world.ummah.pay(purchaseOf(paid));
      const captured = await authorize(paid.id);
      await expect(service.cancelPayment(captured.id)).rejects.toThrow(
        /cannot be canceled, refund it instead/,
      );
      expect(
        (await world.ummah.api<{ status: string }>('GET', `purchases/${purchaseOf(paid)}/`)).status,
      ).toBe('paid');
    });

    it('answers a `captured` webhook with the session and a major-unit amount; the capture that follows makes no call', async () => {
      const created = await session(HOLD, 99.9);
      await world.ummah.pay(purchaseOf(created));
      const payment = await authorize(created.id);
      // The merchant captures in the gateway's dashboard; Ummah sends purchase.captured.
      await world.ummah.api('POST', `purchases/${purchaseOf(created)}/capture/`, {});
      await world.sandbox.settle();
      const [delivery] = world.deliveries(purchaseOf(created), 'purchase.captured');
      expect(delivery).toBeDefined();
      const payload = {
        data: delivery!.json as Record<string, unknown>,
        rawData: delivery!.body,
        headers: delivery!.headers,
      };

      const first = await service.getWebhookActionAndData({ provider: 'ummah_hold', payload });
      const again = await service.getWebhookActionAndData({ provider: 'ummah_hold', payload });
      expect(first).toEqual({ action: 'captured', data: { session_id: created.id, amount: '99.90' } });
      expect(again).toEqual(first);

      const capturesBefore = world.proxy.sent('POST', /\/capture\/$/).length;
      await service.capturePayment({ payment_id: payment.id });
      expect(world.proxy.sent('POST', /\/capture\/$/)).toHaveLength(capturesBefore);
      const after = await service.retrievePayment(payment.id, { relations: ['captures'] });
      expect(after.captures).toHaveLength(1);
    });

    it('refuses a delivery whose bytes were changed, and events Medusa did not start', async () => {
      const created = await session(PROVIDER, 10);
      await world.ummah.pay(purchaseOf(created));
      const [callback] = world.deliveries(purchaseOf(created), 'purchase.paid');
      expect(callback).toBeDefined();
      const tampered = Buffer.from(callback!.body.toString('utf8').replace('"paid"', '"paid" '));
      expect(
        await service.getWebhookActionAndData({
          provider: 'ummah_ummah',
          payload: { data: {}, rawData: tampered, headers: callback!.headers },
        }),
      ).toEqual({ action: 'not_supported' });
      // The genuine bytes verify.
      expect(
        await service.getWebhookActionAndData({
          provider: 'ummah_ummah',
          payload: { data: {}, rawData: callback!.body, headers: callback!.headers },
        }),
      ).toEqual({ action: 'captured', data: { session_id: created.id, amount: '10.00' } });

      // A purchase made by another integration on the same account.
      const foreign = await world.ummah.api<{ id: string }>('POST', 'purchases/', {
        brand_id: world.sandbox.brandId,
        client: { email: 'other@example.com' },
        purchase: { currency: 'MYR', products: [{ name: 'x', price: 100 }] },
        reference: 'invoice-77',
      });
      await world.ummah.pay(foreign.id);
      const [other] = world.deliveries(foreign.id, 'purchase.paid');
      expect(
        await service.getWebhookActionAndData({
          provider: 'ummah_ummah',
          payload: { data: {}, rawData: other!.body, headers: other!.headers },
        }),
      ).toEqual({ action: 'not_supported' });
    });

    it('saves a card for the account holder and charges it later without a redirect', async () => {
      const customer = {
        id: 'cus_01AISHA',
        email: 'aisha@example.com',
        first_name: 'Aisha',
        last_name: 'Rahman',
      };
      const holder = await service.createAccountHolder({ provider_id: PROVIDER, context: { customer } });
      expect(holder.external_id).toMatch(/\S/);
      const context = { customer, account_holder: holder };

      const first = await session(PROVIDER, 25, 'myr', { save_method: true }, context);
      await world.ummah.pay(purchaseOf(first), { remember_card: true });
      await authorize(first.id);

      const methods = await service.listPaymentMethods({
        provider_id: PROVIDER,
        context: { account_holder: holder },
      });
      expect(methods).toHaveLength(1);
      expect(methods[0]).toMatchObject({
        id: purchaseOf(first),
        data: { brand: expect.any(String), last4: '4242' },
      });

      const second = await session(PROVIDER, 14.9, 'myr', { payment_method_id: methods[0]!.id }, context);
      expect(second.status).toBe('captured');
      expect(second.data['redirect_url']).toBeUndefined();
      const payment = await authorize(second.id);
      expect(payment.amount).toBe(14.9);

      // Another customer cannot charge it.
      const stranger = await service.createAccountHolder({
        provider_id: PROVIDER,
        context: { customer: { id: 'cus_01OTHER', email: 'other@example.com' } },
      });
      await expect(
        session(PROVIDER, 5, 'myr', { payment_method_id: methods[0]!.id }, { account_holder: stranger }),
      ).rejects.toThrow(/No saved method/);
    });

    it('cancels the gateway payment of a deleted session, and refuses to drop a paid one', async () => {
      const abandoned = await session(PROVIDER, 12);
      await service.deletePaymentSession(abandoned.id);
      expect(
        (await world.ummah.api<{ status: string }>('GET', `purchases/${purchaseOf(abandoned)}/`)).status,
      ).toBe('cancelled');

      const paid = await session(PROVIDER, 12);
      await world.ummah.pay(purchaseOf(paid));
      await expect(service.deletePaymentSession(paid.id)).rejects.toThrow(/already paid: complete the cart/);
    });

    it('keeps the gateway payment when the amount is unchanged and replaces it when it changes', async () => {
      const created = await session(PROVIDER, 30);
      const same = await service.updatePaymentSession({
        id: created.id,
        amount: 30,
        currency_code: 'myr',
        data: created.data,
      });
      expect(same.data['id']).toBe(created.data['id']);
      const changed = await service.updatePaymentSession({
        id: created.id,
        amount: 35,
        currency_code: 'myr',
        data: same.data,
      });
      expect(changed.data['id']).not.toBe(created.data['id']);
      expect(changed.data).toMatchObject({ amount: 3500, session_id: created.id });
      expect(
        (await world.ummah.api<{ status: string }>('GET', `purchases/${purchaseOf(created)}/`)).status,
      ).toBe('cancelled');
    });
  },
);
