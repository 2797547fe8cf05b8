import { runDriverConformance, type DriverConformanceSetup } from '@tijara/testkit';
import { createUmmahDriver, generateUmmahTestKeys, type UmmahDriverOptions } from '@tijara/ummah';
import { BRAND_ID, TEST_SECRET_KEY } from './support/fixtures.js';
import { startRecordedTarget, type RecordedTarget } from './support/recorded-target.js';

const keys = generateUmmahTestKeys();
let recorded: RecordedTarget;

function setupWith(
  capabilities?: UmmahDriverOptions['capabilities'],
  label?: string,
): DriverConformanceSetup {
  return {
    ...(label ? { label } : {}),
    secrets: [TEST_SECRET_KEY, keys.privateKey],
    createDriver: ({ baseUrl, logger }) =>
      createUmmahDriver({
        secretKey: TEST_SECRET_KEY,
        brandId: BRAND_ID,
        baseUrl,
        logger,
        backoffBaseMs: 1,
        jitterMs: 0,
        webhooks: { publicKeys: [keys.publicKey], fetchCompanyKey: false },
        ...(capabilities ? { capabilities } : {}),
      }),
    startTarget: async () => {
      recorded = await startRecordedTarget(keys);
      return {
        baseUrl: recorded.baseUrl,
        paymentInput: {
          amount: 2999,
          currency: 'MYR',
          reference: 'conformance-1',
          customer: { email: 'aisha@example.com', name: 'Aisha Rahman' },
          capture: 'automatic',
          returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
        },
        authorizedPaymentId: async () => 'conf-hold',
        paidPaymentId: async () => 'conf-paid',
        pendingPaymentId: async () => 'conf-created',
        savedMethodToken: async () => 'conf-saved',
        signedWebhook: async () => recorded.signedDelivery(),
        close: () => recorded.close(),
      };
    },
    errorBody: (status) =>
      status === 404
        ? { error: 'Not Found', detail: 'Object with this ID does not exist.' }
        : { error: `http_${status}`, message: `The gateway answered ${status}.` },
  };
}

runDriverConformance('ummah', setupWith());

// The same driver narrowed to an account without holds, saved cards or partial refunds, and one currency: what is
// not declared must refuse, not quietly work.
runDriverConformance(
  'ummah',
  setupWith(
    {
      captureModes: ['automatic'],
      partialCapture: false,
      release: false,
      partialRefund: false,
      savedMethods: false,
      currencies: ['MYR'],
    },
    'narrowed capabilities',
  ),
);
