import type { Command } from 'commander';
import { DELIVERY_SOURCE_TYPES, type WebhookDelivery } from '@tijara/ummah';
import { say, type CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { deliveryBytes, deliverySignature, listDeliveries } from '../delivery-log.js';
import {
  addConnectionOptions,
  connect,
  type ConnectionFlags,
  type GatewayConnection,
} from '../gateway-connection.js';
import { DEFAULT_GATEWAY, GATEWAY_OPTION_HELP, requireUmmah } from '../gateway-signers.js';
import { readCapturedDeliveries } from '../local-state.js';
import { parseUrl } from '../option-parsers.js';

type SourceType = (typeof DELIVERY_SOURCE_TYPES)[number];

interface ReplayOptions extends ConnectionFlags {
  gateway: string;
  to: string;
  object?: string;
  sourceType: string;
}

/** Which object's log holds the delivery: from the flags, else (on a sandbox) from its control API. */
async function locate(
  connection: GatewayConnection,
  deliveryId: string,
  options: ReplayOptions,
): Promise<{ objectId: string; sourceType: SourceType }> {
  if (options.object) return { objectId: options.object, sourceType: options.sourceType as SourceType };
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
        (entry.deliveryId === delivery.id ||
          typeof webhookId !== 'string' ||
          entry.webhookId === webhookId) &&
        Buffer.from(entry.body, 'base64').equals(bytes),
    );
  return captured?.signature;
}

export function registerWebhooksReplayCommand(webhooks: Command, io: CliIo): void {
  const command = webhooks
    .command('replay')
    .summary('re-send a past delivery: same bytes, same X-Signature')
    .argument(
      '<delivery-id>',
      'id of the delivery, as `webhooks listen` prints it or GET /webhooks/deliveries/ lists it',
    )
    .description(
      'Re-send a past webhook delivery to --to with the same bytes and the same X-Signature, to check that your ' +
        "endpoint treats a retried or duplicated delivery idempotently. The delivery is read from the gateway's " +
        'delivery log (GET /webhooks/deliveries/); its signature from the log, or from the copy ' +
        '`tijara webhooks listen` kept in .tijara/deliveries.jsonl.',
    )
    .requiredOption('--to <url>', 'your webhook endpoint', parseUrl)
    .option('-g, --gateway <name>', GATEWAY_OPTION_HELP, DEFAULT_GATEWAY)
    .option(
      '--object <id>',
      'id of the purchase (payment, payout, subscriber) it was about; found by itself on a sandbox',
    )
    .option('--source-type <type>', `type of that object: ${DELIVERY_SOURCE_TYPES.join(', ')}`, 'purchase');
  addConnectionOptions(command).action(async (deliveryId: string, options: ReplayOptions) => {
    requireUmmah('replay', options.gateway);
    if (!(DELIVERY_SOURCE_TYPES as readonly string[]).includes(options.sourceType)) {
      throw new UsageError(`--source-type must be one of ${DELIVERY_SOURCE_TYPES.join(', ')}`);
    }
    const connection = await connect(io, options);
    const { objectId, sourceType } = await locate(connection, deliveryId, options);
    const delivery = (await listDeliveries(connection.client, objectId, sourceType)).find(
      (d) => d.id === deliveryId,
    );
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

    let status: number;
    try {
      const response = await fetch(options.to, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signature, 'user-agent': 'tijara-cli' },
        body: bytes,
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch (error) {
      throw new CliError(`could not deliver to ${options.to}`, { cause: error });
    }
    say(io, `${delivery.event ?? 'delivery'}  ${deliveryId}  -> ${status}`);
    if (status < 200 || status > 299) throw new CliError(`${options.to} answered ${status}`);
  });
}
