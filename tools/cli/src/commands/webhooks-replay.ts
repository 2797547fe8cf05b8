import type { Command } from 'commander';
import { DELIVERY_SOURCE_TYPES, type WebhookDelivery } from '@tijara/ummah';
import { say, type CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { addConnectionOptions, connect, type ConnectionFlags } from '../gateway-connection.js';
import { parseUrl } from '../option-parsers.js';

interface ReplayOptions extends ConnectionFlags {
  to: string;
  object: string;
  sourceType: string;
}

/** The exact bytes and signature a delivery was sent with, wherever the gateway keeps them. */
export function recordedRequest(delivery: WebhookDelivery): { body: Buffer; signature: string } | undefined {
  const record = delivery as Record<string, unknown>;
  const headers = (record['request_headers'] ?? record['headers']) as Record<string, unknown> | undefined;
  const headerSignature = headers
    ? Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-signature')?.[1]
    : undefined;
  const signature = record['signature'] ?? record['x_signature'] ?? headerSignature;
  const body = record['request_body'] ?? record['body'] ?? record['raw_body'];
  if (typeof signature !== 'string' || typeof body !== 'string') return undefined;
  return { body: Buffer.from(body, 'utf8'), signature };
}

export function registerWebhooksReplayCommand(webhooks: Command, io: CliIo): void {
  const command = webhooks
    .command('replay')
    .summary('re-send a past delivery: same bytes, same X-Signature')
    .argument('<delivery-id>', 'id of the delivery, as listed by GET /webhooks/deliveries/')
    .description(
      'Re-send a past webhook delivery to --to with the same bytes and the same X-Signature, to test that your ' +
        "endpoint handles retries and duplicates. The delivery is looked up in the gateway's delivery log " +
        '(GET /webhooks/deliveries/?id=OBJECT&source_type=TYPE).',
    )
    .requiredOption('--to <url>', 'your webhook endpoint', parseUrl)
    .requiredOption('--object <id>', 'id of the purchase (or payment, payout, subscriber) the delivery was about')
    .option('--source-type <type>', `type of that object: ${DELIVERY_SOURCE_TYPES.join(', ')}`, 'purchase');
  addConnectionOptions(command).action(async (deliveryId: string, options: ReplayOptions) => {
    if (!(DELIVERY_SOURCE_TYPES as readonly string[]).includes(options.sourceType)) {
      throw new UsageError(`--source-type must be one of ${DELIVERY_SOURCE_TYPES.join(', ')}`);
    }
    const connection = await connect(io, options);
    let found: WebhookDelivery | undefined;
    for await (const delivery of connection.client.webhooks.deliveries({
      id: options.object,
      source_type: options.sourceType as (typeof DELIVERY_SOURCE_TYPES)[number],
    })) {
      if (delivery.id === deliveryId) {
        found = delivery;
        break;
      }
    }
    if (!found) throw new CliError(`no delivery ${deliveryId} in the log of ${options.sourceType} ${options.object}`);
    const recorded = recordedRequest(found);
    if (!recorded) {
      throw new CliError(`delivery ${deliveryId} does not include the bytes and signature it was sent with`);
    }
    let status: number;
    try {
      const response = await fetch(options.to, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': recorded.signature, 'user-agent': 'tijara-cli' },
        body: recorded.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch (error) {
      throw new CliError(`could not deliver to ${options.to}`, { cause: error });
    }
    say(io, `${found.event ?? 'delivery'}  ${deliveryId}  -> ${status}`);
    if (status < 200 || status > 299) throw new CliError(`${options.to} answered ${status}`);
  });
}
