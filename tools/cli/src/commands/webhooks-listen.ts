import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { note, say, untilStopped, type CliIo } from '../cli-io.js';
import { CliError, formatError } from '../cli-errors.js';
import { findLoggedDelivery } from '../delivery-log.js';
import { checkEventNames } from '../event-names.js';
import { addConnectionOptions, connect, type ConnectionFlags } from '../gateway-connection.js';
import { DEFAULT_GATEWAY, GATEWAY_OPTION_HELP, requireUmmah } from '../gateway-signers.js';
import { captureDelivery } from '../local-state.js';
import { parseList, parsePort, parseUrl } from '../option-parsers.js';
import { checkForwardTarget, startWebhookRelay, type RelayedDelivery } from '../webhook-relay.js';

interface ListenOptions extends ConnectionFlags {
  gateway: string;
  forwardTo: string;
  events?: string[];
  host: string;
  port: number;
  publicUrl?: string;
  publicKeyOut?: string;
}

/** One line per delivery: time, event, object id, what the app answered, the gateway's delivery id. */
export function deliveryLine(
  delivery: RelayedDelivery,
  deliveryId: string | undefined,
  now = new Date(),
): string {
  const outcome =
    delivery.status === undefined ? `failed: ${delivery.error ?? 'no answer'}` : String(delivery.status);
  const id = deliveryId ? `  (delivery ${deliveryId})` : '';
  return `${now.toISOString()}  ${delivery.event ?? '(not JSON)'}  ${delivery.objectId ?? '-'}  -> ${outcome}${id}`;
}

export function registerWebhooksListenCommand(webhooks: Command, io: CliIo): void {
  const command = webhooks
    .command('listen')
    .summary("forward the gateway's webhook deliveries to a local endpoint, like `stripe listen`")
    .description(
      'Register a webhook on the gateway that points at a receiver this command runs, and forward every ' +
        'delivery byte for byte (X-Signature intact) to your app. Prints the webhook public key your app ' +
        'verifies with, one line per delivery, and deletes the webhook on exit (Ctrl+C). Deliveries are kept ' +
        'in .tijara/deliveries.jsonl so `tijara webhooks replay` can re-send them. The forward target must be ' +
        'this machine (loopback) or a public HTTPS URL: private, link-local and cloud-metadata addresses are ' +
        'refused, checked again as each delivery is forwarded.',
    )
    .option('-g, --gateway <name>', GATEWAY_OPTION_HELP, DEFAULT_GATEWAY)
    .requiredOption(
      '--forward-to <url>',
      'your webhook endpoint, e.g. http://localhost:3000/webhooks/ummah',
      parseUrl,
    )
    .option('-e, --events <names>', 'comma-separated events to subscribe to (default: all events)', parseList)
    .option('--host <host>', 'interface the local receiver binds', '127.0.0.1')
    .option('--port <port>', 'port of the local receiver (default: a free one)', parsePort, 0)
    .option(
      '--public-url <url>',
      'URL the gateway should call instead of the local receiver (a tunnel to it, for a remote gateway)',
      parseUrl,
    )
    .option('--public-key-out <file>', 'also write the webhook public key (PEM) to this file');
  addConnectionOptions(command).action(async (options: ListenOptions) => {
    requireUmmah('listen', options.gateway);
    const stopped = untilStopped(io);
    const events = options.events ? checkEventNames(options.events) : undefined;
    await checkForwardTarget(options.forwardTo);
    const connection = await connect(io, options);

    let webhookId: string | undefined;
    // Lines go out in arrival order even though each waits for its delivery-log lookup.
    let reported = Promise.resolve();
    const report = async (delivery: RelayedDelivery): Promise<void> => {
      const receivedAt = new Date();
      let deliveryId: string | undefined;
      if (webhookId && delivery.objectId) {
        const { objectId, event, body } = delivery;
        const logged = await findLoggedDelivery(connection.client, {
          webhookId,
          objectId,
          event,
          body,
        }).catch(() => undefined);
        deliveryId = logged?.id;
      }
      captureDelivery(io.cwd, {
        receivedAt: receivedAt.toISOString(),
        webhookId: webhookId ?? '',
        deliveryId,
        event: delivery.event,
        body: delivery.body.toString('base64'),
        signature: delivery.signature,
      });
      say(io, deliveryLine(delivery, deliveryId, receivedAt));
    };
    const relay = await startWebhookRelay({
      forwardTo: options.forwardTo,
      host: options.host,
      port: options.port,
      onDelivery: (delivery) => {
        reported = reported
          .then(() => report(delivery))
          .catch((error: unknown) => {
            io.stderr.write(formatError(error));
          });
      },
    });
    const callback = options.publicUrl ?? relay.url;
    try {
      const webhook = await connection.client.webhooks.create({
        callback,
        title: 'tijara webhooks listen',
        ...(events ? { events } : { all_events: true }),
      });
      webhookId = webhook.id;
      if (!webhook.public_key)
        throw new CliError(`the gateway returned webhook ${webhook.id} without a public_key`);
      if (options.publicKeyOut) writeFileSync(resolve(io.cwd, options.publicKeyOut), webhook.public_key);

      say(
        io,
        `Webhook ${webhook.id} registered on ${connection.apiBase} for ${events ? events.join(', ') : 'all events'}`,
      );
      say(io, `Forwarding ${callback} -> ${options.forwardTo}`);
      say(io, 'Webhook public key (verify X-Signature with it, e.g. as UMMAH_WEBHOOK_PUBLIC_KEY):');
      io.stdout.write(webhook.public_key.endsWith('\n') ? webhook.public_key : `${webhook.public_key}\n`);
      say(io, 'Ready. Press Ctrl+C to stop.');

      const reason = await stopped;
      note(io, `Stopping (${reason}): deleting webhook ${webhook.id}…`);
    } finally {
      await relay.close();
      await reported;
      if (webhookId) {
        try {
          await connection.client.webhooks.delete(webhookId);
        } catch (error) {
          // Leaving a dangling webhook is worth a warning, not a failed exit: the forwarding itself worked.
          io.stderr.write(
            formatError(new CliError(`could not delete webhook ${webhookId}`, { cause: error })),
          );
        }
      }
    }
  });
}
