import { runDriverConformance } from '@tijara/testkit';
import { createNumipayDriver } from '@tijara/numipay';
import { order } from './scenarios.js';
import { CASHIER_URL, SIGNATURE_PASSWORD, TEST_API_KEY } from './support/fixtures.js';
import { startRecordedTarget } from './support/recorded-target.js';

// What Numipay declares (one-step deposits, signed webhooks, nothing else) against the recorded exchanges.
runDriverConformance('numipay', {
  secrets: [TEST_API_KEY, SIGNATURE_PASSWORD],
  createDriver: ({ baseUrl, logger }) =>
    createNumipayDriver({
      apiKey: TEST_API_KEY,
      baseUrl,
      mode: 'test',
      cashierUrl: CASHIER_URL,
      webhooks: { signaturePasswords: [SIGNATURE_PASSWORD] },
      logger,
      backoffBaseMs: 1,
      jitterMs: 0,
    }),
  startTarget: async () => {
    const recorded = await startRecordedTarget();
    return {
      baseUrl: recorded.baseUrl,
      paymentInput: order('order-3001', 2999),
      signedWebhook: async () => recorded.signedDelivery(),
      close: () => recorded.close(),
    };
  },
  errorBody: (status) => ({ message: `Numipay answered ${status}.` }),
});
