import { randomBytes } from 'node:crypto';
import { runDriverConformance } from '@tijara/testkit';
import { createUhmiDriver } from '@tijara/uhmi';
import type { RunningSandbox } from '../src/index.js';
import { control, start } from './helpers.js';

/**
 * The testkit's driver conformance suite with the sandbox's Uhmi as the target (the first run, in libs/uhmi,
 * replays recorded answers): what Uhmi does not declare must refuse, what it declares must work against live state.
 */
// Known before the sandbox starts: the suite reads the secrets while it registers its tests.
const API_KEY = `uhmi_test_${randomBytes(24).toString('hex')}`;
let sandbox: RunningSandbox | undefined;

runDriverConformance('uhmi', {
  secrets: [API_KEY],
  createDriver: ({ baseUrl, logger }) =>
    createUhmiDriver({ apiKey: API_KEY, baseUrl, logger, backoffBaseMs: 1, jitterMs: 0 }),
  startTarget: async () => {
    sandbox = await start({ gatewayOptions: { uhmi: { apiKey: API_KEY } } });
    const baseUrl = sandbox.gateways.uhmi.apiBase(sandbox.url);
    const paymentInput = {
      amount: 499,
      currency: 'EUR',
      reference: 'conformance-1',
      customer: { email: 'lena@example.com' },
      capture: 'automatic' as const,
      returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
    };
    /** A payment paid in the widget (through the control API) and the transaction id the widget posted. */
    const paid = async () => {
      const payment = await createUhmiDriver({ apiKey: API_KEY, baseUrl }).createPayment(paymentInput);
      const transaction = await control<{ transaction_id: string }>(
        sandbox!,
        'POST',
        `/uhmi/payments/${payment.id}/pay`,
      );
      return { paymentId: payment.id, transactionId: transaction.body.transaction_id };
    };
    return {
      baseUrl,
      paymentInput,
      returnParams: async () => {
        const { paymentId, transactionId } = await paid();
        return { params: { query: {}, form: { transaction_id: transactionId }, paymentId }, paymentId };
      },
      // A transaction of one payment brought back to another payment's return.
      mismatchedReturnParams: async () => {
        const [first, second] = [await paid(), await paid()];
        return { query: { transaction_id: first.transactionId }, paymentId: second.paymentId };
      },
      close: () => sandbox!.close(),
    };
  },
  errorBody: (status) => ({ error: { code: status, message: `Uhmi answered ${status}.` } }),
});
