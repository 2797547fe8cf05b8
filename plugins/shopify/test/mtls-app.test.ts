/**
 * The session endpoints over HTTPS with mTLS in direct mode (a CA made by openssl stands in for Shopify's
 * Payments Platform CA): Shopify's certificate gets an answer; no certificate, or one from another CA, gets none.
 * The merchant's and buyer's pages on the same server need no certificate.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import type { RunningSandbox } from '@tijara/sandbox';
import { startFakeShopify, type FakeShopify } from '../src/testing/fake-shopify.js';
import { makeTestPki, type TestPki } from './support/certs.js';
import {
  API_KEY,
  API_SECRET,
  startApp,
  startTestSandbox,
  ummahGateway,
  uniqueShop,
  type AppHarness,
} from './support/harness.js';

let sandbox: RunningSandbox;
let pki: TestPki;
let shopify: FakeShopify;
let stranger: FakeShopify;
let anonymous: FakeShopify;
let harness: AppHarness;
const shop = uniqueShop('mtls');

beforeAll(async () => {
  pki = makeTestPki();
  sandbox = await startTestSandbox();
  shopify = await startFakeShopify({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    clientCertificate: { key: pki.clientKey, cert: pki.clientCert },
    appCa: pki.caCert,
  });
  stranger = await startFakeShopify({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    clientCertificate: { key: pki.otherClientKey, cert: pki.otherClientCert },
    appCa: pki.caCert,
  });
  anonymous = await startFakeShopify({ apiKey: API_KEY, apiSecretKey: API_SECRET, appCa: pki.caCert });
  harness = await startApp({
    gateways: [ummahGateway(sandbox)],
    fake: shopify,
    tls: pki,
    options: { testMode: false },
  });
});
afterAll(async () => {
  await harness?.close();
  await Promise.all([shopify?.close(), stranger?.close(), anonymous?.close()]);
  await sandbox?.close();
});

const body = (id = `m-${randomBytes(4).toString('hex')}`) => ({
  shop,
  url: harness.app.urls.paymentSession,
  amount: '5.00',
  currency: 'MYR',
  id,
});

it('answers Shopify’s certificate (the shop is not configured here, so the answer is a non-2xx from the app itself)', async () => {
  const result = await shopify.startPaymentSession(body());
  expect(result.status).toBe(503);
  expect(result.json).toEqual({ error: 'shop_not_configured' });
});

it('refuses a request without a client certificate', async () => {
  const result = await anonymous.startPaymentSession(body());
  expect(result.status).toBe(401);
  expect(result.json).toEqual({ error: 'client_certificate_required' });
});

it('refuses a certificate from another CA, on every session endpoint', async () => {
  expect((await stranger.startPaymentSession(body())).status).toBe(401);
  const followUp = { shop, paymentId: 'p-1', amount: '1.00', currency: 'MYR' };
  expect(
    (await stranger.startRefundSession({ ...followUp, url: harness.app.urls.refundSession })).status,
  ).toBe(401);
  expect(
    (await stranger.startCaptureSession({ ...followUp, url: harness.app.urls.captureSession })).status,
  ).toBe(401);
  expect((await stranger.startVoidSession({ ...followUp, url: harness.app.urls.voidSession })).status).toBe(
    401,
  );
});

it('serves the merchant’s pages on the same TLS server without a client certificate', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${harness.url}/`, { ca: pki.caCert }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(200);
});

it('mTLS cannot be switched off outside test mode', async () => {
  await expect(
    startApp({
      gateways: [ummahGateway(sandbox)],
      options: { testMode: false, publicUrl: 'https://pay.example', mtls: { mode: 'off' } },
    }),
  ).rejects.toThrow(/only with testMode/);
});
