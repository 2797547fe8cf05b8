import type { RunningSandbox } from '../src/index.js';
import {
  client,
  createPurchase,
  DECLINED_CARD,
  SUCCESS_CARD,
  start,
  THREE_DS_CARD,
  type Client,
} from './helpers.js';

let sandbox: RunningSandbox;
let api: Client;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());

/** Submit a form the way a browser does (urlencoded) without following the redirect. */
async function submit(url: string, fields: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text() };
}

function card(number: string, extra: Record<string, string> = {}) {
  return { cardholder_name: 'Amina Buyer', card_number: number, expires: '12/39', cvc: '123', ...extra };
}

const ids = (html: string) => new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));

test('the checkout page is complete, self-contained HTML with stable element ids', async () => {
  const purchase = await createPurchase(api, sandbox.brandId, {
    cancel_redirect: 'https://shop.example/cart',
  });
  const response = await fetch(purchase.checkout_url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  const html = await response.text();
  for (const id of [
    'payment-form',
    'cardholder_name',
    'card_number',
    'expiry',
    'cvc',
    'remember_card',
    'pay',
    'cancel',
    'total',
  ]) {
    expect(ids(html)).toContain(id);
  }
  expect(html).toMatch(/<input[^>]+id="card_number"[^>]+name="card_number"/);
  expect(html).toMatch(/<input[^>]+id="expiry"[^>]+name="expires"/);
  expect(html).toMatch(/<input type="checkbox" id="remember_card" name="remember_card"/);
  expect(html).toContain('href="https://shop.example/cart"');
  expect(html).toContain('USD 29.99');
  // No external assets of any kind: the one link is the icon, inline as a data: URL.
  expect(html).not.toMatch(
    /<script|<link(?! rel="icon" type="image\/svg\+xml" href="data:)|<img|\ssrc=|@import|url\(/i,
  );
  const after = (await api.get(`/purchases/${purchase.id}/`)).body;
  expect(after.status).toBe('viewed');
  expect(after.viewed_on).toEqual(expect.any(Number));
});

test.each([
  // 12.345 + 0.5 × 12.345 = 18.5175 → 18.518 (half up in fils); a 2-decimal format would show 12.35.
  ['KWD', 12_345, 'KWD 12.345', 18_518, 'KWD 18.518', /KWD \d+\.\d{2}(?!\d)/],
  // Yen have no minor unit: never a decimal point.
  ['JPY', 1_500, 'JPY 1500', 2_250, 'JPY 2250', /JPY \d+\./],
])(
  'a %s purchase shows its ISO 4217 decimals on every page and is charged its exact minor units',
  async (currency, price, priceShown, total, totalShown, wrongFormat) => {
    const purchase = await createPurchase(api, sandbox.brandId, {
      purchase: {
        currency,
        products: [
          { name: 'Oud', price, quantity: 1 },
          { name: 'Half a mat', price, quantity: '0.5' },
        ],
      },
    });
    const text = (html: string, id: string) => new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
    const page = await (await fetch(purchase.checkout_url)).text();
    expect(page).toContain(`<td class="num">${priceShown}</td>`);
    expect(text(page, 'total')).toBe(totalShown);
    expect(text(page, 'pay')).toBe(`Pay ${totalShown}`);
    expect(page).not.toMatch(wrongFormat);

    const first = await submit(purchase.checkout_url, card(THREE_DS_CARD));
    const challengeUrl = new URL(first.location!, sandbox.url).href;
    expect(text(await (await fetch(challengeUrl)).text(), 'total')).toBe(totalShown);
    expect((await submit(challengeUrl, { action: 'confirm', otp: '123456' })).status).toBe(303);

    const paid = (await api.get(`/purchases/${purchase.id}/`)).body;
    expect(paid).toMatchObject({ status: 'paid', purchase: { currency, total }, payment: { amount: total } });
    const result = await (await fetch(`${sandbox.url}/checkout/${purchase.id}/result/`)).text();
    expect(text(result, 'total')).toBe(totalShown);
  },
);

test('no cancel link without cancel_redirect', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  expect(ids(await (await fetch(purchase.checkout_url)).text())).not.toContain('cancel');
});

test('4242 4242 4242 4242 pays and redirects 303 to success_redirect, with card display data', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  const result = await submit(purchase.checkout_url, card(SUCCESS_CARD, { cardholder_name: 'Amina Buyer' }));
  expect(result.status).toBe(303);
  expect(result.location).toBe('https://shop.example/success');
  const paid = (await api.get(`/purchases/${purchase.id}/`)).body;
  expect(paid.status).toBe('paid');
  expect(paid.is_recurring_token).toBe(false);
  expect(paid.transaction_data).toMatchObject({
    payment_method: 'visa',
    flow: 'payform',
    extra: {
      masked_pan: '424242******4242',
      card_brand: 'visa',
      expiry_month: 12,
      expiry_year: 2039,
      cardholder_name: 'AMINA BUYER',
    },
  });
  expect(JSON.stringify(paid)).not.toContain('4242424242424242');
});

test('4000 0000 0000 0002 is declined: 303 to failure_redirect, status error', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  const result = await submit(purchase.checkout_url, card(DECLINED_CARD));
  expect(result).toMatchObject({ status: 303, location: 'https://shop.example/failure' });
  const failed = (await api.get(`/purchases/${purchase.id}/`)).body;
  expect(failed.status).toBe('error');
  expect(failed.transaction_data.attempts.at(-1).error.code).toBe('card_declined');
  // The page shows the failure and lets the buyer try again.
  const retry = await (await fetch(purchase.checkout_url)).text();
  expect(retry).toContain('id="error"');
  expect((await submit(purchase.checkout_url, card(SUCCESS_CARD))).location).toBe(
    'https://shop.example/success',
  );
});

test('4000 0000 0000 3220 goes through the 3-D Secure page, then succeeds', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  const first = await submit(purchase.checkout_url, card(THREE_DS_CARD));
  expect(first.status).toBe(303);
  expect(first.location).toMatch(new RegExp(`^/checkout/${purchase.id}/3ds/[0-9a-f-]+/$`));
  // Nothing is decided while the challenge is open.
  expect((await api.get(`/purchases/${purchase.id}/`)).body.status).toBe('created');
  const challengeUrl = `${sandbox.url}${first.location}`;
  const page = await (await fetch(challengeUrl)).text();
  for (const id of ['challenge-form', 'otp', 'confirm', 'fail']) expect(ids(page)).toContain(id);
  const missingOtp = await submit(challengeUrl, { action: 'confirm', otp: '' });
  expect(missingOtp.status).toBe(400);
  const confirmed = await submit(challengeUrl, { action: 'confirm', otp: '123456' });
  expect(confirmed).toMatchObject({ status: 303, location: 'https://shop.example/success' });
  expect((await api.get(`/purchases/${purchase.id}/`)).body.status).toBe('paid');
  // A used challenge cannot be replayed.
  expect((await submit(challengeUrl, { action: 'confirm', otp: '1' })).location).toBe(
    `/checkout/${purchase.id}/result/`,
  );
});

test('failing the 3-D Secure challenge fails the payment', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  const first = await submit(purchase.checkout_url, card(THREE_DS_CARD));
  const failed = await submit(`${sandbox.url}${first.location}`, { action: 'fail' });
  expect(failed.location).toBe('https://shop.example/failure');
  const after = (await api.get(`/purchases/${purchase.id}/`)).body;
  expect(after.status).toBe('error');
  expect(after.transaction_data.attempts.at(-1).error.code).toBe('authentication_required');
});

test("CHIP's 4444 3333 2222 1111 needs CVC 123 and a future expiry", async () => {
  const ok = await createPurchase(api, sandbox.brandId);
  expect((await submit(ok.checkout_url, card('4444 3333 2222 1111'))).location).toBe(
    'https://shop.example/success',
  );
  const wrongCvc = await createPurchase(api, sandbox.brandId);
  expect((await submit(wrongCvc.checkout_url, card('4444 3333 2222 1111', { cvc: '999' }))).location).toBe(
    'https://shop.example/failure',
  );
  const expired = await createPurchase(api, sandbox.brandId);
  expect(
    (await submit(expired.checkout_url, card('4444 3333 2222 1111', { expires: '01/20' }))).location,
  ).toBe('https://shop.example/failure');
  expect((await api.get(`/purchases/${expired.id}/`)).body.transaction_data.attempts[0].error.code).toBe(
    'expired_card',
  );
});

test('any other card number fails the payment', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  expect((await submit(purchase.checkout_url, card('4111 1111 1111 1111'))).location).toBe(
    'https://shop.example/failure',
  );
  const luhn = await createPurchase(api, sandbox.brandId);
  await submit(luhn.checkout_url, card('4242 4242 4242 4241'));
  expect((await api.get(`/purchases/${luhn.id}/`)).body.transaction_data.attempts[0].error.code).toBe(
    'invalid_card',
  );
});

test('malformed input re-renders the form with errors, changes nothing and never echoes the card number', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  await fetch(purchase.checkout_url);
  const result = await submit(
    purchase.checkout_url,
    card('4242 abcd', { expires: '13/30', cvc: '1', cardholder_name: '' }),
  );
  expect(result.status).toBe(400);
  for (const id of ['error-card_number', 'error-expires', 'error-cvc', 'error-cardholder_name']) {
    expect(ids(result.html)).toContain(id);
  }
  expect(result.html).not.toContain('4242 abcd');
  // A complete, Luhn-valid card number with another field wrong is not echoed either (nor its CVC).
  const valid = await submit(
    purchase.checkout_url,
    card('4012 8888 8888 1881', { expires: '13/30', cvc: '987' }),
  );
  expect(valid.status).toBe(400);
  expect(ids(valid.html)).toContain('error-expires');
  expect(valid.html.replace(/\s/g, '')).not.toContain('4012888888881881');
  expect(valid.html).not.toContain('987');
  expect(valid.html).toMatch(/<input[^>]+id="card_number"[^>]+value=""/);
  const after = (await api.get(`/purchases/${purchase.id}/`)).body;
  expect(after.status).toBe('viewed');
  expect(after.transaction_data.attempts).toEqual([]);
});

test('"remember card" saves the card as a recurring token; force_recurring saves it anyway', async () => {
  const remembered = await createPurchase(api, sandbox.brandId);
  await submit(remembered.checkout_url, card(SUCCESS_CARD, { remember_card: 'on' }));
  expect((await api.get(`/purchases/${remembered.id}/`)).body.is_recurring_token).toBe(true);

  const forced = await createPurchase(api, sandbox.brandId, { force_recurring: true });
  const html = await (await fetch(forced.checkout_url)).text();
  expect(html).toMatch(/id="remember_card" name="remember_card" checked disabled/);
  await submit(forced.checkout_url, card(SUCCESS_CARD));
  expect((await api.get(`/purchases/${forced.id}/`)).body.is_recurring_token).toBe(true);
});

test('a skip_capture purchase ends in hold', async () => {
  const purchase = await createPurchase(api, sandbox.brandId, { skip_capture: true });
  expect((await submit(purchase.checkout_url, card(SUCCESS_CARD))).location).toBe(
    'https://shop.example/success',
  );
  expect((await api.get(`/purchases/${purchase.id}/`)).body.status).toBe('hold');
});

test('without redirect URLs the buyer lands on the sandbox result page', async () => {
  const purchase = await createPurchase(api, sandbox.brandId, {
    success_redirect: undefined,
    failure_redirect: undefined,
  });
  const result = await submit(purchase.checkout_url, card(SUCCESS_CARD));
  expect(result.location).toBe(`/checkout/${purchase.id}/result/`);
  const page = await (await fetch(`${sandbox.url}${result.location}`)).text();
  expect(page).toMatch(/<code id="status">paid<\/code>/);
  // Visiting the checkout of a paid purchase shows the result, not the form.
  const again = await (await fetch(purchase.checkout_url)).text();
  expect(ids(again)).not.toContain('payment-form');
  expect(ids(again)).toContain('status');
});

test('Direct Post: the documented fields posted to direct_post_url pay the purchase', async () => {
  const purchase = await createPurchase(api, sandbox.brandId);
  expect(purchase.direct_post_url).toBe(`${sandbox.url}/checkout/${purchase.id}/direct_post/`);
  const result = await submit(purchase.direct_post_url, card('4242424242424242', { remember_card: 'on' }));
  expect(result.location).toBe('https://shop.example/success');
  const paid = (await api.get(`/purchases/${purchase.id}/`)).body;
  expect(paid).toMatchObject({
    status: 'paid',
    is_recurring_token: true,
    transaction_data: { flow: 'direct_post' },
  });
  // Invalid Direct Post input is a failed payment, not a form error.
  const other = await createPurchase(api, sandbox.brandId);
  expect((await submit(other.direct_post_url, card('nope'))).location).toBe('https://shop.example/failure');
});

test('the invoice page shows the invoice and links to checkout while payable', async () => {
  const purchase = await createPurchase(api, sandbox.brandId, {
    reference: 'INV-9',
    purchase: { products: [{ name: 'Consulting', price: 50000 }], notes: 'Thanks!' },
  });
  const html = await (await fetch(purchase.invoice_url)).text();
  for (const id of [
    'invoice',
    'reference',
    'issuer',
    'client',
    'products',
    'total',
    'status',
    'pay',
    'notes',
  ]) {
    expect(ids(html)).toContain(id);
  }
  expect(html).toContain('INV-9');
  expect(html).toContain('USD 500.00');
  expect(html).toContain(`href="${purchase.checkout_url}"`);
  expect((await api.get(`/purchases/${purchase.id}/`)).body.status).toBe('viewed');
});

test('unknown purchases are a 404 page', async () => {
  const response = await fetch(`${sandbox.url}/checkout/00000000-0000-4000-8000-000000000000/`);
  expect(response.status).toBe(404);
  expect(await response.text()).toContain('id="not-found"');
});

test('text is escaped on the pages', async () => {
  const purchase = await createPurchase(api, sandbox.brandId, {
    purchase: { products: [{ name: '<script>alert(1)</script>', price: 100 }] },
  });
  const html = await (await fetch(purchase.checkout_url)).text();
  expect(html).not.toContain('<script>');
  expect(html).toContain('&lt;script&gt;');
});
