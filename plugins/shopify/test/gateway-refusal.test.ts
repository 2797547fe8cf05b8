/**
 * Which gateways can serve Shopify's sessions, decided from the capabilities their drivers declare. Uhmi cannot:
 * it has no merchant refund and no webhooks (a paid session the buyer never returns from could be neither
 * resolved nor refunded), and with pay what you want the buyer chooses the amount. It is refused when the app is
 * configured — when it starts, and on the settings page if a driver turns out to be Uhmi-like — never at checkout.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigurationError } from '@tijara/core';
import { NUMIPAY_CAPABILITIES } from '@tijara/numipay';
import { POSTPAY_CAPABILITIES } from '@tijara/postpay';
import { createUhmiDriver, UHMI_CAPABILITIES } from '@tijara/uhmi';
import { UMMAH_CAPABILITIES } from '@tijara/ummah';
import {
  createShopifyPaymentsApp,
  followUpProblem,
  shopifyCapabilityProblems,
  shopifyLimitations,
  type GatewayOption,
} from '../src/index.js';
import { numipayGateway } from '../examples/numipay-gateway.js';
import { escapeHtml } from '../src/http/node-http.js';
import {
  API_KEY,
  API_SECRET,
  installShop,
  saveSettings,
  startApp,
  tempDir,
  uniqueShop,
} from './support/harness.js';

const NO_REFUND_NOR_WEBHOOK =
  'cannot give money back: it has no merchant refund, so every Shopify refund session would fail, and without signed webhooks it hears of a payment only when the buyer comes back, so a buyer who pays and closes the page leaves money taken for a session Shopify never resolves, which neither the app nor Shopify can refund';
const NOT_EXACT =
  'cannot take an exact amount: its amount policy is "at_least" (the buyer may pay more than asked, as with pay what you want), while a Shopify sale or authorization is for the order\'s exact total and paymentSessionResolve cannot report another amount';

/** Uhmi as an app would list it, with the capabilities its driver declares. */
function uhmiOption(payWhatYouWant: boolean, declared?: GatewayOption['capabilities']): GatewayOption {
  const driverOptions = {
    apiKey: 'uhmi_test_key_0123456789',
    baseUrl: 'http://127.0.0.1:9/uhmi/api/v1/', // never called: the refusal comes first
    payments: { type: 'content' as const, payWhatYouWant },
  };
  return {
    name: 'uhmi',
    label: 'Uhmi',
    capabilities: declared ?? createUhmiDriver(driverOptions).capabilities,
    fields: [{ name: 'apiKey', label: 'API key', secret: true }],
    createDriver: () => createUhmiDriver(driverOptions),
  };
}

describe('capabilities against Shopify’s sessions', () => {
  it('Ummah, Postpay and Numipay can serve them; Uhmi cannot, with or without pay what you want', () => {
    expect(shopifyCapabilityProblems(UMMAH_CAPABILITIES)).toEqual([]);
    expect(shopifyCapabilityProblems(POSTPAY_CAPABILITIES)).toEqual([]);
    expect(shopifyCapabilityProblems(NUMIPAY_CAPABILITIES)).toEqual([]);
    expect(shopifyCapabilityProblems(UHMI_CAPABILITIES)).toEqual([NO_REFUND_NOR_WEBHOOK]);
    expect(shopifyCapabilityProblems(uhmiOption(true).capabilities)).toEqual([
      NOT_EXACT,
      NO_REFUND_NOR_WEBHOOK,
    ]);
  });

  it('each rule stands on its own capability', () => {
    // Return resolution without webhooks is enough when the gateway can refund.
    expect(shopifyCapabilityProblems({ ...UHMI_CAPABILITIES, refund: true })).toEqual([]);
    // No refund is a limitation, not a refusal, when signed webhooks report every payment (Numipay).
    expect(shopifyCapabilityProblems({ ...NUMIPAY_CAPABILITIES, refund: false })).toEqual([]);
    expect(shopifyCapabilityProblems({ ...UMMAH_CAPABILITIES, amountPolicy: 'at_least' })).toEqual([
      NOT_EXACT,
    ]);
  });

  it('what a usable gateway cannot do is said in the merchant’s words', () => {
    expect(shopifyLimitations(UMMAH_CAPABILITIES)).toEqual([]);
    expect(shopifyLimitations(NUMIPAY_CAPABILITIES)).toEqual([
      'No authorizations: with Shopify set to capture payments manually, checkout is rejected (INVALID_PURCHASE_TYPE); captures and voids do not apply.',
      'Refunds from Shopify are rejected (the gateway has no refund API): refund the buyer from the gateway’s own dashboard.',
    ]);
    expect(followUpProblem(NUMIPAY_CAPABILITIES, 'Numipay', 'refund')).toMatch(/^Numipay has no refund API/);
    expect(followUpProblem(UMMAH_CAPABILITIES, 'Ummah', 'refund')).toBeUndefined();
    expect(followUpProblem(UMMAH_CAPABILITIES, 'Ummah', 'capture')).toBeUndefined();
    expect(followUpProblem(UMMAH_CAPABILITIES, 'Ummah', 'void')).toBeUndefined();
  });
});

describe('Uhmi is refused when the app is configured', () => {
  it('programmatically: createShopifyPaymentsApp names Uhmi and why, and opens nothing', async () => {
    const dir = tempDir();
    const database = join(dir.path, 'app.sqlite');
    try {
      const creating = createShopifyPaymentsApp({
        apiKey: API_KEY,
        apiSecretKey: API_SECRET,
        publicUrl: 'https://pay.example.test',
        encryptionKey: randomBytes(32).toString('hex'),
        mtls: { mode: 'off' },
        testMode: true,
        database: `sqlite:${database}`,
        gateways: [numipayGateway(), uhmiOption(true)],
      });
      await expect(creating).rejects.toThrow(ConfigurationError);
      await expect(creating).rejects.toThrow(
        `Unusable gateway configuration: gateways[1] (uhmi) is refused for Shopify: it ${NOT_EXACT}; it ${NO_REFUND_NOR_WEBHOOK}`,
      );
      expect(existsSync(database)).toBe(false);
    } finally {
      dir.remove();
    }
  });

  it('on the settings page: a driver that is Uhmi behind a wrong declaration is refused, nothing saved', async () => {
    // The option claims what Uhmi lacks; the merchant's driver, built on save, tells the truth.
    const misdeclared = uhmiOption(true, { ...UHMI_CAPABILITIES, signedWebhooks: true, refund: true });
    const harness = await startApp({ gateways: [misdeclared] });
    try {
      const shop = uniqueShop('uhmi');
      const jar = await installShop(harness, shop);
      const saved = await saveSettings(harness, jar, 'uhmi', { apiKey: 'uhmi_test_key_0123456789' });
      expect(saved.status).toBe(400);
      const error = /<p class="error" id="error">([^<]*)<\/p>/.exec(saved.html)?.[1];
      expect(error).toBe(
        escapeHtml(`Uhmi cannot be used with Shopify: it ${NOT_EXACT}; it ${NO_REFUND_NOR_WEBHOOK}`),
      );
      expect(saved.html).toContain('data-ready="false"');
      expect(harness.fake.configurations.get(shop)).toBeUndefined();
      // The shop has no gateway: Shopify's payment sessions are not answered 2xx, so checkout never offers Uhmi.
      const started = await harness.fake.startPaymentSession({
        shop,
        url: harness.app.urls.paymentSession,
        amount: '5.00',
        currency: 'EUR',
      });
      expect(started.status).toBe(503);
    } finally {
      await harness.close();
    }
  });
});
