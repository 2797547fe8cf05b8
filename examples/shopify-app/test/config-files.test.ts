/**
 * `shopify.app.toml` and the extension's toml hold what Shopify's CLI checks at `shopify app deploy` (its zod
 * schema for payments extensions: URLs, a label of at most 50 characters, the offsite target, installments equal to
 * deferred payments) and point at the routes the app really serves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { DEFAULT_PATHS, PAYMENTS_APP_SCOPES } from '@tijara/shopify';

const root = join(__dirname, '..');
const read = (file: string) => parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>;

/**
 * Names Shopify has long permitted in `supported_payment_methods` (its servers check them against activemerchant's
 * payment_icons list as they know it; a name missing there fails the deploy, Shopify/cli#5195).
 */
const PERMITTED_PAYMENT_METHODS = new Set([
  'visa',
  'master',
  'american_express',
  'discover',
  'diners_club',
  'jcb',
  'maestro',
  'unionpay',
  'mada',
]);

const pathOf = (url: unknown) => new URL(String(url)).pathname;

it('the extension is an offsite payments extension Shopify’s CLI accepts', () => {
  const toml = read('extensions/tijara-offsite/shopify.extension.toml');
  expect(toml.api_version).toBe('2026-07');
  const extensions = toml.extensions as Record<string, unknown>[];
  expect(extensions).toHaveLength(1);
  const extension = extensions[0] as Record<string, unknown>;
  expect(extension.type).toBe('payments_extension');
  expect(extension.targeting).toEqual([{ target: 'payments.offsite.render' }]);
  expect(String(extension.merchant_label).length).toBeLessThanOrEqual(50);
  for (const key of [
    'payment_session_url',
    'refund_session_url',
    'capture_session_url',
    'void_session_url',
  ]) {
    expect(new URL(String(extension[key])).protocol).toBe('https:');
  }
  expect(extension.test_mode_available).toBe(true);
  expect(typeof extension.supports_3ds).toBe('boolean');
  expect(extension.supports_installments).toBe(extension.supports_deferred_payments);
  const methods = extension.supported_payment_methods as string[];
  expect(methods.length).toBeGreaterThan(0);
  for (const method of methods) expect(PERMITTED_PAYMENT_METHODS.has(method)).toBe(true);
  for (const country of extension.supported_countries as string[]) expect(country).toMatch(/^[A-Z]{2}$/);
});

it('its URLs are the app’s session routes, on one host', () => {
  const extension = (
    read('extensions/tijara-offsite/shopify.extension.toml').extensions as Record<string, unknown>[]
  )[0] as Record<string, unknown>;
  expect(pathOf(extension.payment_session_url)).toBe(DEFAULT_PATHS.paymentSession);
  expect(pathOf(extension.refund_session_url)).toBe(DEFAULT_PATHS.refundSession);
  expect(pathOf(extension.capture_session_url)).toBe(DEFAULT_PATHS.captureSession);
  expect(pathOf(extension.void_session_url)).toBe(DEFAULT_PATHS.voidSession);
  const app = read('shopify.app.toml');
  const host = new URL(String(app.application_url)).host;
  for (const key of [
    'payment_session_url',
    'refund_session_url',
    'capture_session_url',
    'void_session_url',
  ]) {
    expect(new URL(String(extension[key])).host).toBe(host);
  }
});

it('the app asks for the payments scopes, calls back where OAuth ends, and subscribes its webhooks', () => {
  const app = read('shopify.app.toml');
  expect(app.embedded).toBe(false);
  expect((app.access_scopes as { scopes: string }).scopes.split(',')).toEqual([...PAYMENTS_APP_SCOPES]);
  expect((app.auth as { redirect_urls: string[] }).redirect_urls.map(pathOf)).toEqual([
    DEFAULT_PATHS.authCallback,
  ]);
  const subscriptions = (
    app.webhooks as { subscriptions: { topics?: string[]; compliance_topics?: string[]; uri: string }[] }
  ).subscriptions;
  expect(subscriptions.flatMap((s) => s.topics ?? [])).toEqual(['app/uninstalled']);
  expect(subscriptions.flatMap((s) => s.compliance_topics ?? []).sort()).toEqual([
    'customers/data_request',
    'customers/redact',
    'shop/redact',
  ]);
  for (const subscription of subscriptions) expect(pathOf(subscription.uri)).toBe(DEFAULT_PATHS.webhooks);
});
