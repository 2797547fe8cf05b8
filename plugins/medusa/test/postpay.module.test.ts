import type { PaymentSessionDTO } from '@medusajs/framework/types';
import postpayProvider, { PostpayPaymentProvider } from '../src/providers/postpay/index.js';
import { paymentModuleSuite } from './support/payment-module.js';

jest.setTimeout(60_000);

const PROVIDER = 'pp_postpay_postpay';
const BUYER = {
  email: 'aisha@example.ae',
  shipping_address: {
    first_name: 'Aisha',
    last_name: 'Rahman',
    address_1: 'Al Wasl Road 12',
    city: 'Dubai',
    country_code: 'ae',
    phone: '+971501234567',
  },
};

interface PostpayOrder {
  status: string;
  total_amount: number;
  currency: string;
}

paymentModuleSuite(
  'medusa_postpay',
  [{ resolve: postpayProvider, id: 'postpay', options: (w) => w.postpay.options() }],
  (helpers) => {
    const { service, authorize, world } = helpers;
    const session = (amount: number | string, data: Record<string, unknown> = BUYER, context = {}) =>
      helpers.session(PROVIDER, amount, 'aed', data, context);
    const orderOf = (s: PaymentSessionDTO) => String(s.data['id']);
    const order = (id: string) => world.postpay.api<PostpayOrder>('GET', `orders/${id}`);
    const captures = (id: string) => world.proxy.sent('POST', new RegExp(`/postpay/orders/${id}/capture$`));

    it('approves on the hosted page, captures the approval once at authorization, refunds twice, refuses over the cap', async () => {
      const created = await session(210.5);
      expect(created.status).toBe('requires_more');
      expect(created.data).toMatchObject({
        tijara_gateway: 'postpay',
        session_id: created.id,
        amount: 21050,
        currency: 'AED',
        capture: 'automatic',
        next_action: { type: 'redirect', method: 'GET' },
      });
      expect(await order(orderOf(created))).toMatchObject({
        status: 'pending',
        total_amount: 21050,
        currency: 'AED',
      });

      await world.postpay.decide(String(created.data['redirect_url']), 'approve');
      const payment = await authorize(created.id);
      expect(await order(orderOf(created))).toMatchObject({ status: 'captured' });
      expect(captures(orderOf(created))).toHaveLength(1);
      const recorded = await service.retrievePayment(payment.id, { relations: ['captures'] });
      expect(recorded.captures).toHaveLength(1);
      // Authorizing again answers the payment Medusa already has: no second capture.
      await service.authorizePaymentSession(created.id, {});
      expect(captures(orderOf(created))).toHaveLength(1);

      await service.refundPayment({ payment_id: payment.id, amount: 50 });
      await service.refundPayment({ payment_id: payment.id, amount: 10.5 });
      const refunds = await world.postpay.api<{ results: Array<{ refund_id: string; amount: number }> }>(
        'GET',
        `orders/${orderOf(created)}/refunds`,
      );
      const medusaRefunds = (await service.listRefunds({ payment_id: payment.id })).map((r) => r.id).sort();
      expect(refunds.results.map((r) => r.refund_id).sort()).toEqual(medusaRefunds);
      expect(refunds.results.map((r) => r.amount).sort()).toEqual([1050, 5000]);

      // A refund made in Postpay's dashboard counts against the cap, and does not break a later refund.
      await world.postpay.api('POST', `orders/${orderOf(created)}/refunds`, {
        refund_id: 'dashboard-1',
        amount: 10000,
      });
      await expect(service.refundPayment({ payment_id: payment.id, amount: 51 })).rejects.toThrow(
        /exceeds the 50\.00 AED the gateway has left to refund/,
      );
      await service.refundPayment({ payment_id: payment.id, amount: 50 });
      expect(await order(orderOf(created))).toMatchObject({ status: 'captured' });
      await expect(service.refundPayment({ payment_id: payment.id, amount: 1 })).rejects.toThrow(
        /nothing captured is left to refund|exceeds/,
      );
    });

    it('answers the approval hook with `authorized`, then `captured` once the approval is captured; the capture that follows makes no call', async () => {
      const created = await session(99);
      await world.postpay.decide(String(created.data['redirect_url']), 'approve');
      const [approval] = world.deliveries(orderOf(created), 'order.approved');
      expect(approval).toBeDefined();
      const payload = (delivery: NonNullable<typeof approval>) => ({
        provider: 'postpay_postpay',
        payload: { data: {}, rawData: delivery.body, headers: delivery.headers },
      });
      expect(await service.getWebhookActionAndData(payload(approval!))).toEqual({
        action: 'authorized',
        data: { session_id: created.id, amount: '99.00' },
      });

      const payment = await authorize(created.id);
      const [captured] = world.deliveries(orderOf(created), 'order.captured');
      expect(captured).toBeDefined();
      expect(await service.getWebhookActionAndData(payload(captured!))).toEqual({
        action: 'captured',
        data: { session_id: created.id, amount: '99.00' },
      });
      // Medusa captures after a `captured` action: already captured, nothing is sent.
      await service.capturePayment({ payment_id: payment.id });
      expect(captures(orderOf(created))).toHaveLength(1);

      const tampered = Buffer.from(captured!.body.toString('utf8').replace('"captured"', '"captured" '));
      expect(
        await service.getWebhookActionAndData({
          provider: 'postpay_postpay',
          payload: { data: {}, rawData: tampered, headers: captured!.headers },
        }),
      ).toEqual({ action: 'not_supported' });
    });

    it('a denied checkout is not authorized; the buyer may start again with a new session', async () => {
      const denied = await session(40);
      await world.postpay.decide(String(denied.data['redirect_url']), 'deny');
      await expect(service.authorizePaymentSession(denied.id, {})).rejects.toThrow(/not authorized/);
      const [stored] = await service.listPaymentSessions({ id: denied.id });
      expect(stored!.status).toBe('error');
      expect(stored!.data).toMatchObject({ status: 'failed' });

      const again = await session(40);
      expect(orderOf(again)).not.toBe(orderOf(denied));
    });

    it('says clearly what Postpay cannot do: manual capture, saved cards, a checkout without a shipping address', async () => {
      expect(() =>
        PostpayPaymentProvider.validateOptions({ ...world.postpay.options(), capture: 'manual' }),
      ).toThrow(/capture: postpay supports automatic capture only/);
      const holder = await service.createAccountHolder({
        provider_id: PROVIDER,
        context: { customer: { id: 'cus_01AISHA', email: BUYER.email } },
      });
      expect(holder).toBeUndefined();
      await expect(session(10, { ...BUYER, payment_method_id: 'tok_1' })).rejects.toThrow(
        /postpay initiate failed: postpay does not support savedMethods/,
      );
      await expect(session(10, { email: BUYER.email })).rejects.toThrow(/shipping\.address/);

      // Nothing to cancel at Postpay: an unused checkout lapses on its own, and deleting the session is fine.
      const unused = await session(12);
      await service.deletePaymentSession(unused.id);
      expect(await order(orderOf(unused))).toMatchObject({ status: 'pending' });
    });
  },
);
