import type { Command } from 'commander';
import { note, say, untilStopped, type CliIo } from '../cli-io.js';
import { CliError, formatError, UsageError } from '../cli-errors.js';
import { addConnectionOptions, type ConnectionFlags } from '../gateway-connection.js';
import { DEFAULT_GATEWAY, GATEWAY_OPTION_HELP } from '../gateway-signers.js';
import { webhookGateway } from '../gateways/index.js';
import { captureDelivery } from '../local-state.js';
import { parseList, parsePort, parseUrl } from '../option-parsers.js';
import type { Subscription } from '../webhook-gateway.js';
import { checkForwardTarget, startWebhookRelay, type RelayedDelivery } from '../webhook-relay.js';

interface ListenOptions extends ConnectionFlags {
  gateway: string;
  forwardTo: string;
  events?: string[];
  host: string;
  port: number;
  publicUrl?: string;
  publicKeyOut?: string;
  secret?: string;
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
      'Register a receiver this command runs with the gateway, and forward every delivery byte for byte (its ' +
        'signature header intact) to your app. Ummah: a webhook (its public key is printed); Postpay: a hook ' +
        "(its secret is printed, or --secret); Numipay: the account's webhook URL (on a sandbox; elsewhere set " +
        'it in the back office). Uhmi sends no webhooks. Prints one line per delivery and removes the ' +
        'registration on exit (Ctrl+C). Deliveries are kept in .tijara/deliveries.jsonl so `tijara webhooks ' +
        'replay` can re-send them. The forward target must be this machine (loopback) or a public HTTPS URL: ' +
        'private, link-local and cloud-metadata addresses are refused, checked again as each delivery is forwarded.',
    )
    .option('-g, --gateway <name>', GATEWAY_OPTION_HELP, DEFAULT_GATEWAY)
    .requiredOption(
      '--forward-to <url>',
      'your webhook endpoint, e.g. http://localhost:3000/webhooks/ummah',
      parseUrl,
    )
    .option(
      '-e, --events <names>',
      'comma-separated events to subscribe to (Ummah: its event names; Postpay: order, transaction; default: all)',
      parseList,
    )
    .option('--host <host>', 'interface the local receiver binds', '127.0.0.1')
    .option('--port <port>', 'port of the local receiver (default: a free one)', parsePort, 0)
    .option(
      '--public-url <url>',
      'URL the gateway should call instead of the local receiver (a tunnel to it, for a remote gateway)',
      parseUrl,
    )
    .option('--public-key-out <file>', 'Ummah: also write the webhook public key (PEM) to this file')
    .option(
      '--secret <secret>',
      "Postpay: the hook's secret (env POSTPAY_HOOK_SECRET or TIJARA_WEBHOOK_SECRET; default: a new one, printed)",
    );
  addConnectionOptions(command).action(async (options: ListenOptions) => {
    const gateway = webhookGateway('listen', options.gateway);
    if (options.publicKeyOut !== undefined && gateway.name !== 'ummah') {
      throw new UsageError(
        `--public-key-out is for Ummah's webhook key pairs; ${gateway.title} signs otherwise`,
      );
    }
    if (options.secret !== undefined && gateway.name === 'ummah') {
      throw new UsageError('Ummah signs each webhook with its own key pair: --secret does not apply');
    }
    const stopped = untilStopped(io);
    const events = gateway.subscriptionEvents(options.events);
    await checkForwardTarget(options.forwardTo);
    const api = await gateway.connect(io, options);

    let subscription: Subscription | undefined;
    // Lines go out in arrival order even though each waits for its delivery-log lookup.
    let reported = Promise.resolve();
    const report = async (delivery: RelayedDelivery): Promise<void> => {
      const receivedAt = new Date();
      const deliveryId = subscription
        ? await api.deliveryIdOf(subscription, delivery).catch(() => undefined)
        : undefined;
      captureDelivery(io.cwd, {
        gateway: gateway.name,
        receivedAt: receivedAt.toISOString(),
        webhookId: subscription?.id ?? '',
        deliveryId,
        event: delivery.event,
        body: delivery.body.toString('base64'),
        signature: delivery.signature,
      });
      say(io, deliveryLine(delivery, deliveryId, receivedAt));
    };
    const relay = await startWebhookRelay({
      forwardTo: options.forwardTo,
      signatureHeader: gateway.signer.header,
      describe: gateway.describe,
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
      subscription = await api.subscribe(callback, {
        events,
        secret: options.secret,
        publicKeyOut: options.publicKeyOut,
      });
      say(io, subscription.registered);
      say(io, `Forwarding ${callback} -> ${options.forwardTo}`);
      for (const line of subscription.verification) say(io, line);
      say(io, 'Ready. Press Ctrl+C to stop.');

      const reason = await stopped;
      note(io, `Stopping (${reason}): ${subscription.removal}…`);
    } finally {
      await relay.close();
      await reported;
      if (subscription) {
        try {
          await subscription.remove();
        } catch (error) {
          // Leaving a dangling registration is worth a warning, not a failed exit: the forwarding itself worked.
          io.stderr.write(
            formatError(
              new CliError(`could not undo the registration (${subscription.removal})`, { cause: error }),
            ),
          );
        }
      }
    }
  });
}
