import { randomBytes } from 'node:crypto';
import { runDriverConformance, type DriverConformanceSetup } from '@tijara/testkit';
import { createUmmahDriver, type UmmahDriverOptions } from '@tijara/ummah';
import { DEFAULT_BRAND_ID, type RunningSandbox } from '../src/index.js';
import {
  client,
  createPurchase,
  pay,
  receivedCallback,
  start,
  startReceiver,
  type Receiver,
} from './helpers.js';

/**
 * The testkit's driver conformance suite, run a second time with the sandbox as the target (the first run, in
 * libs/ummah, replays recorded answers). Every object the suite asks for is made on the sandbox through its API and
 * paid through the control API, so each check works against live state.
 */

// Known before the sandbox starts: the suite reads the secrets while it registers its tests.
const SECRET_KEY = `sk_test_${randomBytes(24).toString('hex')}`;
const AMOUNT = 2999;

function setupWith(
  capabilities?: UmmahDriverOptions['capabilities'],
  label?: string,
): DriverConformanceSetup {
  let sandbox: RunningSandbox | undefined;
  let receiver: Receiver;
  return {
    ...(label ? { label } : {}),
    secrets: [SECRET_KEY],
    createDriver: ({ baseUrl, logger }) =>
      createUmmahDriver({
        secretKey: SECRET_KEY,
        brandId: sandbox?.brandId ?? DEFAULT_BRAND_ID,
        baseUrl,
        logger,
        backoffBaseMs: 1,
        jitterMs: 0,
        // No key given: the driver fetches the company key from the sandbox's GET /public_key/ when it must.
        webhooks: { publicKeys: [] },
        ...(capabilities ? { capabilities } : {}),
      }),
    startTarget: async () => {
      const running = await start({ secretKey: SECRET_KEY });
      sandbox = running;
      receiver = await startReceiver();
      const api = client(running);
      const purchase = async (overrides: Record<string, unknown> = {}) =>
        (
          await createPurchase(api, running.brandId, {
            purchase: { products: [{ name: 'Dates box', price: AMOUNT, quantity: 1 }], currency: 'MYR' },
            ...overrides,
          })
        )['id'] as string;
      const paid = async (overrides: Record<string, unknown> = {}) => {
        const id = await purchase(overrides);
        const response = await pay(running, id);
        if (response.status !== 200) throw new Error(`pay ${id}: ${response.status}`);
        return id;
      };
      return {
        baseUrl: running.apiBase,
        paymentInput: {
          amount: AMOUNT,
          currency: 'MYR',
          reference: 'conformance-1',
          customer: { email: 'aisha@example.com', name: 'Aisha Rahman' },
          capture: 'automatic',
          returnUrls: { success: 'https://shop.example/ok', failure: 'https://shop.example/ko' },
        },
        authorizedPaymentId: () => paid({ skip_capture: true }),
        paidPaymentId: () => paid(),
        pendingPaymentId: () => purchase(),
        savedMethodToken: () => paid({ force_recurring: true }),
        signedWebhook: async () => {
          const id = await paid({ success_callback: `${receiver.url}/callback` });
          return receivedCallback(running, receiver, id);
        },
        close: async () => {
          await receiver.close();
          await running.close();
        },
      };
    },
    // Only the suite's own error target answers these; its bodies take the sandbox's (the seed's) shapes.
    errorBody: (status) =>
      status === 404
        ? { error: 'Not Found', detail: 'Object with this ID does not exist.' }
        : status === 409
          ? {
              error: 'Conflict',
              detail: 'Cannot cancel a purchase with status "paid".',
              code: 'invalid_status',
            }
          : { error: `http_${status}`, message: `The gateway answered ${status}.` },
  };
}

runDriverConformance('ummah', setupWith());

// An account narrowed to automatic capture, no saved cards, one currency: what is not declared must refuse before
// it reaches the sandbox, and what is declared must still work against it.
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
    'narrowed capabilities, sandbox',
  ),
);
