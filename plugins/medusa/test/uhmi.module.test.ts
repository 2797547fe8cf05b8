import uhmiProvider from '../src/providers/uhmi/index.js';
import { paymentModuleSuite } from './support/payment-module.js';

jest.setTimeout(60_000);

const PROVIDER = 'pp_uhmi_uhmi';

paymentModuleSuite(
  'medusa_uhmi',
  [{ resolve: uhmiProvider, id: 'uhmi', options: (w) => w.uhmi.options() }],
  (helpers) => {
    const { service, authorize, world } = helpers;
    const session = (amount: number | string) =>
      helpers.session(PROVIDER, amount, 'eur', { email: 'reader@example.com' });
    /** What the return route does with what the widget posted (`POST /store/tijara/payment-sessions/:id/return`). */
    const returnWith = async (sessionId: string, form: Record<string, string>) => {
      const [current] = await service.listPaymentSessions({ id: sessionId });
      return service.updatePaymentSession({
        id: sessionId,
        amount: current!.amount,
        currency_code: current!.currency_code,
        data: { ...current!.data, return_params: { query: {}, form } },
      });
    };

    it('shows the widget; the transaction the widget returns is read from Uhmi and completes the payment', async () => {
      const created = await session(4.99);
      expect(created.status).toBe('requires_more');
      expect(created.data).toMatchObject({
        tijara_gateway: 'uhmi',
        amount: 499,
        currency: 'EUR',
        next_action: { type: 'widget', params: expect.any(Object) },
      });

      const transactionId = await world.uhmi.pay(String(created.data['id']));
      // Uhmi cannot list a payment's transactions and sends no webhook: until the return, it looks unpaid.
      await expect(service.authorizePaymentSession(created.id, {})).rejects.toThrow(/not authorized/);

      const returned = await returnWith(created.id, { transaction_id: transactionId });
      expect(returned.status).toBe('captured');
      expect(returned.data).not.toHaveProperty('return_params');
      const payment = await authorize(created.id);
      expect(payment.amount).toBe(4.99);

      await expect(service.refundPayment({ payment_id: payment.id, amount: 1 })).rejects.toThrow(
        /uhmi refund failed: Uhmi has no merchant refund API: refund the buyer from the Uhmi dashboard/,
      );
    });

    it("refuses a return naming another payment's transaction", async () => {
      const paid = await session(2);
      const otherTransaction = await world.uhmi.pay(String(paid.data['id']));
      const unpaid = await session(2);
      await expect(returnWith(unpaid.id, { transaction_id: otherTransaction })).rejects.toThrow(
        /not .* which the buyer was sent to pay/,
      );
      await expect(service.authorizePaymentSession(unpaid.id, {})).rejects.toThrow(/not authorized/);
    });

    it('Uhmi sends no webhooks: a delivery to its hook route changes nothing', async () => {
      expect(
        await service.getWebhookActionAndData({
          provider: 'uhmi_uhmi',
          payload: { data: {}, rawData: Buffer.from('{"transaction_id":"t"}'), headers: {} },
        }),
      ).toEqual({ action: 'not_supported' });
    });
  },
);
