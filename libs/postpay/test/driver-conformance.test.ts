import { runDriverConformance, type DriverConformanceSetup } from '@tijara/testkit';
import { createPostpayDriver, type PostpayDriverOptions } from '@tijara/postpay';
import { aedPayment, HOOK_SECRET, MERCHANT_ID, TEST_SECRET_KEY } from './support/fixtures.js';
import { startRecordedTarget, type RecordedTarget } from './support/recorded-target.js';

let recorded: RecordedTarget;

function setupWith(
  capabilities?: PostpayDriverOptions['capabilities'],
  label?: string,
): DriverConformanceSetup {
  return {
    ...(label ? { label } : {}),
    secrets: [TEST_SECRET_KEY, HOOK_SECRET],
    createDriver: ({ baseUrl, logger }) =>
      createPostpayDriver({
        merchantId: MERCHANT_ID,
        secretKey: TEST_SECRET_KEY,
        baseUrl,
        logger,
        backoffBaseMs: 1,
        jitterMs: 0,
        webhooks: { secrets: [HOOK_SECRET] },
        ...(capabilities ? { capabilities } : {}),
      }),
    startTarget: async () => {
      recorded = await startRecordedTarget();
      return {
        baseUrl: recorded.baseUrl,
        paymentInput: aedPayment('conformance-1'),
        approvedPaymentId: async () => recorded.order('approved'),
        paidPaymentId: async () => recorded.order('captured'),
        signedWebhook: async () => recorded.signedDelivery(),
        signedWebhookAt: async (timestamp) => recorded.signedDelivery(timestamp),
        returnParams: async () => {
          const orderId = recorded.order('approved');
          return {
            params: { query: { order_id: orderId, status: 'APPROVED' }, paymentId: orderId },
            paymentId: orderId,
          };
        },
        // Someone else's approval brought back to the order the store sent the buyer to pay.
        mismatchedReturnParams: async () => ({
          query: { order_id: recorded.order('approved'), status: 'APPROVED' },
          paymentId: recorded.order('pending'),
        }),
        close: () => recorded.close(),
      };
    },
    timestampedWebhooks: { toleranceSeconds: 300 },
    errorBody: (status) => ({ error: { code: `http_${status}`, message: `Postpay answered ${status}.` } }),
  };
}

runDriverConformance('postpay', setupWith());

// Narrowed to an account without refunds and with one currency: what is not declared must refuse.
runDriverConformance('postpay', setupWith({ refund: false, currencies: ['AED'] }, 'narrowed capabilities'));
