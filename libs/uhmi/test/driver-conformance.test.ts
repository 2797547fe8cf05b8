import { runDriverConformance } from '@tijara/testkit';
import { createUhmiDriver } from '@tijara/uhmi';
import { TEST_API_KEY } from './support/fixtures.js';
import { startRecordedTarget } from './support/recorded-target.js';

// What Uhmi declares (one-step widget payments, return resolution, nothing else) against the recorded exchanges:
// every undeclared operation must refuse with UnsupportedOperationError, and errors map by status in Uhmi's shape.
runDriverConformance('uhmi', {
  secrets: [TEST_API_KEY],
  createDriver: ({ baseUrl, logger }) =>
    createUhmiDriver({ apiKey: TEST_API_KEY, baseUrl, logger, backoffBaseMs: 1, jitterMs: 0 }),
  startTarget: async () => {
    const recorded = await startRecordedTarget();
    return {
      baseUrl: recorded.baseUrl,
      paymentInput: {
        amount: 499,
        currency: 'EUR',
        reference: 'order-2001',
        description: 'Article order-2001',
        customer: { email: 'lena@example.com' },
        capture: 'automatic',
        returnUrls: {
          success: 'https://shop.example/uhmi/return/order-2001',
          failure: 'https://shop.example/uhmi/return/order-2001',
        },
      },
      // The widget-checkout recording: its transaction paid its payment.
      returnParams: async () => ({
        params: {
          query: {},
          form: { transaction_id: 'V2LBXVPKH86ERIRSY' },
          paymentId: '07LygN2WrLPjX1FOnqHfs5xuxcuAwK',
        },
        paymentId: '07LygN2WrLPjX1FOnqHfs5xuxcuAwK',
      }),
      // The same transaction brought back to another order's return.
      mismatchedReturnParams: async () => ({
        query: { transaction_id: 'V2LBXVPKH86ERIRSY' },
        paymentId: 'Qd81mZKb0TrWc4NvXy2LhP7sGfAe3u',
      }),
      close: () => recorded.close(),
    };
  },
  errorBody: (status) => ({ error: { code: status, message: `Uhmi answered ${status}.` } }),
});
