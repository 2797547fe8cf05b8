import type { Browser } from 'playwright-core';
import { launchChromium, startLoopbackServer, withPage, type LoopbackServer } from '@tijara/testkit';
import { createNumipayDriver, type NumipayDriver } from '@tijara/numipay';
import { startSandbox, type RunningSandbox } from '../src/index.js';
import { startReceiver, type Receiver } from './helpers.js';

/**
 * Buyers in real Chromium on the sandbox's Numipay pages: the hosted cashier (pay, back to the shop's success URL,
 * a signed webhook, the status read as paid) and a card payment's 3-D Secure step.
 */
jest.setTimeout(30_000);

let sandbox: RunningSandbox;
let numipay: NumipayDriver;
let shop: LoopbackServer;
let receiver: Receiver;
let browser: Browser;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({
    port: 0,
    webhookTimeScale: 0.001,
    gatewayOptions: { numipay: { webhookUrl: `${receiver.url}/hooks` } },
  });
  shop = await startLoopbackServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Shop</title><p id="landing">${request.path}</p>`);
  });
  numipay = createNumipayDriver({
    apiKey: sandbox.gateways.numipay.apiKey,
    baseUrl: sandbox.gateways.numipay.baseUrl(sandbox.url),
    mode: 'test',
    routingId: 210,
    cashierUrl: sandbox.gateways.numipay.cashierUrl(sandbox.url),
    webhooks: { signaturePasswords: [sandbox.gateways.numipay.signaturePassword] },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await receiver?.close();
  await sandbox?.close();
});

const order = (reference: string) => ({
  amount: 2999,
  currency: 'GBP',
  reference,
  customer: { email: 'jane@example.com', name: 'Jane Doe', reference: 'U123' },
  capture: 'automatic' as const,
  returnUrls: { success: `${shop.url}/paid/${reference}`, failure: `${shop.url}/failed/${reference}` },
});

it('pays at the hosted cashier and comes back to the shop; the webhook and the status say paid', async () => {
  const payment = await numipay.createPayment(order('order-b1'));
  const url = payment.nextAction.type === 'redirect' ? payment.nextAction.url : '';
  const landing = await withPage(
    async (page) => {
      await page.goto(url);
      expect(await page.locator('#amount').textContent()).toBe('GBP 29.99');
      await Promise.all([page.waitForURL(`${shop.url}/paid/order-b1`), page.click('#pay')]);
      return page.locator('#landing').textContent();
    },
    { browser },
  );
  expect(landing).toBe('/paid/order-b1');

  await sandbox.settle();
  const delivery = receiver.requests.find((r) => r.json?.tracking_id === payment.id);
  expect(delivery).toBeDefined();
  const event = await numipay.verifyWebhook(delivery!.body, delivery!.headers as Record<string, string>);
  expect(event).toMatchObject({ type: 'payment.paid', paymentId: payment.id });
  expect(await numipay.retrievePayment(payment.id)).toMatchObject({ status: 'paid', amount: 2999 });
});

it('takes a card payment through its 3-D Secure page', async () => {
  const card = {
    holder_name: 'Jane Doe',
    card_number: '4111111111111111',
    cvc: '444',
    exp_month: '05',
    exp_year: '2030',
  };
  const charged = await numipay.chargeCard(order('order-b2'), card);
  expect(charged.status).toBe('pending');
  const url = charged.nextAction.type === 'redirect' ? charged.nextAction.url : '';
  await withPage(
    async (page) => {
      await page.goto(url);
      expect(await page.locator('#last4').textContent()).toBe('1111');
      await Promise.all([page.waitForURL(`${shop.url}/paid/order-b2`), page.click('#authenticate')]);
    },
    { browser },
  );
  expect(await numipay.retrievePayment(charged.id)).toMatchObject({ status: 'paid', capturedAmount: 2999 });
});
