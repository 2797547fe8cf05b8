import { ConfigurationError, InvalidRequestError, MoneyError } from '@tijara/core';
import { UMMAH_CAPABILITIES } from '@tijara/ummah';
import { purchaseTypeProblem, shopifyCapabilityProblems, validateGateways } from '../src/gateways.js';
import { CredentialBox } from '../src/merchant/credential-box.js';
import {
  parseBody,
  paymentSessionBody,
  positiveMinorUnits,
  readRequestContext,
} from '../src/session-requests.js';
import { assertApiVersion, assertShopDomain } from '../src/shop-domain.js';

describe('credentials at rest', () => {
  const key = 'a'.repeat(64);
  it('seal and open; another shop or another key cannot open them', () => {
    const box = new CredentialBox(key);
    const sealed = box.seal('a.myshopify.com', { secretKey: 'sk_test_123' });
    expect(sealed).not.toContain('sk_test_123');
    expect(box.open('a.myshopify.com', sealed)).toEqual({ secretKey: 'sk_test_123' });
    expect(() => box.open('b.myshopify.com', sealed)).toThrow(/cannot be decrypted/);
    expect(() => new CredentialBox('b'.repeat(64)).open('a.myshopify.com', sealed)).toThrow(
      ConfigurationError,
    );
  });
  it('wants 32 bytes', () => {
    expect(() => new CredentialBox('short')).toThrow(/32 random bytes/);
    expect(() => new CredentialBox(Buffer.alloc(32, 1).toString('base64'))).not.toThrow();
  });
});

describe('shop domains and versions', () => {
  it('accepts only *.myshopify.com: the domain becomes the URL the token is sent to', () => {
    expect(assertShopDomain('My-Shop.myshopify.com')).toBe('my-shop.myshopify.com');
    for (const bad of [
      'evil.com',
      'x.myshopify.com.evil.com',
      'x.myshopify.com/path',
      '',
      'a@b.myshopify.com',
    ]) {
      expect(() => assertShopDomain(bad)).toThrow(InvalidRequestError);
    }
  });
  it('versions are quarterly or unstable', () => {
    expect(assertApiVersion('2026-07')).toBe('2026-07');
    expect(assertApiVersion('unstable')).toBe('unstable');
    expect(() => assertApiVersion('2026-05')).toThrow(InvalidRequestError);
  });
});

describe('session requests', () => {
  it('reads the headers Shopify sends', () => {
    expect(
      readRequestContext({
        'Shopify-Shop-Domain': 'a.myshopify.com',
        'Shopify-Api-Version': '2026-07',
        'Shopify-Request-Id': 'r',
      }),
    ).toEqual({
      shop: 'a.myshopify.com',
      apiVersion: '2026-07',
      requestId: 'r',
    });
    expect(() => readRequestContext({})).toThrow('Missing header: Shopify-Shop-Domain, Shopify-Api-Version');
  });

  it('keeps unknown fields Shopify may add, and allows a null customer', () => {
    const body = parseBody(
      paymentSessionBody,
      JSON.stringify({
        id: 'x',
        gid: 'gid://shopify/PaymentSession/x',
        amount: '1.00',
        currency: 'USD',
        test: false,
        proposed_at: '2026-12-01T00:00:00Z',
        kind: 'sale',
        customer: null,
        payment_method: { type: 'offsite', data: { cancel_url: 'https://a.myshopify.com/c' } },
        something_new: 42,
      }),
    );
    expect(body).toMatchObject({ id: 'x', customer: null, something_new: 42 });
  });

  it('amounts: exact, never rounded, never zero', () => {
    expect(positiveMinorUnits('1.234', 'KWD')).toBe(1234);
    expect(positiveMinorUnits('1.10', 'USD')).toBe(110);
    expect(positiveMinorUnits('100', 'JPY')).toBe(100);
    expect(() => positiveMinorUnits('1.5', 'JPY')).toThrow(MoneyError);
    expect(() => positiveMinorUnits('0', 'USD')).toThrow(MoneyError);
  });
});

describe('capabilities against Shopify’s semantics', () => {
  it('an authorization needs manual capture; a sale needs automatic capture', () => {
    expect(purchaseTypeProblem(UMMAH_CAPABILITIES, 'authorization')).toBeUndefined();
    expect(
      purchaseTypeProblem({ ...UMMAH_CAPABILITIES, captureModes: ['automatic'] }, 'authorization'),
    ).toMatch(/cannot hold funds/);
    expect(purchaseTypeProblem({ ...UMMAH_CAPABILITIES, captureModes: ['manual'] }, 'sale')).toMatch(
      /no automatic capture/,
    );
  });

  it('a gateway that can report no outcome is a configuration error, named with every other problem', () => {
    const silent = { ...UMMAH_CAPABILITIES, signedWebhooks: false, returnResolution: false };
    expect(shopifyCapabilityProblems(silent)).toEqual([expect.stringMatching(/cannot report outcomes/)]);
    const gateway = {
      name: 'quiet',
      label: 'Quiet',
      fields: [],
      capabilities: silent,
      createDriver: () => undefined as never,
    };
    expect(() => validateGateways([gateway, { ...gateway, label: '' }])).toThrow(
      /gateways\[0\] \(quiet\) is refused for Shopify: it cannot report outcomes.*gateways\[1\] \(quiet\)\.name is listed twice; gateways\[1\] \(quiet\)\.label/,
    );
    expect(() => validateGateways([])).toThrow(/at least one gateway/);
  });
});
