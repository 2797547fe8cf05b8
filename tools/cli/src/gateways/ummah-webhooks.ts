import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DELIVERY_SOURCE_TYPES, type WebhookDelivery } from '@tijara/ummah';
import type { CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import type { ConnectionFlags } from '../gateway-connection.js';
import { gatewaySigner } from '../gateway-signers.js';
import { capturedGateway, readCapturedDeliveries } from '../local-state.js';
import type {
  ConnectedGateway,
  DeliverySummary,
  ReplayLookup,
  Subscription,
  WebhookGateway,
} from '../webhook-gateway.js';
import { connectUmmah, type UmmahConnection } from './ummah-connection.js';
import {
  deliveryBytes,
  deliverySignature,
  findLoggedDelivery,
  listDeliveries,
  type SourceType,
} from './ummah-delivery-log.js';
import { checkEventNames } from './ummah-event-names.js';
import { SCENARIOS } from './ummah-scenarios.js';

/** Event and object id of a delivery, in either body shape (the documented envelope, or CHIP's purchase). */
function describe(body: Buffer): DeliverySummary {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const object = parsed['object'] as Record<string, unknown> | undefined;
    const event = typeof parsed['type'] === 'string' ? parsed['type'] : parsed['event_type'];
    const objectId = typeof object?.['id'] === 'string' ? object['id'] : parsed['id'];
    return {
      event: typeof event === 'string' ? event : undefined,
      objectId: typeof objectId === 'string' ? objectId : undefined,
    };
  } catch {
    return { event: undefined, objectId: undefined };
  }
}

/** Whether a delivery body is about this purchase (a refund Payment names it in `purchase`/`related_to`). */
function about(body: Buffer, purchaseId: string): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const object = (parsed['object'] ?? parsed) as Record<string, unknown>;
    const related = object['related_to'] as Record<string, unknown> | null | undefined;
    return object['id'] === purchaseId || object['purchase'] === purchaseId || related?.['id'] === purchaseId;
  } catch {
    return false;
  }
}

/** Which object's log holds the delivery: from the flags, else (on a sandbox) from its control API. */
async function locate(
  connection: UmmahConnection,
  deliveryId: string,
  lookup: ReplayLookup,
): Promise<{ objectId: string; sourceType: SourceType }> {
  const sourceType = (lookup.sourceType ?? 'purchase') as SourceType;
  if (!(DELIVERY_SOURCE_TYPES as readonly string[]).includes(sourceType)) {
    throw new UsageError(`--source-type must be one of ${DELIVERY_SOURCE_TYPES.join(', ')}`);
  }
  if (lookup.object) return { objectId: lookup.object, sourceType };
  if (!connection.sandbox) {
    throw new UsageError('--object is required: the delivery log is listed per object (purchase id)');
  }
  const found = (await connection.sandbox.deliveries()).find((delivery) => delivery.id === deliveryId);
  if (!found) throw new CliError(`the sandbox has no delivery ${deliveryId}`);
  return { objectId: found.source_id, sourceType: found.source_type as SourceType };
}

/**
 * The signature the delivery was sent with: from the gateway's log when it shows it, else from the copy
 * `webhooks listen` kept of the same bytes for the same webhook.
 */
function signatureOf(io: CliIo, delivery: WebhookDelivery, bytes: Buffer): string | undefined {
  const logged = deliverySignature(delivery);
  if (logged) return logged;
  const webhookId = (delivery as Record<string, unknown>)['webhook_id'];
  const captured = readCapturedDeliveries(io.cwd)
    .reverse()
    .find(
      (entry) =>
        capturedGateway(entry) === 'ummah' &&
        (entry.deliveryId === delivery.id ||
          typeof webhookId !== 'string' ||
          entry.webhookId === webhookId) &&
        Buffer.from(entry.body, 'base64').equals(bytes),
    );
  return captured?.signature;
}

function connected(io: CliIo, connection: UmmahConnection): ConnectedGateway {
  const { client } = connection;
  return {
    apiBase: connection.apiBase,
    isSandbox: connection.sandbox !== undefined,

    async subscribe(callback, options): Promise<Subscription> {
      const webhook = await client.webhooks.create({
        callback,
        title: 'tijara webhooks listen',
        ...(options.events ? { events: [...options.events] } : { all_events: true }),
      });
      const remove = () => client.webhooks.delete(webhook.id).then(() => undefined);
      if (!webhook.public_key) {
        await remove().catch(() => undefined);
        throw new CliError(`the gateway returned webhook ${webhook.id} without a public_key`);
      }
      if (options.publicKeyOut) writeFileSync(resolve(io.cwd, options.publicKeyOut), webhook.public_key);
      const pem = webhook.public_key.endsWith('\n') ? webhook.public_key.slice(0, -1) : webhook.public_key;
      return {
        id: webhook.id,
        registered: `Webhook ${webhook.id} registered on ${connection.apiBase} for ${options.events ? options.events.join(', ') : 'all events'}`,
        verification: [
          'Webhook public key (verify X-Signature with it, e.g. as UMMAH_WEBHOOK_PUBLIC_KEY):',
          ...pem.split('\n'),
        ],
        removal: `deleting webhook ${webhook.id}`,
        remove,
      };
    },

    async deliveryIdOf(subscription, delivery) {
      if (!delivery.objectId) return undefined;
      const logged = await findLoggedDelivery(client, {
        webhookId: subscription.id,
        objectId: delivery.objectId,
        event: delivery.event,
        body: delivery.body,
      });
      return logged?.id;
    },

    async cause(event, options) {
      const scenario = SCENARIOS[event];
      if (!scenario) throw new CliError(`${event} cannot be caused on Ummah`);
      if (!options.callback) {
        const purchase = await scenario.run({ connection, reference: options.reference });
        return { objectId: purchase.id, notes: [], cleanup: async () => undefined };
      }
      // A temporary webhook for this event alone, pointing at the caller's receiver.
      const webhook = await client.webhooks.create({
        callback: options.callback,
        title: 'tijara webhooks trigger',
        events: [event],
      });
      const cleanup = () =>
        client.webhooks.delete(webhook.id).then(
          () => undefined,
          () => undefined,
        );
      try {
        const purchase = await scenario.run({ connection, reference: options.reference });
        const notes = webhook.public_key
          ? [
              `Signed with the public key of temporary webhook ${webhook.id}:`,
              webhook.public_key.endsWith('\n') ? webhook.public_key.slice(0, -1) : webhook.public_key,
            ]
          : [];
        return { objectId: purchase.id, notes, cleanup };
      } catch (error) {
        await cleanup();
        throw error;
      }
    },

    async replayable(deliveryId, lookup) {
      if (lookup.secret !== undefined)
        throw new UsageError('ummah signs with a key pair: --secret does not apply');
      const { objectId, sourceType } = await locate(connection, deliveryId, lookup);
      const delivery = (await listDeliveries(client, objectId, sourceType)).find((d) => d.id === deliveryId);
      if (!delivery)
        throw new CliError(`no delivery ${deliveryId} in the delivery log of ${sourceType} ${objectId}`);
      const bytes = deliveryBytes(delivery);
      if (!bytes) throw new CliError(`the delivery log shows no body for delivery ${deliveryId}`);
      const signature = signatureOf(io, delivery, bytes);
      if (!signature) {
        throw new CliError(
          `the delivery log does not show the X-Signature of ${deliveryId}, and \`tijara webhooks listen\` did not ` +
            'receive it in this directory; only deliveries it received can be replayed with their signature',
        );
      }
      return { event: delivery.event, bytes, headers: { 'x-signature': signature }, notes: [] };
    },
  };
}

/** Ummah: webhooks CRUD with a key pair each, a delivery log per object, purchases paid on the sandbox. */
export const ummahWebhooks: WebhookGateway = {
  name: 'ummah',
  title: 'Ummah',
  signer: gatewaySigner('ummah'),
  realEvents: SCENARIOS,
  subscriptionEvents: (names) => (names ? checkEventNames(names) : undefined),
  checkEventName: (name) => void checkEventNames([name]),
  describe,
  concerns: (delivery, event, objectId) => delivery.event === event && about(delivery.body, objectId),
  connect: async (io: CliIo, flags: ConnectionFlags) => connected(io, await connectUmmah(io, flags)),
};
