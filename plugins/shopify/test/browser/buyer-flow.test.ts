/**
 * The buyer in real Chromium: Shopify's payment session → the sandbox's hosted page → the gateway's signed
 * webhook and the buyer's return → the mutation seen by the fake Shopify → the buyer on the page Shopify named.
 */
import type { Page } from 'playwright-core';
import { metaOf, paymentKey } from '../../src/records.js';
import { useBrowser } from '../support/browser.js';
import { useUmmahApp } from '../support/harness.js';

const ctx = useUmmahApp('buyer');
const withPage = useBrowser();

async function fillCard(page: Page, number: string): Promise<void> {
  await page.fill('#cardholder_name', 'Aisha Rahman');
  await page.fill('#card_number', number);
  await page.fill('#expiry', '12/30');
  await page.fill('#cvc', '123');
}

const start = (amount = '120.00', currency = 'MYR') =>
  ctx.harness.fake.startPaymentSession({
    shop: ctx.shop,
    url: ctx.harness.app.urls.paymentSession,
    amount,
    currency,
  });

it('pays on the ctx.sandbox page, Shopify resolves the session, and the buyer lands on the next action', async () => {
  const started = await start();
  expect(started.status).toBe(201);
  const landed = await withPage(async (page) => {
    await page.goto(started.redirectUrl as string);
    expect(await page.textContent('#total')).toBe('MYR 120.00');
    await fillCard(page, '4242 4242 4242 4242');
    await Promise.all([page.waitForURL(/\/thank-you$/), page.click('#pay')]);
    return { url: page.url(), outcome: await page.getAttribute('#outcome', 'data-outcome') };
  });
  const resolve = ctx.harness.fake.mutationsFor(started.session.gid);
  expect(resolve.map((m) => [m.name, m.accepted])).toEqual([['paymentSessionResolve', true]]);
  expect(landed).toEqual({
    url: `${ctx.harness.fake.url}/checkouts/${ctx.shop}/${started.session.id}/thank-you`,
    outcome: 'thank-you',
  });
  expect(ctx.harness.fake.session('payment', started.session.id)?.state).toBe('resolved');
  // The signed webhook arrives too; it changes nothing more.
  await ctx.sandbox.settle();
  expect(ctx.harness.fake.mutationsFor(started.session.gid)).toHaveLength(1);
});

it('a declined card rejects the session with the mapped reason and sends the buyer to Shopify', async () => {
  const started = await start('33.00');
  const landed = await withPage(async (page) => {
    await page.goto(started.redirectUrl as string);
    await fillCard(page, '4000 0000 0000 9995');
    await Promise.all([page.waitForURL(/\/payment-failed$/), page.click('#pay')]);
    return page.getAttribute('#outcome', 'data-outcome');
  });
  expect(landed).toBe('payment-failed');
  const mutations = ctx.harness.fake.mutationsFor(started.session.gid);
  expect(mutations.map((m) => [m.name, m.accepted])).toEqual([['paymentSessionReject', true]]);
  expect(mutations[0]?.variables.reason).toEqual({
    code: 'INSUFFICIENT_FUNDS',
    merchantMessage: expect.any(String),
  });
  expect(ctx.harness.fake.session('payment', started.session.id)?.rejection?.code).toBe('INSUFFICIENT_FUNDS');
});

it('a buyer who cancels goes back to checkout; nothing is rejected and the gateway payment is cancelled', async () => {
  const started = await start('18.00');
  const landed = await withPage(async (page) => {
    await page.goto(started.redirectUrl as string);
    await Promise.all([page.waitForURL(/\/cancelled$/), page.click('#cancel')]);
    return page.url();
  });
  expect(landed).toBe(`${ctx.harness.fake.url}/checkouts/${ctx.shop}/${started.session.id}/cancelled`);
  await ctx.sandbox.settle();
  await ctx.harness.app.deliverDue();
  expect(ctx.harness.fake.mutationsFor(started.session.gid)).toEqual([]);
  const record = await ctx.harness.app.ledger.payments.get(paymentKey(ctx.shop, started.session.id));
  expect(record?.status).toBe('canceled');
  expect(metaOf(record!).shopify).toBe('open');
});
