import { randomBytes } from 'node:crypto';
import { runDriverConformance } from '@tijara/testkit';
import { createNumipayDriver } from '@tijara/numipay';
import type { RunningSandbox } from '../src/index.js';
import { control, start, startReceiver, type Receiver } from './helpers.js';

/**
 * The testkit's driver conformance suite with the sandbox's Numipay as the target (the first run, in libs/numipay,
 * replays recorded answers). The signed webhook is a real delivery: a deposit made on the sandbox and paid through
 * the control API, received over HTTP with its bytes and x-signature unchanged.
 */
// Known before the sandbox starts: the suite reads the secrets while it registers its tests.
const API_KEY = `npk_dev_${randomBytes(24).toString('hex')}`;
const PASSWORD = `spg_test_${randomBytes(24).toString('hex')}`;
let sandbox: RunningSandbox | undefined;
let receiver: Receiver;

const input = {
  amount: 2999,
  currency: 'GBP',
  reference: 'conformance-1',
  customer: { email: 'jane@example.com', reference: 'U123' },
  capture: 'automatic' as const,
  returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
};

const driverFor = (baseUrl: string, logger?: Parameters<typeof createNumipayDriver>[0]['logger']) =>
  createNumipayDriver({
    apiKey: API_KEY,
    baseUrl,
    mode: 'test',
    webhooks: { signaturePasswords: [PASSWORD] },
    ...(logger ? { logger } : {}),
    backoffBaseMs: 1,
    jitterMs: 0,
  });

runDriverConformance('numipay', {
  secrets: [API_KEY, PASSWORD],
  createDriver: ({ baseUrl, logger }) => driverFor(baseUrl, logger),
  startTarget: async () => {
    receiver = await startReceiver();
    sandbox = await start({
      gatewayOptions: {
        numipay: { apiKey: API_KEY, signaturePassword: PASSWORD, webhookUrl: `${receiver.url}/hooks` },
      },
    });
    const baseUrl = sandbox.gateways.numipay.baseUrl(sandbox.url);
    return {
      baseUrl,
      paymentInput: input,
      signedWebhook: async () => {
        const payment = await driverFor(baseUrl).createPayment(input);
        await control(sandbox!, 'POST', `/numipay/sessions/${payment.id}/pay`, { outcome: 'success' });
        await sandbox!.settle();
        const delivery = receiver.requests.filter((r) => r.json?.tracking_id === payment.id).at(-1)!;
        return {
          rawBody: delivery.body,
          headers: {
            'content-type': 'application/json',
            'x-signature': String(delivery.headers['x-signature']),
          },
        };
      },
      close: async () => {
        await sandbox!.close();
        await receiver.close();
      },
    };
  },
  errorBody: (status) => ({ message: `Numipay answered ${status}.` }),
});
