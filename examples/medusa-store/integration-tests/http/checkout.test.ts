import path from 'node:path';
import type {
  IEventBusModuleService,
  IPaymentModuleService,
  MedusaContainer,
} from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { medusaIntegrationTestRunner } from '@medusajs/test-utils';
import { generateUmmahTestKeys, ummahTestWebhookHeaders } from '@tijara/ummah';
import reconcileJob, { config as reconcileJobConfig } from '@tijara/medusa/jobs/reconcile-payment-sessions';
import { dropTestDatabase, launchChromium, testDatabaseName } from '@tijara/testkit';
import type { Browser } from 'playwright-core';
import { ensureAdminUser } from '../../src/seed/admin-user.js';
import { seedStore, type SeedResult } from '../../src/seed/seed-store.js';
import { startStoreWorld, type StoreWorld } from '../support/store-world.js';

jest.setTimeout(120_000);

const dbName = testDatabaseName('medusa_store');
const ADMIN = { email: 'admin@souq.test', password: 'a-long-test-password' };
const CARD = { number: '4242 4242 4242 4242', expiry: '12/34', cvc: '123' };
let world: StoreWorld;
let browser: Browser | undefined;

beforeAll(async () => {
  world = await startStoreWorld();
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
  // Medusa's runner drops its database and the template it restores each test from; this is in case it did not.
  await dropTestDatabase(dbName);
});

interface WebhookSeen {
  readonly action: string;
  readonly sessionId: string | undefined;
}

medusaIntegrationTestRunner({
  cwd: path.join(__dirname, '..', '..'),
  dbName,
  testSuite: ({ getContainer, dbUtils, utils }) => {
    let seed: SeedResult;
    let adminToken: string;
    /** What the plugin answered for every delivery that reached Medusa's hook route (see beforeAll). */
    const webhooks: WebhookSeen[] = [];

    const container = (): MedusaContainer => getContainer();

    async function http<T = Record<string, unknown>>(
      method: string,
      url: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<T> {
      const response = await fetch(`${world.backendUrl}${url}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as T;
      if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    }
    const store = <T = Record<string, unknown>>(method: string, url: string, body?: unknown) =>
      http<T>(method, url, body, { 'x-publishable-api-key': seed.publishableKey });
    const admin = <T = Record<string, unknown>>(method: string, url: string, body?: unknown) =>
      http<T>(method, url, body, { authorization: `Bearer ${adminToken}` });

    beforeAll(async () => {
      seed = await seedStore(container());
      await ensureAdminUser(container(), ADMIN.email, ADMIN.password);
      // Every test starts from the seeded store.
      await dbUtils.snapshot();
      const eventBus = container().resolve<IEventBusModuleService>(Modules.EVENT_BUS);
      const payments = container().resolve<IPaymentModuleService>(Modules.PAYMENT);
      // Ask the plugin what it makes of each delivery, exactly as Medusa's own subscriber does (the answer has no
      // side effects and is the same every time, so asking twice is allowed).
      eventBus.subscribe(
        'payment.webhook_received',
        async (event) => {
          const data = event.data as Parameters<IPaymentModuleService['getWebhookActionAndData']>[0];
          const result = await payments.getWebhookActionAndData(data);
          webhooks.push({ action: result.action, sessionId: result.data?.session_id });
        },
        { subscriberId: 'tijara-test-webhook-probe' },
      );
    });

    beforeEach(async () => {
      webhooks.length = 0;
      const { token } = await http<{ token: string }>('POST', '/auth/user/emailpass', ADMIN);
      adminToken = token;
    });

    const region = (currency: string) => seed.regions.find((r) => r.currency === currency)!;

    /**
     * A cart with two items and delivery, up to a payment session with the region's provider: Ummah in Malaysia
     * (MYR), Postpay in the UAE (AED). The storefront passes the buyer's email and the cart's shipping address.
     */
    async function checkout(
      currency: 'myr' | 'aed' = 'myr',
    ): Promise<{ cartId: string; sessionId: string; purchaseId: string; redirectUrl: string }> {
      const address =
        currency === 'myr'
          ? {
              first_name: 'Aisha',
              last_name: 'Rahman',
              address_1: 'Jalan Ampang 12',
              city: 'Kuala Lumpur',
              postal_code: '50450',
              country_code: 'my',
            }
          : {
              first_name: 'Aisha',
              last_name: 'Rahman',
              address_1: 'Al Wasl Road 12',
              city: 'Dubai',
              country_code: 'ae',
              phone: '+971501234567',
            };
      const { cart } = await store<{ cart: { id: string } }>('POST', '/store/carts', {
        region_id: region(currency).id,
        email: 'aisha@example.com',
        items: [{ variant_id: seed.products[0]!.variantId, quantity: 2 }],
        shipping_address: address,
        billing_address: address,
      });
      await store('POST', `/store/carts/${cart.id}/shipping-methods`, { option_id: seed.shippingOptionId });
      const { payment_collection: collection } = await store<{ payment_collection: { id: string } }>(
        'POST',
        '/store/payment-collections',
        { cart_id: cart.id },
      );
      const { payment_collection: withSession } = await store<{
        payment_collection: { payment_sessions: Array<{ id: string; data: Record<string, unknown> }> };
      }>('POST', `/store/payment-collections/${collection.id}/payment-sessions`, {
        provider_id: region(currency).providerId,
        data: { email: 'aisha@example.com', shipping_address: address },
      });
      const session = withSession.payment_sessions[0]!;
      return {
        cartId: cart.id,
        sessionId: session.id,
        purchaseId: String(session.data['id']),
        redirectUrl: String(session.data['redirect_url']),
      };
    }

    async function orderOf(
      cartId: string,
    ): Promise<{ id: string; total: number; paymentIds: string[] } | undefined> {
      const query = container().resolve(ContainerRegistrationKeys.QUERY);
      const { data } = await query.graph({
        entity: 'cart',
        fields: ['id', 'order.id', 'order.total', 'order.payment_collections.payments.id'],
        filters: { id: cartId },
      });
      const order = data[0]?.order as
        | { id: string; total: number; payment_collections?: Array<{ payments?: Array<{ id: string }> }> }
        | undefined;
      if (!order) return undefined;
      const paymentIds = (order.payment_collections ?? []).flatMap((c) =>
        (c.payments ?? []).map((p) => p.id),
      );
      return { id: order.id, total: Number(order.total), paymentIds };
    }

    /** Wait for the order of a cart (the webhook path completes it in the background). */
    async function waitForOrder(cartId: string): Promise<NonNullable<Awaited<ReturnType<typeof orderOf>>>> {
      for (let i = 0; i < 150; i += 1) {
        const order = await orderOf(cartId);
        if (order) {
          await utils.waitWorkflowExecutions();
          return (await orderOf(cartId))!;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`cart ${cartId} never became an order`);
    }

    /** Wait until `count` deliveries matching `which` reached the hook route, and say what the plugin made of them. */
    async function waitForWebhooks(
      which: (seen: WebhookSeen) => boolean,
      count: number,
    ): Promise<WebhookSeen[]> {
      for (let i = 0; i < 150; i += 1) {
        const seen = webhooks.filter(which);
        if (seen.length >= count) return seen;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`fewer than ${count} matching deliveries reached the store`);
    }

    const purchase = async (id: string) =>
      (await fetch(`${world.sandbox.apiBase}purchases/${id}/`, {
        headers: { authorization: `Bearer ${world.sandbox.secretKey}` },
      }).then((r) => r.json())) as {
        status: string;
        refundable_amount?: number;
        purchase: { total: number };
      };

    const payByControlApi = (purchaseId: string) =>
      fetch(`${world.sandbox.url}/__sandbox/purchases/${purchaseId}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ card_number: CARD.number }),
      }).then((r) => {
        if (!r.ok) throw new Error(`pay ${purchaseId}: ${r.status}`);
      });

    const faults = (rule: Record<string, unknown>) =>
      fetch(`${world.sandbox.url}/__sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      }).then((r) => {
        if (!r.ok) throw new Error(`fault: ${r.status}`);
      });

    it('a buyer pays on the hosted page in Chromium; the order is captured and refunded from the admin', async () => {
      const { cartId, sessionId, purchaseId, redirectUrl } = await checkout();
      // Two mats at MYR 45 plus MYR 10 delivery: the gateway is asked for exactly MYR 100.00.
      expect((await purchase(purchaseId)).purchase.total).toBe(10_000);

      browser ??= await launchChromium();
      const context = await browser.newContext();
      const tab = await context.newPage();
      tab.setDefaultTimeout(20_000);
      await tab.goto(redirectUrl);
      await tab.fill('#cardholder_name', 'Aisha Rahman');
      await tab.fill('#card_number', CARD.number);
      await tab.fill('#expiry', CARD.expiry);
      await tab.fill('#cvc', CARD.cvc);
      await tab.click('#pay');
      // Back on the store's return page, which completed the cart.
      await tab.waitForURL((url) =>
        url.href.startsWith(`${world.backendUrl}/checkout/return?session_id=${sessionId}`),
      );
      const orderId = await tab.innerText('#order-id');
      const html = await tab.content();
      await context.close();
      expect(html).not.toContain(world.sandbox.secretKey);

      const order = await waitForOrder(cartId);
      expect(order.id).toBe(orderId);
      // The signed callback arrived too; it found the order placed and changed nothing.
      expect((await waitForWebhooks((w) => w.sessionId === sessionId, 1)).map((w) => w.action)).toEqual([
        'authorized',
      ]);
      await utils.waitWorkflowExecutions();
      expect((await orderOf(cartId))?.paymentIds).toHaveLength(1);
      expect(order.total).toBe(100);
      expect(await purchase(purchaseId)).toMatchObject({ status: 'hold' });

      const paymentId = order.paymentIds[0]!;
      await admin('POST', `/admin/payments/${paymentId}/capture`, {});
      expect(await purchase(purchaseId)).toMatchObject({ status: 'paid' });

      await admin('POST', `/admin/payments/${paymentId}/refund`, { amount: 45 });
      expect(await purchase(purchaseId)).toMatchObject({ status: 'refunded', refundable_amount: 5_500 });
      const { order: after } = await admin<{ order: { payment_status: string } }>(
        'GET',
        `/admin/orders/${order.id}?fields=payment_status`,
      );
      expect(after.payment_status).toBe('partially_refunded');
    });

    it("in the UAE a buyer approves on Postpay's page in Chromium; the approval is captured once and the cart completes", async () => {
      const { cartId, sessionId, purchaseId, redirectUrl } = await checkout('aed');
      browser ??= await launchChromium();
      const context = await browser.newContext();
      const tab = await context.newPage();
      tab.setDefaultTimeout(20_000);
      await tab.goto(redirectUrl);
      await tab.fill('#phone', '+971501234567');
      await tab.fill('#sms_code', '4567');
      await tab.fill('#card_number', '4111 1111 1111 1111');
      await tab.fill('#expiry', CARD.expiry);
      await tab.fill('#cvc', CARD.cvc);
      await tab.click('#approve');
      await tab.waitForURL((url) =>
        url.href.startsWith(`${world.backendUrl}/checkout/return?session_id=${sessionId}`),
      );
      const orderId = await tab.innerText('#order-id');
      await context.close();

      const order = await waitForOrder(cartId);
      expect(order).toMatchObject({ id: orderId, total: 95 });
      // The order hook reports the approval and then the capture; the plugin answers from Postpay's state.
      await waitForWebhooks((w) => w.sessionId === sessionId, 2);
      await utils.waitWorkflowExecutions();
      const postpay = world.sandbox.gateways.postpay;
      const read = await fetch(`${postpay.baseUrl(world.sandbox.url)}/orders/${purchaseId}`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${postpay.merchantId}:${postpay.secretKey}`).toString('base64')}`,
          accept: 'application/vnd.postpay+json; version=v1',
        },
      }).then((r) => r.json() as Promise<{ status: string; total_amount: number }>);
      expect(read).toMatchObject({ status: 'captured', total_amount: 9_500 });
      const payments = container().resolve<IPaymentModuleService>(Modules.PAYMENT);
      const [payment] = await payments.listPayments({ id: order.paymentIds }, { relations: ['captures'] });
      expect(payment!.captures).toHaveLength(1);
    });

    it('the buyer never returns: the signed delivery completes the cart, and a duplicate changes nothing', async () => {
      await faults({ scope: 'webhooks', type: 'duplicate', target: 'success_callback', count: 1 });
      const { cartId, sessionId, purchaseId } = await checkout();
      await payByControlApi(purchaseId);

      const order = await waitForOrder(cartId);
      const seen = await waitForWebhooks((w) => w.sessionId === sessionId, 2);
      expect(seen.map((w) => w.action)).toEqual(['authorized', 'authorized']);
      await utils.waitWorkflowExecutions();

      expect(await orderOf(cartId)).toEqual(order);
      expect(order.paymentIds).toHaveLength(1);
      const payments = container().resolve<IPaymentModuleService>(Modules.PAYMENT);
      const [payment] = await payments.listPayments({ id: order.paymentIds }, { relations: ['captures'] });
      expect(payment!.captures).toHaveLength(0);
      expect(await purchase(purchaseId)).toMatchObject({ status: 'hold' });
    });

    it("a storefront passes the gateway's return to the plugin's return route, then completes the cart", async () => {
      await faults({ scope: 'webhooks', type: 'drop', target: 'success_callback', count: 8 });
      const { cartId, sessionId, purchaseId } = await checkout();
      await payByControlApi(purchaseId);
      const { payment_session: session } = await store<{
        payment_session: { id: string; status: string; data: Record<string, unknown> };
      }>('POST', `/store/tijara/payment-sessions/${sessionId}/return`, { query: { result: 'success' } });
      expect(session).toMatchObject({ id: sessionId, status: 'authorized', data: { status: 'authorized' } });
      expect(session.data).not.toHaveProperty('return_params');
      const completed = await store<{ type: string; order: { id: string } }>(
        'POST',
        `/store/carts/${cartId}/complete`,
      );
      expect(completed.type).toBe('order');
      expect((await orderOf(cartId))?.id).toBe(completed.order.id);
      // A session that is authorized already takes no more returns.
      await expect(
        store('POST', `/store/tijara/payment-sessions/${sessionId}/return`, { query: {} }),
      ).rejects.toThrow(/is authorized: complete the cart instead/);
    });

    it('refuses a forged delivery; the scheduled job settles the payment whose delivery was lost', async () => {
      // Every attempt of this payment's callback fails before reaching the store.
      await faults({ scope: 'webhooks', type: 'drop', target: 'success_callback', count: 8 });
      const { cartId, sessionId, purchaseId } = await checkout();
      await payByControlApi(purchaseId);

      // The paid purchase, signed with a key that is not the gateway's.
      const forger = generateUmmahTestKeys();
      const body = JSON.stringify({ ...(await purchase(purchaseId)), event_type: 'purchase.hold' });
      const response = await fetch(`${world.backendUrl}/hooks/payment/ummah_ummah`, {
        method: 'POST',
        headers: ummahTestWebhookHeaders(body, forger.privateKey),
        body,
      });
      expect(response.status).toBe(200);
      const [forged] = await waitForWebhooks(() => true, 1);
      expect(forged).toEqual({ action: 'not_supported', sessionId: undefined });
      await utils.waitWorkflowExecutions();
      expect(await orderOf(cartId)).toBeUndefined();

      expect(reconcileJobConfig).toEqual({
        name: 'tijara-reconcile-payment-sessions',
        schedule: '* * * * *',
      });
      process.env.TIJARA_RECONCILE_MIN_AGE_SECONDS = '0';
      try {
        await reconcileJob(container());
      } finally {
        delete process.env.TIJARA_RECONCILE_MIN_AGE_SECONDS;
      }
      const order = await waitForOrder(cartId);
      expect(order.paymentIds).toHaveLength(1);
      const payments = container().resolve<IPaymentModuleService>(Modules.PAYMENT);
      const [session] = await payments.listPaymentSessions({ id: sessionId });
      expect(session!.status).toBe('authorized');
    });
  },
});
