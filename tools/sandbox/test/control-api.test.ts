import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningSandbox } from '../src/index.js';
import { client, control, createPurchase, start, THREE_DS_CARD, type Client } from './helpers.js';

let sandbox: RunningSandbox;
let api: Client;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());

test('GET /__sandbox/info', async () => {
  const info = await control(sandbox, 'GET', '/info');
  expect(info.status).toBe(200);
  expect(info.body).toMatchObject({
    brand_id: sandbox.brandId,
    api_base: sandbox.apiBase,
    url: sandbox.url,
    is_test: true,
  });
  expect(sandbox.brandId).toBe('409eb80e-3782-4b1d-afa8-b779759266a5');
  expect(JSON.stringify(info.body)).not.toContain(sandbox.secretKey);
});

test('pay: same validation as the page, API-style errors', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  const invalid = await control(sandbox, 'POST', `/purchases/${purchase.id}/pay`, {
    card_number: '12',
    expiry: '99/99',
  });
  expect(invalid.status).toBe(400);
  expect(invalid.body).toEqual({
    error: 'Bad Request',
    details: { card_number: ['Enter a valid card number.'], expires: ['Enter the expiry date as MM/YY.'] },
  });
  expect((await control(sandbox, 'POST', `/purchases/${purchase.id}/pay`, {})).body.details).toHaveProperty(
    'card_number',
  );
  expect(
    (
      await control(sandbox, 'POST', '/purchases/00000000-0000-4000-8000-000000000000/pay', {
        card_number: '4242424242424242',
      })
    ).status,
  ).toBe(404);
});

test('pay completes the 3-D Secure challenge (pass by default, or fail)', async () => {
  const a = await createPurchase(api, sandbox.brandId);
  expect(
    (await control(sandbox, 'POST', `/purchases/${a.id}/pay`, { card_number: THREE_DS_CARD })).body.status,
  ).toBe('paid');
  const b = await createPurchase(api, sandbox.brandId);
  const failed = await control(sandbox, 'POST', `/purchases/${b.id}/pay`, {
    card_number: THREE_DS_CARD,
    challenge: 'fail',
  });
  expect(failed.body.status).toBe('error');
});

test('pay with remember_card and explicit card details', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  const paid = await control(sandbox, 'POST', `/purchases/${purchase.id}/pay`, {
    card_number: '5555555555554444',
    remember_card: true,
    expiry: '06/35',
    cvc: '321',
    cardholder_name: "Nur O'Brien",
  });
  expect(paid.body).toMatchObject({
    status: 'paid',
    is_recurring_token: true,
    transaction_data: {
      extra: { card_brand: 'mastercard', expiry_month: 6, expiry_year: 2035, cardholder_name: "NUR O'BRIEN" },
    },
  });
});

test('clock: advance moves the sandbox timeline, never backwards', async () => {
  const before = (await control(sandbox, 'GET', '/clock')).body.now;
  const after = await control(sandbox, 'POST', '/clock/advance', { seconds: 86_400 });
  expect(after.body.now - before).toBeGreaterThanOrEqual(86_400);
  expect(sandbox.now()).toBe(after.body.now);
  expect((await control(sandbox, 'POST', '/clock/advance', { seconds: -1 })).status).toBe(400);
  // Objects are stamped with sandbox time.
  const purchase = await createPurchase(api, sandbox.brandId);
  expect(purchase.created_on).toBeGreaterThanOrEqual(after.body.now);
});

test('reset forgets every object but keeps the key and brand', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  expect((await control(sandbox, 'POST', '/reset')).body).toEqual({ status: 'reset' });
  expect((await api.get(`/purchases/${purchase.id}/`)).status).toBe(404);
  expect((await control(sandbox, 'GET', '/clock')).body.offset_seconds).toBe(0);
  expect((await createPurchase(api, sandbox.brandId)).status).toBe('created');
});

test('events and deliveries are inspectable', async () => {
  await control(sandbox, 'POST', '/reset');
  const purchase = await createPurchase(api, sandbox.brandId);
  const events = (await control(sandbox, 'GET', '/events')).body.results;
  expect(events).toEqual([
    {
      id: expect.any(String),
      type: 'purchase.created',
      created_on: expect.any(Number),
      object: expect.objectContaining({ id: purchase.id }),
    },
  ]);
  expect((await control(sandbox, 'GET', '/deliveries')).body).toEqual({ results: [] });
  expect((await control(sandbox, 'GET', '/nope')).status).toBe(404);
});

test('the landing page and unknown paths', async () => {
  const home = await fetch(sandbox.url);
  expect(home.status).toBe(200);
  expect(await home.text()).toContain(sandbox.apiBase);
  expect((await fetch(`${sandbox.url}/nothing`)).status).toBe(404);
});

test('log lines never carry the secret key or a card number', async () => {
  const lines: string[] = [];
  const record = (obj: object, msg?: string) => lines.push(JSON.stringify([obj, msg]));
  const logger = { debug: record, info: record, warn: record, error: record };
  const logged = await start({ logger, webhookTimeScale: 0.0001 });
  try {
    const loggedApi = client(logged);
    await loggedApi.post('/webhooks/', { callback: 'http://127.0.0.1:9/unreachable', all_events: true });
    const purchase = await createPurchase(loggedApi, logged.brandId);
    await control(logged, 'POST', `/purchases/${purchase.id}/pay`, { card_number: '4242 4242 4242 4242' });
    await logged.advanceClock(3 * 86_400);
    await loggedApi.get('/nothing/');
    // The retries run on the delivery scheduler's own turns: wait (bounded) for the last one's line, so a loaded
    // machine cannot close the sandbox before it is written.
    const lastRetry = () => lines.some((line) => line.includes('delivery failed after the last retry'));
    for (const deadline = Date.now() + 15_000; !lastRetry() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await logged.close();
  }
  expect(lines.length).toBeGreaterThan(3);
  const text = lines.join('\n');
  expect(text).toContain('delivery failed after the last retry');
  expect(text).not.toContain(logged.secretKey);
  expect(text).not.toMatch(/4242\s?4242\s?4242\s?4242/);
});

test('the hosted pages name the merchant by the brand name the store gives, and it is remembered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tijara-brand-'));
  const dbFile = join(dir, 'sandbox.sqlite');
  try {
    const named = await start({ dbFile, brandName: 'Souq Tijara' });
    const namedApi = client(named);
    const before = await createPurchase(namedApi, named.brandId);
    expect(before.issuer_details.brand_name).toBe('Souq Tijara');
    const page = await (await fetch(before.checkout_url)).text();
    expect(page).toContain('<h1 id="merchant">Souq Tijara</h1>');
    expect(page).not.toContain('Sandbox Store');

    const renamed = await control(named, 'POST', '/ummah/brand', { name: 'Dar al-Tamr' });
    expect(renamed.body).toEqual({ brand_id: named.brandId, brand_name: 'Dar al-Tamr' });
    expect((await control(named, 'POST', '/ummah/brand', { name: ' ' })).status).toBe(400);
    const after = await createPurchase(namedApi, named.brandId);
    expect(after.issuer_details.brand_name).toBe('Dar al-Tamr');
    // A purchase keeps the name it was issued under.
    expect((await namedApi.get(`/purchases/${before.id}/`)).body.issuer_details.brand_name).toBe(
      'Souq Tijara',
    );
    expect((await control(named, 'GET', '/info')).body.gateways.ummah.brandName).toBe('Dar al-Tamr');
    await named.close();

    const again = await start({ dbFile });
    try {
      expect((await createPurchase(client(again), again.brandId)).issuer_details.brand_name).toBe(
        'Dar al-Tamr',
      );
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a favicon, so a browser opening any sandbox URL logs no 404', async () => {
  const icon = await fetch(`${sandbox.url}/favicon.ico`);
  expect(icon.status).toBe(200);
  expect(icon.headers.get('content-type')).toContain('image/svg+xml');
  expect(await icon.text()).toMatch(/^<svg /);
});
