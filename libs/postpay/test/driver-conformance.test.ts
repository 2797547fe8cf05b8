import { runDriverConformance, type DriverConformanceSetup } from '@tijara/testkit';
import { createPostpayDriver, type PostpayDriverOptions } from '@tijara/postpay';
import { HOOK_SECRET, MERCHANT_ID, TEST_SECRET_KEY } from './support/fixtures.js';
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
        paymentInput: {
          amount: 2999,
          currency: 'AED',
          reference: 'conformance-1',
          taxAmount: 143,
          customer: {
            email: 'aisha@example.ae',
            name: 'Aisha Rahman',
            shippingAddress: { line1: 'Al Wasl Road 12', city: 'Dubai', country: 'AE' },
          },
          capture: 'automatic',
          returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
        },
        authorizedPaymentId: async () => 'conf-approved',
        paidPaymentId: async () => 'conf-captured',
        signedWebhook: async () => recorded.signedDelivery(),
        close: () => recorded.close(),
      };
    },
    errorBody: (status) => ({ error: { code: `http_${status}`, message: `Postpay answered ${status}.` } }),
  };
}

runDriverConformance('postpay', setupWith());

// Narrowed to an account without refunds and with one currency: what is not declared must refuse.
runDriverConformance('postpay', setupWith({ refund: false, currencies: ['AED'] }, 'narrowed capabilities'));
