import { generateHmacTestHeader } from '@tijara/core';
import { runDriverConformance } from '../src/driver-conformance.js';
import { BnplDriver } from './support/bnpl-driver.js';
import { startBnplGateway, type BnplGateway } from './support/bnpl-gateway.js';

/**
 * The suite on a driver of the other kind: no idempotency keys, capture on approval, return resolution,
 * timestamped HMAC webhooks and customers, against a stateful gateway, so every keyless path of the suite runs.
 */
const MERCHANT_ID = 'id_bnpl_merchant_01';
const SECRET_KEY = 'sk_test_bnplConformance5d2e8f0a1b3c4d6e';
const WEBHOOK_SECRET = 'whsec_bnpl_conformance_9a8b7c6d5e4f';

let gateway: BnplGateway;

function delivery(orderId: string, timestamp: number) {
  const rawBody = JSON.stringify({
    id: `evt_${orderId}_${timestamp}`,
    type: 'order',
    created: timestamp,
    data: { order_id: orderId, status: 'captured' },
  });
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-bnpl-signature': generateHmacTestHeader({ payload: rawBody, secret: WEBHOOK_SECRET, timestamp }),
    },
  };
}

runDriverConformance('bnpl', {
  secrets: [SECRET_KEY, WEBHOOK_SECRET],
  createDriver: ({ baseUrl, logger }) =>
    new BnplDriver({
      baseUrl,
      merchantId: MERCHANT_ID,
      secretKey: SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
      logger,
    }),
  timestampedWebhooks: { toleranceSeconds: 300 },
  errorBody: (status) => ({ error: { code: `http_${status}`, message: `bnpl answered ${status}` } }),
  startTarget: async () => {
    gateway = await startBnplGateway(MERCHANT_ID, SECRET_KEY);
    const now = () => Math.floor(Date.now() / 1000);
    return {
      baseUrl: `${gateway.url}/`,
      paymentInput: {
        amount: 2999,
        currency: 'AED',
        reference: 'conformance-1',
        customer: { email: 'layla@example.com', name: 'Layla Haddad' },
        capture: 'automatic',
        returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
      },
      approvedPaymentId: async () => gateway.order('approved').order_id,
      paidPaymentId: async () => gateway.order('captured').order_id,
      pendingPaymentId: async () => gateway.order('pending').order_id,
      signedWebhook: async () => delivery(gateway.order('captured').order_id, now()),
      signedWebhookAt: async (timestamp) => delivery(gateway.order('captured').order_id, timestamp),
      returnParams: async () => {
        const { order_id } = gateway.order('approved');
        return {
          params: { query: { order_id, status: 'APPROVED' }, paymentId: order_id },
          paymentId: order_id,
        };
      },
      mismatchedReturnParams: async () => {
        const cheap = gateway.order('approved', 100);
        const expensive = gateway.order('pending', 99_900);
        return { query: { order_id: cheap.order_id, status: 'APPROVED' }, paymentId: expensive.order_id };
      },
      close: () => gateway.close(),
    };
  },
});
