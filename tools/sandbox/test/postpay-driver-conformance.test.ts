import { randomBytes } from 'node:crypto';
import { createPostpayDriver, postpayTestWebhookHeaders, type PostpayDriver } from '@tijara/postpay';
import { runDriverConformance, type DriverConformanceSetup } from '@tijara/testkit';
import { aedPayment } from '../../../libs/postpay/test/support/fixtures.js';
import type { RunningSandbox } from '../src/index.js';
import { control, start, startReceiver, type Receiver } from './helpers.js';

/**
 * The testkit's driver conformance suite for Postpay, run a second time with the sandbox as the target (the first
 * run, in libs/postpay, replays recorded answers). Every object the suite asks for is made on the sandbox through
 * the driver and approved through the control API, so each check works against live state.
 */

// Known before the sandbox starts: the suite reads the secrets while it registers its tests.
const MERCHANT_ID = `id_${randomBytes(8).toString('hex')}`;
const SECRET_KEY = `sk_test_${randomBytes(20).toString('hex')}`;
const HOOK_SECRET = `hook_${randomBytes(16).toString('hex')}`;

const paymentInput = aedPayment('conformance-1');

function setup(): DriverConformanceSetup {
  let sandbox: RunningSandbox;
  let receiver: Receiver;
  let driver: PostpayDriver;
  return {
    secrets: [SECRET_KEY, HOOK_SECRET],
    createDriver: ({ baseUrl, logger }) =>
      createPostpayDriver({
        merchantId: MERCHANT_ID,
        secretKey: SECRET_KEY,
        baseUrl,
        logger,
        backoffBaseMs: 1,
        jitterMs: 0,
        webhooks: { secrets: [HOOK_SECRET] },
      }),
    startTarget: async () => {
      sandbox = await start({
        gatewayOptions: { postpay: { merchantId: MERCHANT_ID, secretKey: SECRET_KEY } },
      });
      receiver = await startReceiver();
      driver = createPostpayDriver({
        merchantId: MERCHANT_ID,
        secretKey: SECRET_KEY,
        baseUrl: `${sandbox.url}/postpay`,
      });
      await driver.client.hooks.create({
        events: ['order'],
        url: `${receiver.url}/hooks`,
        secret: HOOK_SECRET,
      });
      const approved = async () => {
        const payment = await driver.createPayment(paymentInput);
        const token = new URL((payment.nextAction as { url: string }).url).pathname.split('/').pop();
        const decision = await control(sandbox, 'POST', `/postpay/checkouts/${token}/approve`);
        if (decision.status !== 200) throw new Error(`approve: ${decision.status}`);
        return payment.id;
      };
      /** The hook delivery the sandbox sent for a freshly approved order. */
      const delivered = async () => {
        const id = await approved();
        await sandbox.settle();
        const delivery = receiver.requests.find((r) => r.json?.data?.order_id === id);
        if (!delivery) throw new Error(`no hook delivery for ${id}`);
        return delivery;
      };
      return {
        baseUrl: `${sandbox.url}/postpay`,
        paymentInput,
        approvedPaymentId: approved,
        paidPaymentId: async () => (await driver.capture(await approved())).id,
        signedWebhook: async () => {
          const delivery = await delivered();
          return {
            rawBody: delivery.body,
            headers: { 'x-postpay-signature': String(delivery.headers['x-postpay-signature']) },
          };
        },
        // The sandbox's own bytes, signed as Postpay signs them but at the given instant.
        signedWebhookAt: async (timestamp) => {
          const delivery = await delivered();
          return {
            rawBody: delivery.body,
            headers: postpayTestWebhookHeaders(delivery.body, HOOK_SECRET, timestamp),
          };
        },
        returnParams: async () => {
          const payment = await driver.createPayment(paymentInput);
          const token = new URL((payment.nextAction as { url: string }).url).pathname.split('/').pop();
          const decision = await control(sandbox, 'POST', `/postpay/checkouts/${token}/approve`);
          const query = Object.fromEntries(new URL(decision.body.redirect_url as string).searchParams);
          return { params: { query, paymentId: payment.id }, paymentId: payment.id };
        },
        // Someone else's approval brought back to an order the store sent the buyer to pay.
        mismatchedReturnParams: async () => {
          const other = await approved();
          const mine = await driver.createPayment(paymentInput);
          return { query: { order_id: other, status: 'APPROVED' }, paymentId: mine.id };
        },
        close: async () => {
          await receiver.close();
          await sandbox.close();
        },
      };
    },
    timestampedWebhooks: { toleranceSeconds: 300 },
    errorBody: (status) => ({ error: { code: `http_${status}`, message: `Postpay answered ${status}.` } }),
  };
}

runDriverConformance('postpay', setup());
