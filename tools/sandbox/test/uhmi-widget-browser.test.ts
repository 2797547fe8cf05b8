import type { Browser } from 'playwright-core';
import { launchChromium, startLoopbackServer, withPage, type LoopbackServer } from '@tijara/testkit';
import { createUhmiDriver, type UhmiDriver } from '@tijara/uhmi';
import { startSandbox, type RunningSandbox } from '../src/index.js';

/**
 * A buyer in real Chromium: the shop's page embeds the sandbox's Widget.js, the widget shows in an iframe, the buyer
 * pays (a pay-what-you-want price above the minimum), and the widget posts `transaction_id` to the shop's
 * success_url. The shop then resolves it through the Uhmi driver, as a store's return route does.
 */
jest.setTimeout(30_000);

let sandbox: RunningSandbox;
let uhmi: UhmiDriver;
let shop: LoopbackServer;
let browser: Browser;
let widgetScript = '';
let paymentId = '';

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  shop = await startLoopbackServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    if (request.method === 'POST') {
      response.end(
        `<!doctype html><title>Thanks</title><p id="received">${request.body.toString('utf8')}</p>`,
      );
      return;
    }
    response.end(`<!doctype html><title>Shop</title><h1>Article</h1>
<div class="uhmi-widget" data-payment-id="${paymentId}"></div><script src="${widgetScript}"></script>`);
  });
  uhmi = createUhmiDriver({
    apiKey: sandbox.gateways.uhmi.apiKey,
    baseUrl: sandbox.gateways.uhmi.apiBase(sandbox.url),
    payments: { payWhatYouWant: true },
    widget: { scriptUrl: sandbox.gateways.uhmi.widgetScript(sandbox.url) },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await shop?.close();
  await sandbox?.close();
});

it('pays in the embedded widget and brings the transaction back to the shop', async () => {
  const payment = await uhmi.createPayment({
    amount: 250,
    currency: 'EUR',
    reference: 'article-42',
    description: 'Long read: dates of Medina',
    customer: { email: 'reader@example.com' },
    capture: 'automatic',
    returnUrls: {
      success: `${shop.url}/uhmi/return/article-42`,
      failure: `${shop.url}/uhmi/return/article-42`,
    },
  });
  expect(payment.nextAction.type).toBe('widget');
  paymentId = payment.id;
  widgetScript = payment.nextAction.type === 'widget' ? (payment.nextAction.script ?? '') : '';

  const received = await withPage(
    async (page) => {
      await page.goto(`${shop.url}/article`);
      const widget = page.frameLocator('iframe[title="Pay with Uhmi"]');
      await widget.locator('#title').waitFor();
      expect(await widget.locator('#title').textContent()).toBe('Long read: dates of Medina');
      expect(await widget.locator('#price-shown').textContent()).toBe('EUR 2.50');
      await widget.locator('#price').fill('4.00');
      await Promise.all([
        page.waitForURL(`${shop.url}/uhmi/return/article-42`),
        widget.locator('#pay').click(),
      ]);
      return page.locator('#received').textContent();
    },
    { browser },
  );

  const transactionId = new URLSearchParams(received ?? '').get('transaction_id');
  expect(transactionId).toMatch(/^[A-Z0-9]{17}$/);
  const { payment: settled } = await uhmi.resolveReturn({
    query: {},
    form: { transaction_id: transactionId ?? '' },
    paymentId: payment.id,
  });
  expect(settled).toMatchObject({ id: payment.id, status: 'paid', amount: 400, capturedAmount: 400 });
  expect((await uhmi.retrievePayment(payment.id)).status).toBe('paid');
});
