import {
  balanceSchema,
  companyStatementSchema,
  paymentMethodsSchema,
  payoutMethodsSchema,
  turnoverSchema,
} from '@tijara/ummah';
import type { RunningSandbox } from '../src/index.js';
import { client, createPurchase, pay, start, type Client } from './helpers.js';

let sandbox: RunningSandbox;
let api: Client;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

async function paid(amount: number, currency: string) {
  const purchase = await createPurchase(api, sandbox.brandId, {
    reference: `R-${currency}-${amount}`,
    purchase: { currency, products: [{ name: 'x', price: amount }] },
  });
  await pay(sandbox, purchase.id);
  return purchase.id as string;
}

test('balance is computed from the sandbox ledger: payments in, refunds out, holds and offline payments excluded', async () => {
  expect((await api.get('/balance/')).body).toEqual({ balance: [] });
  const usd = await paid(2999, 'USD');
  await paid(1000, 'EUR');
  await paid(1234, 'KWD');
  await api.post(`/purchases/${usd}/refund/`, { amount: 500 });
  const held = await createPurchase(api, sandbox.brandId, { skip_capture: true });
  await pay(sandbox, held.id);
  const offline = await createPurchase(api, sandbox.brandId);
  await api.post(`/purchases/${offline.id}/mark_as_paid/`);

  const expected = {
    balance: [
      { currency: 'EUR', amount: 1000 },
      { currency: 'KWD', amount: 1234 },
      { currency: 'USD', amount: 2499 },
    ],
  };
  const balance = await api.get('/balance/');
  expect(balanceSchema.parse(balance.body)).toEqual(expected);
  expect((await api.get('/account/json/balance/')).body).toEqual(expected);
  expect((await api.get('/account/json/balance/?currency=usd')).body).toEqual({
    balance: [{ currency: 'USD', amount: 2499 }],
  });

  // Capturing the hold moves money.
  await api.post(`/purchases/${held.id}/capture/`, { amount: 1000 });
  expect((await api.get('/balance/?currency=USD')).body.balance[0].amount).toBe(3499);
});

test('turnover groups by currency and month', async () => {
  await paid(1000, 'USD');
  const second = await paid(2000, 'USD');
  await api.post(`/purchases/${second}/refund/`, {});
  await sandbox.advanceClock(40 * 86_400);
  await paid(500, 'USD');
  const response = await api.get('/account/json/turnover/');
  const turnover = turnoverSchema.parse(response.body).turnover ?? [];
  expect(turnover).toHaveLength(2);
  expect(turnover[0]).toMatchObject({
    currency: 'USD',
    paid_amount: 3000,
    refunded_amount: 2000,
    net_amount: 1000,
    payments_count: 2,
    refunds_count: 1,
  });
  expect(turnover[1]).toMatchObject({ currency: 'USD', paid_amount: 500 });
  expect(turnover[0]!.period).toMatch(/^\d{4}-\d{2}$/);
  expect(String(turnover[1]!.period) > String(turnover[0]!.period)).toBe(true);
  const from = sandbox.now() - 86_400;
  expect((await api.get(`/account/json/turnover/?from=${from}`)).body.turnover).toHaveLength(1);
});

test('statements: processing, then completed with a downloadable CSV of the ledger', async () => {
  const id = await paid(2999, 'USD');
  await api.post(`/purchases/${id}/refund/`, { amount: 999 });
  await paid(1234, 'KWD');
  const created = await api.post('/company_statements/', { format: 'csv', timezone: 'Asia/Dubai' });
  expect(created.status).toBe(201);
  expect(companyStatementSchema.parse(created.body)).toMatchObject({
    type: 'company',
    format: 'csv',
    status: 'processing',
    download_url: null,
    timezone: 'Asia/Dubai',
  });
  const retrieved = await api.get(`/company_statements/${created.body.id}/`);
  expect(retrieved.body.status).toBe('completed');
  expect(retrieved.body.download_url).toMatch(
    new RegExp(`^${sandbox.url}/statements/${created.body.id}/[\\w-]+\\.csv$`),
  );

  const download = await fetch(retrieved.body.download_url);
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
  const lines = (await download.text()).trim().split('\r\n');
  expect(lines[0]).toBe(
    'id,created_on,date,type,purchase_id,refund_id,reference,currency,amount,amount_decimal',
  );
  expect(lines).toHaveLength(4);
  expect(lines[1]).toMatch(/,purchase,.*,USD,2999,29\.99$/);
  expect(lines[2]).toMatch(/,refund,.*,USD,-999,-9\.99$/);
  expect(lines[3]).toMatch(/,KWD,1234,1\.234$/);
  // A wrong token is a 404: the link is the credential.
  expect((await fetch(retrieved.body.download_url.replace(/[\w-]+\.csv$/, 'wrong.csv'))).status).toBe(404);

  const list = await api.get('/company_statements/');
  expect(list.body.results.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
  expect((await api.post(`/company_statements/${created.body.id}/cancel/`)).status).toBe(409);
});

test('statements: cancel while processing, query_string filters, xlsx is not rendered, validation', async () => {
  const pending = await api.post('/company_statements/', { format: 'csv' });
  expect((await api.post(`/company_statements/${pending.body.id}/cancel/`)).body).toEqual({
    status: 'cancelled',
  });
  expect((await api.get(`/company_statements/${pending.body.id}/`)).body).toMatchObject({
    status: 'cancelled',
    download_url: null,
  });

  await paid(100, 'USD');
  await paid(200, 'EUR');
  const filtered = await api.post('/company_statements/', { format: 'csv', query_string: 'currency=EUR' });
  const url = (await api.get(`/company_statements/${filtered.body.id}/`)).body.download_url;
  const rows = (await (await fetch(url)).text()).trim().split('\r\n');
  expect(rows).toHaveLength(2);
  expect(rows[1]).toContain(',EUR,200,');

  const xlsx = await api.post('/company_statements/', { format: 'xlsx' });
  expect((await api.get(`/company_statements/${xlsx.body.id}/`)).body).toMatchObject({
    status: 'error',
    download_url: null,
  });

  expect((await api.post('/company_statements/', {})).body.details).toEqual({
    format: ['This field is required.'],
  });
  expect((await api.post('/company_statements/', { format: 'pdf' })).body.details).toEqual({
    format: ['"pdf" is not a valid choice.'],
  });
  expect((await api.post('/company_statements/', { format: 'csv', timezone: 'Mars/Olympus' })).status).toBe(
    400,
  );
  expect((await api.get('/company_statements/00000000-0000-4000-8000-000000000000/')).status).toBe(404);
  expect((await api.post('/company_statements/00000000-0000-4000-8000-000000000000/cancel/')).status).toBe(
    404,
  );
});

describe('payment and payout methods', () => {
  test('require brand_id and currency', async () => {
    const missing = await api.get('/payment_methods/');
    expect(missing.body).toEqual({
      error: 'Bad Request',
      details: { brand_id: ['This field is required.'], currency: ['This field is required.'] },
    });
    const badCurrency = await api.get(`/payout_methods/?brand_id=${sandbox.brandId}&currency=XYZ`);
    expect(badCurrency.body.details).toEqual({ currency: ['"XYZ" is not a valid ISO 4217 currency code.'] });
    const otherBrand = await api.get('/payment_methods/?brand_id=someone-else&currency=USD');
    expect(otherBrand.body.details).toEqual({ brand_id: ['Object with this ID does not exist.'] });
  });

  test('answer the documented shapes', async () => {
    const methods = await api.get(`/payment_methods/?brand_id=${sandbox.brandId}&currency=USD`);
    expect(paymentMethodsSchema.parse(methods.body)).toEqual({
      available_payment_methods: ['visa', 'mastercard'],
      by_country: { any: ['card'] },
      country_names: { any: 'Other' },
      names: { visa: 'Visa', mastercard: 'Mastercard' },
      logos: { visa: '/static/images/icon-visa.svg', mastercard: '/static/images/icon-mastercard.svg' },
      card_methods: ['visa', 'mastercard'],
    });
    const payouts = await api.get(`/payout_methods/?brand_id=${sandbox.brandId}&currency=USD&recurring=true`);
    expect(payoutMethodsSchema.parse(payouts.body).available_payout_methods).toEqual(['visa', 'mastercard']);
  });
});
