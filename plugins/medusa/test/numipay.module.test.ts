import numipayProvider from '../src/providers/numipay/index.js';
import { paymentModuleSuite } from './support/payment-module.js';

jest.setTimeout(60_000);

const PROVIDER = 'pp_numipay_numipay';
const BUYER = { email: 'aisha@example.com', name: 'Aisha Rahman' };

paymentModuleSuite(
  'medusa_numipay',
  [{ resolve: numipayProvider, id: 'numipay', options: (w) => w.numipay.options() }],
  (helpers) => {
    const { service, authorize, world } = helpers;
    const session = (amount: number | string, data: Record<string, unknown> = BUYER) =>
      helpers.session(PROVIDER, amount, 'eur', data);

    it('sends the buyer to the cashier; a paid deposit authorizes as captured, and the capture makes no call', async () => {
      const created = await session(49.9);
      expect(created.status).toBe('requires_more');
      expect(created.data).toMatchObject({
        tijara_gateway: 'numipay',
        amount: 4990,
        currency: 'EUR',
        status: 'pending',
      });
      expect(String(created.data['redirect_url'])).toContain('/numipay/cashier?token=');
      await expect(service.authorizePaymentSession(created.id, {})).rejects.toThrow(/not authorized/);

      await world.numipay.pay(String(created.data['id']));
      const payment = await authorize(created.id);
      const recorded = await service.retrievePayment(payment.id, { relations: ['captures'] });
      expect(recorded.captures).toHaveLength(1);
      const sentBefore = world.proxy.requests.filter((r) => r.method === 'POST').length;
      await service.capturePayment({ payment_id: payment.id });
      expect(world.proxy.requests.filter((r) => r.method === 'POST')).toHaveLength(sentBefore);

      // Numipay has no refund API: the merchant is told where to refund, and Medusa records nothing.
      await expect(service.refundPayment({ payment_id: payment.id, amount: 10 })).rejects.toThrow(
        /numipay refund failed: Numipay has no refund API: refund from the Numipay back office/,
      );
      expect(await service.listRefunds({ payment_id: payment.id })).toHaveLength(0);
    });

    it('a declined deposit is not authorized', async () => {
      const created = await session(12);
      await world.numipay.pay(String(created.data['id']), 'decline');
      await expect(service.authorizePaymentSession(created.id, {})).rejects.toThrow(/not authorized/);
      const [stored] = await service.listPaymentSessions({ id: created.id });
      expect(stored!.status).toBe('error');
    });

    it('verifies its signed webhooks; they cannot name a Medusa session, so the return page and the reconcile job settle', async () => {
      const created = await session(20);
      await world.numipay.pay(String(created.data['id']));
      const [delivery] = world.receiver.requests.filter((r) => r.path === '/hooks/payment/numipay_numipay');
      expect(delivery).toBeDefined();
      const payload = { data: {}, rawData: delivery!.body, headers: delivery!.headers };
      expect(await service.getWebhookActionAndData({ provider: 'numipay_numipay', payload })).toEqual({
        action: 'not_supported',
      });
      // The fresh read the return page and the reconcile job make does settle it.
      const payment = await authorize(created.id);
      expect(payment.amount).toBe(20);
    });
  },
);
