/**
 * Numipay as the shop's gateway: the merchant connects it on the settings page (checked at Numipay before Shopify
 * is told the shop is ready); the buyer pays at Numipay's hosted cashier in Chromium → Numipay's signed webhook
 * (SHA-1 x-signature, re-read at Numipay) and the buyer's return → `paymentSessionResolve` → the buyer lands on
 * the page Shopify named. Numipay has no manual capture, release or merchant refund: those sessions are rejected
 * with a message saying so, and nothing is recorded or sent to Numipay.
 */
import type { RunningSandbox } from '@tijara/sandbox';
import { paymentKey } from '../../src/records.js';
import { useBrowser } from '../support/browser.js';
import {
  captureLogger,
  capturedLogs,
  installShop,
  saveSettings,
  startApp,
  startTestSandbox,
  uniqueShop,
  type AppHarness,
} from '../support/harness.js';
import { numipayOnSandbox } from '../support/gateways.js';

let sandbox: RunningSandbox;
let harness: AppHarness;
const shop = uniqueShop('numipay');
const withPage = useBrowser();

const credentials = () => ({
  apiKey: sandbox.gateways.numipay.apiKey,
  signaturePassword: sandbox.gateways.numipay.signaturePassword,
});

beforeAll(async () => {
  sandbox = await startTestSandbox();
  harness = await startApp({ gateways: [numipayOnSandbox(sandbox, captureLogger('numipay'))] });
  const saved = await saveSettings(harness, await installShop(harness, shop), 'numipay', credentials());
  if (saved.status !== 200) throw new Error(`settings not saved: ${saved.status} ${saved.html}`);
});
afterAll(async () => {
  await harness?.close();
  await sandbox?.close();
});

const start = (amount: string, kind: 'sale' | 'authorization' = 'sale') =>
  harness.fake.startPaymentSession({
    shop,
    url: harness.app.urls.paymentSession,
    amount,
    currency: 'GBP',
    kind,
  });

/** Pay a session's cashier as the buyer would, without a browser (the control API runs the page's code path). */
async function payAtCashier(sessionId: string): Promise<void> {
  const record = await harness.app.ledger.payments.get(paymentKey(shop, sessionId));
  const paid = await fetch(`${sandbox.url}/__sandbox/numipay/sessions/${record?.paymentId}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ outcome: 'success' }),
  });
  if (paid.status !== 200) throw new Error(`sandbox pay answered ${paid.status}: ${await paid.text()}`);
}

const accepted = (gid: string) =>
  harness.fake
    .mutationsFor(gid)
    .filter((m) => m.accepted)
    .map((m) => m.name);

describe('settings', () => {
  it('checks the key at Numipay and the paths before paymentsAppConfigure(ready: true)', async () => {
    const shop = uniqueShop('numipay-settings');
    const jar = await installShop(harness, shop);
    const page = await (await fetch(`${harness.url}/settings`, { headers: { cookie: jar.header() } })).text();
    expect(page).toContain('Refunds from Shopify are rejected (the gateway has no refund API)');
    expect(page).toContain('api/v1/cashier/deposit (unconfirmed');

    const wrongKey = await saveSettings(harness, jar, 'numipay', {
      ...credentials(),
      apiKey: 'npk_dev_not_the_key_0000000000',
    });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.html).toContain('Numipay refused these credentials.');

    const wrongPath = await saveSettings(harness, jar, 'numipay', {
      ...credentials(),
      transactions: 'api/v1/no-such-list',
    });
    expect(wrongPath.status).toBe(400);
    expect(wrongPath.html).toContain(
      'Numipay did not answer as expected where the app asked (not_found): check the host and the paths.',
    );

    const escaping = await saveSettings(harness, jar, 'numipay', {
      ...credentials(),
      depositCashier: '../../elsewhere',
    });
    expect(escaping.status).toBe(400);
    expect(escaping.html).toContain('Numipay paths.depositCashier must be a relative path');

    const plainCashier = await saveSettings(harness, jar, 'numipay', {
      ...credentials(),
      cashierUrl: 'http://cashier.example/?token={token}',
    });
    expect(plainCashier.status).toBe(400);
    expect(plainCashier.html).toContain('the cashier page URL must be an https:// URL containing {token}');
    expect(harness.fake.configurations.get(shop)).toBeUndefined();

    const right = await saveSettings(harness, jar, 'numipay', credentials());
    expect(right.status).toBe(200);
    expect(right.html).toContain('Numipay is connected.');
    expect(harness.fake.configurations.get(shop)).toMatchObject({ ready: true });
    // Secrets never come back to the browser.
    expect(right.html).not.toContain(credentials().apiKey);
    expect(right.html).not.toContain(credentials().signaturePassword);
  });
});

describe('payments', () => {
  it('pays at the cashier → signed webhook and return → resolved → the buyer lands on the next action', async () => {
    const started = await start('29.99');
    expect(started.status).toBe(201);
    expect(started.redirectUrl).toContain('/numipay/cashier?token=');
    const landed = await withPage(async (page) => {
      await page.goto(started.redirectUrl as string);
      expect(await page.textContent('#amount')).toContain('29.99');
      await Promise.all([page.waitForURL(/\/thank-you$/), page.click('#pay')]);
      return { url: page.url(), outcome: await page.getAttribute('#outcome', 'data-outcome') };
    });
    expect(landed).toEqual({
      url: `${harness.fake.url}/checkouts/${shop}/${started.session.id}/thank-you`,
      outcome: 'thank-you',
    });
    const record = await harness.app.ledger.payments.get(paymentKey(shop, started.session.id));
    // The payment id is Numipay's tracking id, which spells what was asked.
    expect(record).toMatchObject({ status: 'paid', amount: 2999, currency: 'GBP' });
    expect(record?.paymentId).toMatch(/^tj1-GBP-2999-/);
    // The signed webhook arrives too, is verified and changes nothing more.
    await sandbox.settle();
    await harness.app.deliverDue();
    expect(harness.fake.mutationsFor(started.session.gid).map((m) => [m.name, m.accepted])).toEqual([
      ['paymentSessionResolve', true],
    ]);
    expect(capturedLogs.join('\n')).not.toMatch(/gateway webhook with a bad signature/);
  });

  it('the signed webhook alone resolves the session when the buyer never comes back', async () => {
    const started = await start('12.50');
    await payAtCashier(started.session.id);
    await sandbox.settle();
    await harness.fake.waitForMutations(() => accepted(started.session.gid).length > 0);
    expect(accepted(started.session.gid)).toEqual(['paymentSessionResolve']);
    expect(harness.fake.session('payment', started.session.id)?.state).toBe('resolved');
  });

  it('a declined payment rejects the session and sends the buyer to Shopify', async () => {
    const started = await start('40.00');
    const landed = await withPage(async (page) => {
      await page.goto(started.redirectUrl as string);
      await Promise.all([page.waitForURL(/\/payment-failed$/), page.click('#decline')]);
      return page.getAttribute('#outcome', 'data-outcome');
    });
    expect(landed).toBe('payment-failed');
    const mutations = harness.fake.mutationsFor(started.session.gid);
    expect(mutations.map((m) => [m.name, m.accepted])).toEqual([['paymentSessionReject', true]]);
    // Numipay gives its reason in words; "Insufficient funds" is a decline Shopify has a code for.
    expect(mutations[0]?.variables.reason).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      merchantMessage: 'Insufficient funds',
    });
    expect(harness.fake.session('payment', started.session.id)?.state).toBe('rejected');
  });

  it('a webhook whose signature does not verify is refused and settles nothing', async () => {
    const started = await start('7.00');
    const record = await harness.app.ledger.payments.get(paymentKey(shop, started.session.id));
    const body = JSON.stringify({
      transaction_id: 'forged00000001',
      user_id: 'someone',
      tracking_id: record?.paymentId,
      status: 'successful',
      currency: 'GBP',
      amount: '7.00',
      transaction_type: 'deposit',
    });
    const forged = await fetch(`${harness.app.urls.gatewayWebhook}/${shop}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 'A'.repeat(40) },
      body,
    });
    expect(forged.status).toBe(401);
    await harness.app.deliverDue();
    expect(harness.fake.mutationsFor(started.session.gid)).toEqual([]);
    expect((await harness.app.ledger.payments.get(paymentKey(shop, started.session.id)))?.status).toBe(
      'pending',
    );
  });

  it('an authorization cannot be held: INVALID_PURCHASE_TYPE, nothing created at Numipay', async () => {
    const started = await start('50.00', 'authorization');
    expect(started.status).toBe(201);
    await harness.fake.waitForMutations(() => accepted(started.session.gid).length > 0);
    expect(harness.fake.mutationsFor(started.session.gid)[0]?.variables.reason).toMatchObject({
      code: 'INVALID_PURCHASE_TYPE',
      merchantMessage: 'Numipay cannot hold funds for a later capture (no manual capture)',
    });
    expect(
      (await harness.app.ledger.payments.get(paymentKey(shop, started.session.id)))?.paymentId,
    ).toBeUndefined();
  });
});

describe('without idempotency keys at Numipay', () => {
  const fault = (rule: object) =>
    fetch(`${sandbox.url}/__sandbox/numipay/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(rule),
    });

  it('a lost cashier answer is not answered 2xx; Shopify’s retry reuses the tracking id; duplicates settle once', async () => {
    expect(
      (
        await fault({
          type: 'drop',
          method: 'POST',
          path: '/numipay/api/v1/cashier/deposit',
          when: 'after',
          count: 1,
        })
      ).status,
    ).toBe(201);
    const first = await start('19.00');
    expect(first.status).toBe(503);
    const key = paymentKey(shop, first.session.id);
    expect((await harness.app.ledger.payments.get(key))?.paymentId).toBeUndefined();

    // Shopify sends the same request again: the same idempotency key gives the same tracking id.
    const retried = await harness.fake.startPaymentSession({
      shop,
      url: harness.app.urls.paymentSession,
      amount: '19.00',
      currency: 'GBP',
      id: first.session.id,
    });
    expect(retried.status).toBe(201);
    const record = await harness.app.ledger.payments.get(key);
    expect(record?.paymentId).toMatch(/^tj1-GBP-1900-/);

    await fault({ scope: 'webhooks', type: 'duplicate', count: 1 });
    await payAtCashier(first.session.id);
    await sandbox.settle();
    // Both faults were spent: the answer was lost once, and the webhook was delivered twice.
    const faults = await (await fetch(`${sandbox.url}/__sandbox/numipay/faults`)).json();
    expect(faults).toEqual({ rules: [] });
    await harness.fake.waitForMutations(() => accepted(first.session.gid).length > 0);
    await harness.app.deliverDue();
    expect(harness.fake.mutationsFor(first.session.gid).map((m) => m.name)).toEqual([
      'paymentSessionResolve',
    ]);
    expect(await harness.app.ledger.payments.get(key)).toMatchObject({
      status: 'paid',
      paymentId: record?.paymentId,
    });
  });
});

describe('refund, capture and void sessions', () => {
  /** A sale paid at the cashier (through the control API, the cashier's own code path) and resolved. */
  async function paidSale(amount: string) {
    const started = await start(amount);
    await payAtCashier(started.session.id);
    await sandbox.settle();
    await harness.fake.waitForMutations(() => accepted(started.session.gid).length > 0);
    return started;
  }

  it('are rejected with a message saying what Numipay cannot do; nothing is recorded or sent', async () => {
    const sale = await paidSale('60.00');
    const key = paymentKey(shop, sale.session.id);
    const before = await harness.app.ledger.payments.get(key);
    const sessions = {
      refund: await harness.fake.startRefundSession({
        shop,
        url: harness.app.urls.refundSession,
        paymentId: sale.session.id,
        amount: '60.00',
      }),
      capture: await harness.fake.startCaptureSession({
        shop,
        url: harness.app.urls.captureSession,
        paymentId: sale.session.id,
      }),
      void: await harness.fake.startVoidSession({
        shop,
        url: harness.app.urls.voidSession,
        paymentId: sale.session.id,
      }),
    };
    for (const session of Object.values(sessions)) {
      expect(session.status).toBe(201);
      expect(session.body).toBe('');
    }
    await harness.fake.waitForMutations(() =>
      Object.values(sessions).every((s) => accepted(s.session.gid).length > 0),
    );
    const reasons = Object.fromEntries(
      Object.entries(sessions).map(([kind, s]) => {
        const [mutation] = harness.fake.mutationsFor(s.session.gid);
        return [kind, [mutation?.name, mutation?.variables.reason]];
      }),
    );
    expect(reasons).toEqual({
      refund: [
        'refundSessionReject',
        {
          code: 'PROCESSING_ERROR',
          merchantMessage:
            'Numipay has no refund API (no merchant refund), so nothing was refunded: refund the buyer from Numipay’s own dashboard.',
        },
      ],
      capture: [
        'captureSessionReject',
        {
          code: 'PROCESSING_ERROR',
          merchantMessage:
            'Numipay cannot hold funds for a later capture (no manual capture): there is no authorization to capture, and nothing was captured.',
        },
      ],
      void: [
        'voidSessionReject',
        {
          code: 'PROCESSING_ERROR',
          merchantMessage: 'Numipay cannot release held funds (no void), so nothing was voided.',
        },
      ],
    });
    // Nothing half-done: no operation in the ledger, the payment untouched, and a retry changes nothing.
    for (const kind of ['refund', 'capture', 'void'] as const) {
      expect(await harness.app.ledger.operations.list(key, kind)).toEqual([]);
    }
    expect(await harness.app.ledger.payments.get(key)).toMatchObject({
      status: 'paid',
      refundedAmount: 0,
      version: before?.version,
    });
    const again = await harness.fake.startRefundSession({
      shop,
      url: harness.app.urls.refundSession,
      paymentId: sale.session.id,
      amount: '60.00',
      id: sessions.refund.session.id,
    });
    expect(again.status).toBe(201);
    await harness.app.deliverDue();
    expect(harness.fake.mutationsFor(sessions.refund.session.gid)).toHaveLength(1);
  });
});

it('no log line holds Numipay’s API key or signature password', () => {
  const logs = capturedLogs.join('\n');
  expect(logs).toContain('"gateway":"numipay"');
  expect(logs).not.toContain(credentials().apiKey);
  expect(logs).not.toContain(credentials().signaturePassword);
});
