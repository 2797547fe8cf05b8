import type { Command } from 'commander';
import { UMMAH_EVENT_TYPES } from '@tijara/ummah';
import { note, say, type CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { checkEventNames } from '../event-names.js';
import { addConnectionOptions, connect, type ConnectionFlags } from '../gateway-connection.js';
import { gatewayCredential, type CredentialFlags } from '../gateway-credential.js';
import {
  DEFAULT_GATEWAY,
  GATEWAY_OPTION_HELP,
  gatewaySigner,
  type GatewaySigner,
} from '../gateway-signers.js';
import { readBodyFile } from '../key-files.js';
import { parseNumber, parseUrl } from '../option-parsers.js';
import { sampleDeliveryBody } from '../sample-events.js';
import { SCENARIOS } from '../trigger-scenarios.js';
import { startWebhookRelay, type RelayedDelivery } from '../webhook-relay.js';

interface TriggerOptions extends ConnectionFlags, CredentialFlags {
  gateway: string;
  to?: string;
  file?: string;
  timeout: number;
}

const REAL_EVENTS = Object.keys(SCENARIOS);

/** POST a body signed as the gateway would sign it; returns the endpoint's status. */
async function postSigned(
  url: string,
  body: Buffer,
  signer: GatewaySigner,
  credential: string,
): Promise<number> {
  const signature = signer.sign(body, credential, Math.floor(Date.now() / 1000));
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [signer.header]: signature, 'user-agent': 'tijara-cli' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    throw new CliError(`could not deliver to ${url}`, { cause: error });
  }
}

/** Whether a delivery body is about this purchase (a refund Payment names it in `purchase`/`related_to`). */
function concerns(body: Buffer, purchaseId: string): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const object = (parsed['object'] ?? parsed) as Record<string, unknown>;
    const related = object['related_to'] as Record<string, unknown> | null | undefined;
    return object['id'] === purchaseId || object['purchase'] === purchaseId || related?.['id'] === purchaseId;
  } catch {
    return false;
  }
}

function checkStatus(url: string, status: number): void {
  if (status < 200 || status > 299)
    throw new CliError(`${url} answered ${status}; the gateway would retry this delivery`);
}

export function registerWebhooksTriggerCommand(webhooks: Command, io: CliIo): void {
  const command = webhooks
    .command('trigger')
    .summary('send a signed sample event, or make a real one happen on the gateway')
    .argument('<event>', `event name, e.g. purchase.paid (one of: ${UMMAH_EVENT_TYPES.join(', ')})`)
    .description(
      'Send a webhook event. With --key: a realistic sample delivery signed with your private key is POSTed ' +
        'to --to (no gateway involved). Without --key: the event is made to happen for real on the gateway ' +
        '(a purchase is created, paid through the sandbox control API, refunded…), so every registered webhook ' +
        '(e.g. a running `tijara webhooks listen`) receives it; with --to, a temporary webhook delivers it to ' +
        'that URL. Prints the status code your endpoint answered.',
    )
    .option('-g, --gateway <name>', GATEWAY_OPTION_HELP, DEFAULT_GATEWAY)
    .option('--to <url>', 'your webhook endpoint', parseUrl)
    .option(
      '-k, --key <file>',
      'Ummah: PEM private key: send a signed sample instead of a real gateway event',
    )
    .option(
      '--secret <secret>',
      'Postpay, Numipay: the shared secret to sign with (env TIJARA_WEBHOOK_SECRET); sends --file, signed',
    )
    .option('-f, --file <file>', 'send this body (signed) instead of a built-in sample')
    .option(
      '--timeout <seconds>',
      'how long to wait for the gateway to deliver a real event',
      parseNumber,
      30,
    );
  addConnectionOptions(command).action(async (event: string, options: TriggerOptions) => {
    const signer = gatewaySigner(options.gateway);
    // Event names are checked where the CLI knows them; for other gateways the name only labels the output.
    if (signer.name === 'ummah') checkEventNames([event]);

    if (options.key || options.secret || options.file || signer.name !== 'ummah') {
      const flag = signer.credential === 'private-key' ? '--key' : '--secret';
      if (!options.to) throw new UsageError(`${flag} needs --to: the signed sample is POSTed there`);
      const credential = gatewayCredential(io, signer, options);
      if (!options.file && signer.name !== 'ummah') {
        throw new UsageError(`trigger --gateway ${signer.name} sends a body of yours: pass --file <body>`);
      }
      const body = options.file ? readBodyFile(io, options.file) : sampleDeliveryBody(event);
      const status = await postSigned(options.to, body, signer, credential);
      say(io, `${event}  -> ${status}`);
      checkStatus(options.to, status);
      return;
    }

    const scenario = SCENARIOS[event];
    if (!scenario) {
      throw new UsageError(
        `${event} cannot be caused on a gateway from here (possible: ${REAL_EVENTS.join(', ')}); ` +
          'pass --key private.pem --to URL to send a signed sample instead',
      );
    }
    const connection = await connect(io, options);
    const reference = `tijara-trigger-${Date.now()}`;

    if (!options.to) {
      const purchase = await scenario.run({ connection, reference });
      say(
        io,
        `${event}  ${purchase.id}  (${scenario.steps}; delivered to the gateway's registered webhooks)`,
      );
      return;
    }

    // Other webhooks' traffic (or a concurrent trigger) may arrive too: wait for this event about this purchase.
    const received: RelayedDelivery[] = [];
    let wake: () => void = () => {};
    const relay = await startWebhookRelay({
      forwardTo: options.to,
      onDelivery: (delivery) => {
        received.push(delivery);
        wake();
      },
    });
    let webhookId: string | undefined;
    try {
      const webhook = await connection.client.webhooks.create({
        callback: relay.url,
        title: 'tijara webhooks trigger',
        events: [event],
      });
      webhookId = webhook.id;
      const purchase = await scenario.run({ connection, reference });
      const ours = (d: RelayedDelivery) => d.event === event && concerns(d.body, purchase.id);
      const deadline = Date.now() + options.timeout * 1000;
      while (!received.some(ours)) {
        if (Date.now() > deadline)
          throw new CliError(`the gateway did not deliver ${event} within ${options.timeout} s`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 250);
        });
      }
      const delivery = received.find(ours) as RelayedDelivery;
      if (delivery.status === undefined) {
        throw new CliError(`could not deliver to ${options.to}: ${delivery.error ?? 'no answer'}`);
      }
      say(io, `${event}  ${purchase.id}  -> ${delivery.status}`);
      if (webhook.public_key) {
        note(io, `Signed with the public key of temporary webhook ${webhook.id}:`);
        io.stderr.write(webhook.public_key.endsWith('\n') ? webhook.public_key : `${webhook.public_key}\n`);
      }
      checkStatus(options.to, delivery.status);
    } finally {
      await relay.close();
      if (webhookId) await connection.client.webhooks.delete(webhookId).catch(() => undefined);
    }
  });
}
