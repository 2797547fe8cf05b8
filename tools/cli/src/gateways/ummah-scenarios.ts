import type { CreatePurchaseRequest, Purchase } from '@tijara/ummah';
import { CliError } from '../cli-errors.js';
import { requireBrandId, type UmmahConnection } from './ummah-connection.js';

/** Test cards of the sandbox (seed 000). */
export const SUCCESS_CARD = '4242424242424242';
export const DECLINED_CARD = '4000000000000002';

interface ScenarioContext {
  readonly connection: UmmahConnection;
  readonly reference: string;
}

interface Scenario {
  /** What the command does on the gateway to make the event happen. */
  readonly steps: string;
  /** Paying needs the sandbox's control API; a real gateway needs a buyer in a browser. */
  readonly needsSandbox: boolean;
  run(context: ScenarioContext): Promise<Purchase>;
}

async function create(
  context: ScenarioContext,
  extra: Partial<CreatePurchaseRequest> = {},
): Promise<Purchase> {
  return context.connection.client.purchases.create({
    brand_id: requireBrandId(context.connection),
    client: { email: 'buyer@example.com', full_name: 'Test Buyer' },
    purchase: {
      currency: 'USD',
      products: [{ name: 'Tijara test order', price: 2999, quantity: 1 }],
    },
    reference: context.reference,
    creator_agent: 'tijara-cli',
    ...extra,
  });
}

function sandboxOf(context: ScenarioContext) {
  const sandbox = context.connection.sandbox;
  if (!sandbox) {
    throw new CliError(
      `paying needs the sandbox control API, and ${context.connection.apiBase} is not a Tijara sandbox; ` +
        'use --key to send a signed sample instead',
    );
  }
  return sandbox;
}

async function createAndPay(
  context: ScenarioContext,
  extra: Partial<CreatePurchaseRequest> = {},
  card = SUCCESS_CARD,
  rememberCard = false,
): Promise<Purchase> {
  const purchase = await create(context, extra);
  await sandboxOf(context).pay(purchase.id, { cardNumber: card, rememberCard });
  return purchase;
}

const refund: Scenario = {
  steps: 'create a purchase, pay it, refund it',
  needsSandbox: true,
  run: async (c) => {
    const purchase = await createAndPay(c);
    await c.connection.client.purchases.refund(purchase.id, {});
    return purchase;
  },
};

/** Events `webhooks trigger` can cause for real on a gateway, and how. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'purchase.created': { steps: 'create a purchase', needsSandbox: false, run: (c) => create(c) },
  'purchase.cancelled': {
    steps: 'create a purchase, cancel it',
    needsSandbox: false,
    run: async (c) => {
      const purchase = await create(c);
      await c.connection.client.purchases.cancel(purchase.id);
      return purchase;
    },
  },
  'purchase.paid': {
    steps: 'create a purchase, pay it with 4242…',
    needsSandbox: true,
    run: (c) => createAndPay(c),
  },
  'purchase.payment_failure': {
    steps: 'create a purchase, pay it with the declined card 4000…0002',
    needsSandbox: true,
    run: (c) => createAndPay(c, {}, DECLINED_CARD),
  },
  'purchase.hold': {
    steps: 'create a skip_capture purchase, pay it',
    needsSandbox: true,
    run: (c) => createAndPay(c, { skip_capture: true }),
  },
  'purchase.captured': {
    steps: 'create a skip_capture purchase, pay it, capture it',
    needsSandbox: true,
    run: async (c) => {
      const purchase = await createAndPay(c, { skip_capture: true });
      await c.connection.client.purchases.capture(purchase.id, {});
      return purchase;
    },
  },
  'purchase.released': {
    steps: 'create a skip_capture purchase, pay it, release it',
    needsSandbox: true,
    run: async (c) => {
      const purchase = await createAndPay(c, { skip_capture: true });
      await c.connection.client.purchases.release(purchase.id);
      return purchase;
    },
  },
  'purchase.refunded': refund,
  'payment.refunded': refund,
  'purchase.preauthorized': {
    steps: 'create a zero-amount skip_capture purchase, pay it saving the card',
    needsSandbox: true,
    run: (c) =>
      createAndPay(
        c,
        {
          skip_capture: true,
          force_recurring: true,
          purchase: { currency: 'USD', products: [{ name: 'Card check', price: 0, quantity: 1 }] },
        },
        SUCCESS_CARD,
        true,
      ),
  },
  'purchase.recurring_token_deleted': {
    steps: 'create a force_recurring purchase, pay it, delete its recurring token',
    needsSandbox: true,
    run: async (c) => {
      const purchase = await createAndPay(c, { force_recurring: true }, SUCCESS_CARD, true);
      await c.connection.client.purchases.deleteRecurringToken(purchase.id);
      return purchase;
    },
  },
};
