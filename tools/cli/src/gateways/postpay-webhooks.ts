import { randomBytes } from 'node:crypto';
import { HOOK_EVENTS, PostpayClient, type CreateCheckoutRequest, type HookEvent } from '@tijara/postpay';
import type { CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { sharedSecret } from '../gateway-credential.js';
import {
  requireSetting,
  resolveConnection,
  type ConnectionFlags,
  type ResolvedConnection,
} from '../gateway-connection.js';
import { postpayProfile } from '../gateway-profiles.js';
import { gatewaySigner } from '../gateway-signers.js';
import type { SandboxControl } from '../sandbox-control.js';
import {
  sameEventAndObject,
  type CausedEvent,
  type ConnectedGateway,
  type DeliverySummary,
  type RealEvent,
  type Subscription,
  type WebhookGateway,
} from '../webhook-gateway.js';
import { pastDelivery, sandboxDeliveryId } from './sandbox-delivery-log.js';

const signer = gatewaySigner('postpay');
/** Postpay's replay window: a receiver refuses a signature whose timestamp is further than this from now. */
const TOLERANCE_SECONDS = 300;

function newHookSecret(): string {
  return `tijara_hook_${randomBytes(24).toString('base64url')}`;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * `order.<status>` for an order's status change (the order id is the object), `transaction.<type>` for a settlement
 * line (`order` when captured, `refund`), about its order. The sandbox's envelope is `{id, event, created, data}`.
 */
function describe(body: Buffer): DeliverySummary {
  try {
    const parsed = record(JSON.parse(body.toString('utf8')));
    const kind = parsed?.['event'] ?? parsed?.['type'];
    const data = record(parsed?.['data'] ?? parsed?.['object']);
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    if (kind === 'order' && data) {
      const status = text(data['status']);
      return { event: status ? `order.${status}` : 'order', objectId: text(data['order_id']) };
    }
    if (kind === 'transaction' && data) {
      const type = text(data['type']);
      const orderId = text(record(data['order'])?.['order_id']);
      return { event: type ? `transaction.${type}` : 'transaction', objectId: orderId ?? text(data['id']) };
    }
    return { event: text(kind), objectId: undefined };
  } catch {
    return { event: undefined, objectId: undefined };
  }
}

/** A checkout the sandbox accepts: items + shipping + tax = total (AED 210.00), the order id chosen here. */
function sampleCheckout(orderId: string): CreateCheckoutRequest {
  const address = {
    first_name: 'Test',
    last_name: 'Buyer',
    phone: '+971 50 123 4567',
    line1: 'Al Wasl Road 12',
    city: 'Dubai',
    country: 'AE',
    postal_code: '00000',
  };
  return {
    order_id: orderId,
    total_amount: 21000,
    tax_amount: 1000,
    currency: 'AED',
    shipping: { name: 'Standard delivery', amount: 2000, address },
    customer: { email: 'buyer@example.com', first_name: 'Test', last_name: 'Buyer' },
    items: [
      {
        reference: 'tijara-test',
        name: 'Tijara test order',
        url: 'https://shop.example/tijara-test',
        unit_price: 18000,
        qty: 1,
      },
    ],
    merchant: {
      confirmation_url: 'https://shop.example/postpay/return',
      cancel_url: 'https://shop.example/postpay/cancel',
    },
  };
}

type BuyerAction = 'approve' | 'deny' | 'cancel';

interface Scenario extends RealEvent {
  /** The buyer's decision on the checkout, then what the merchant does with the order. */
  readonly decision: BuyerAction;
  readonly then?: 'capture' | 'capture-and-refund';
}

const approveAndCapture = 'create a checkout, approve it as the buyer (card 4111…), capture the order';

/** Events `trigger` can cause on a Postpay sandbox: each needs the buyer's decision on the hosted checkout. */
const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'order.approved': {
    steps: 'create a checkout, approve it as the buyer (card 4111…)',
    needsSandbox: true,
    decision: 'approve',
  },
  'order.denied': { steps: 'create a checkout, deny it', needsSandbox: true, decision: 'deny' },
  'order.cancelled': {
    steps: 'create a checkout, cancel it as the buyer',
    needsSandbox: true,
    decision: 'cancel',
  },
  'order.captured': { steps: approveAndCapture, needsSandbox: true, decision: 'approve', then: 'capture' },
  'transaction.order': {
    steps: `${approveAndCapture} (its settlement line)`,
    needsSandbox: true,
    decision: 'approve',
    then: 'capture',
  },
  'transaction.refund': {
    steps: `${approveAndCapture}, refund it`,
    needsSandbox: true,
    decision: 'approve',
    then: 'capture-and-refund',
  },
};

function connected(io: CliIo, connection: ResolvedConnection): ConnectedGateway {
  const { baseUrl, sandbox } = connection;
  let client: PostpayClient | undefined;
  // Credentials are needed only for API calls; replaying a kept delivery needs none.
  const api = (): PostpayClient =>
    (client ??= new PostpayClient({
      merchantId: requireSetting(connection, 'merchantId'),
      secretKey: requireSetting(connection, 'secretKey'),
      baseUrl,
      // A CLI is interactive: fail fast on a dead endpoint instead of the library's patient retry schedule.
      maxAttempts: 2,
      backoffBaseMs: 200,
      jitterMs: 50,
    }));
  const needSandbox = (event: string): SandboxControl => {
    if (sandbox) return sandbox;
    throw new CliError(
      `${event} needs a buyer to decide on the checkout, which only a sandbox's control API can do, and ` +
        `${baseUrl} is not a Tijara sandbox; send a signed body instead (--file body.json --secret … --to URL)`,
    );
  };
  const createHook = async (url: string, events: readonly HookEvent[], secret: string) => {
    const hook = await api().hooks.create({ events: [...events], url, secret });
    const remove = () =>
      api()
        .hooks.delete(hook.id)
        .then(() => undefined);
    return { hook, remove };
  };

  async function run(event: string, scenario: Scenario, orderId: string): Promise<void> {
    const control = needSandbox(event);
    const checkout = await api().checkouts.create(sampleCheckout(orderId));
    await control.request(
      'POST',
      `postpay/checkouts/${encodeURIComponent(checkout.token)}/${scenario.decision}`,
      {},
    );
    if (!scenario.then) return;
    await api().orders.capture(orderId);
    if (scenario.then === 'capture-and-refund') {
      await api().orders.refunds.create(orderId, {
        refund_id: `${orderId}-refund`,
        description: 'tijara webhooks trigger',
      });
    }
  }

  return {
    apiBase: baseUrl,
    isSandbox: sandbox !== undefined,

    async subscribe(callback, options): Promise<Subscription> {
      const given = options.secret ?? sharedSecret(io, signer, {});
      const secret = given ?? newHookSecret();
      const events = (options.events as HookEvent[] | undefined) ?? [...HOOK_EVENTS];
      const { hook, remove } = await createHook(callback, events, secret);
      return {
        id: hook.id,
        registered: `Hook ${hook.id} registered on ${baseUrl} for ${hook.events.join(', ')}`,
        verification: given
          ? [
              'Hook secret: the one you gave (verify X-Postpay-Signature with it, e.g. as POSTPAY_HOOK_SECRET)',
            ]
          : ['Hook secret (verify X-Postpay-Signature with it, e.g. as POSTPAY_HOOK_SECRET):', secret],
        removal: `deleting hook ${hook.id}`,
        remove,
      };
    },

    async deliveryIdOf(subscription, delivery) {
      if (!sandbox) return undefined;
      return sandboxDeliveryId(sandbox, 'postpay', delivery.body, (d) => d.webhook_id === subscription.id);
    },

    async cause(event, options): Promise<CausedEvent> {
      const scenario = SCENARIOS[event];
      if (!scenario) throw new CliError(`${event} cannot be caused on Postpay`);
      const orderId = options.reference;
      if (!options.callback && options.secret !== undefined) {
        throw new UsageError(
          "--secret is the temporary hook's secret, and only --to makes one (without it every hook receives the event)",
        );
      }
      if (!options.callback) {
        await run(event, scenario, orderId);
        return { objectId: orderId, notes: [], cleanup: async () => undefined };
      }
      // A temporary hook for this kind of event, pointing at the caller's receiver.
      needSandbox(event);
      const given = options.secret ?? sharedSecret(io, signer, {});
      const secret = given ?? newHookSecret();
      const { hook, remove } = await createHook(options.callback, [event.split('.')[0] as HookEvent], secret);
      const cleanup = () => remove().catch(() => undefined);
      try {
        await run(event, scenario, orderId);
      } catch (error) {
        await cleanup();
        throw error;
      }
      const notes = given
        ? [`Signed with the secret you gave, as temporary hook ${hook.id}`]
        : [`Signed with the secret of temporary hook ${hook.id}:`, secret];
      return { objectId: orderId, notes, cleanup };
    },

    async replayable(deliveryId, lookup) {
      const past = await pastDelivery(io, 'postpay', deliveryId, sandbox);
      const now = Math.floor(Date.now() / 1000);
      const secret = lookup.secret ?? sharedSecret(io, signer, {});
      // Postpay signs every attempt afresh, so a retry carries a new timestamp: with the secret, so does this.
      if (secret) {
        return {
          event: past.event,
          bytes: past.bytes,
          headers: { [signer.header]: signer.sign(past.bytes, secret, now) },
          notes: [],
        };
      }
      if (!past.signature) {
        throw new CliError(
          `the X-Postpay-Signature of ${deliveryId} is not known here (\`tijara webhooks listen\` did not receive ` +
            "it in this directory): pass --secret with the hook's secret to sign it as Postpay signs each attempt",
        );
      }
      const age = now - Number(past.signature.split(':')[0]);
      const notes =
        age > TOLERANCE_SECONDS
          ? [
              `Sent with its original X-Postpay-Signature, ${age} s old: an endpoint that enforces Postpay's ` +
                `${TOLERANCE_SECONDS} s window refuses it. Pass --secret (the hook's secret) to sign it afresh, as ` +
                'Postpay signs every retry.',
            ]
          : [];
      return { event: past.event, bytes: past.bytes, headers: { [signer.header]: past.signature }, notes };
    },
  };
}

/**
 * Postpay: hooks CRUD (`POST/GET/PATCH/DELETE /hooks`) with a secret chosen by whoever creates the hook; events are
 * `order` and `transaction`; on a sandbox the buyer's decision goes through the control API
 * (`POST /__sandbox/postpay/checkouts/{token}/approve|deny|cancel`) and the merchant's steps through the API.
 */
export const postpayWebhooks: WebhookGateway = {
  name: 'postpay',
  title: 'Postpay',
  signer,
  realEvents: SCENARIOS,
  subscriptionEvents(names) {
    if (!names) return undefined;
    for (const name of names) {
      if (!(HOOK_EVENTS as readonly string[]).includes(name)) {
        throw new UsageError(`unknown event '${name}': Postpay hooks subscribe to ${HOOK_EVENTS.join(', ')}`);
      }
    }
    return [...new Set(names)];
  },
  // A signed body of your own may be labelled anything.
  checkEventName: () => undefined,
  describe,
  concerns: sameEventAndObject,
  connect: async (io: CliIo, flags: ConnectionFlags) =>
    connected(io, await resolveConnection(io, postpayProfile, flags)),
};
