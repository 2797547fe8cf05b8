import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { note, say, type CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { addConnectionOptions, type ConnectionFlags } from '../gateway-connection.js';
import { gatewayCredential, type CredentialFlags } from '../gateway-credential.js';
import {
  DEFAULT_GATEWAY,
  GATEWAY_OPTION_HELP,
  gatewaySigner,
  type GatewaySigner,
} from '../gateway-signers.js';
import { webhookGateway } from '../gateways/index.js';
import { checkEventNames } from '../gateways/ummah-event-names.js';
import { readBodyFile } from '../key-files.js';
import { parseNumber, parseUrl } from '../option-parsers.js';
import { sampleDeliveryBody } from '../sample-events.js';
import { startWebhookRelay, type RelayedDelivery } from '../webhook-relay.js';

interface TriggerOptions extends ConnectionFlags, CredentialFlags {
  gateway: string;
  to?: string;
  file?: string;
  timeout: number;
}

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

function checkStatus(url: string, status: number): void {
  if (status < 200 || status > 299)
    throw new CliError(`${url} answered ${status}; the gateway would retry this delivery`);
}

/** A signed sample (Ummah, `--key`) or a signed body of yours (`--file`), POSTed to `--to`; no gateway involved. */
async function sendSample(io: CliIo, event: string, signer: GatewaySigner, options: TriggerOptions) {
  // Event names are checked where the CLI knows them; for other gateways the name only labels the output.
  if (signer.name === 'ummah') checkEventNames([event]);
  const flag = options.key ? '--key' : options.file ? '--file' : '--secret';
  if (!options.to) throw new UsageError(`${flag} needs --to: the signed sample is POSTed there`);
  const credential = gatewayCredential(io, signer, options);
  const body = options.file ? readBodyFile(io, options.file) : sampleDeliveryBody(event);
  const status = await postSigned(options.to, body, signer, credential);
  say(io, `${event}  -> ${status}`);
  checkStatus(options.to, status);
}

export function registerWebhooksTriggerCommand(webhooks: Command, io: CliIo): void {
  const command = webhooks
    .command('trigger')
    .summary('make an event happen on the gateway, or send a signed sample')
    .argument(
      '<event>',
      'event name, e.g. purchase.paid (Ummah), order.captured (Postpay), deposit.successful (Numipay)',
    )
    .description(
      'Send a webhook event. Without --key or --file the event is made to happen for real on the gateway (a ' +
        'purchase paid, a checkout approved and captured, a deposit paid at the cashier… through the API and, ' +
        "for the buyer's part, the sandbox control API), so the sandbox's own signed delivery goes to every " +
        'registered webhook (e.g. a running `tijara webhooks listen`); with --to, to that URL alone. With --key ' +
        '(Ummah) a realistic sample signed with your private key, or with --file a body of yours signed with ' +
        '--key or --secret, is POSTed to --to (no gateway involved). Prints the status code your endpoint answered.',
    )
    .option('-g, --gateway <name>', GATEWAY_OPTION_HELP, DEFAULT_GATEWAY)
    .option('--to <url>', 'your webhook endpoint', parseUrl)
    .option(
      '-k, --key <file>',
      'Ummah: PEM private key: send a signed sample instead of a real gateway event',
    )
    .option(
      '--secret <secret>',
      "Postpay, Numipay: the shared secret a --file body is signed with; Postpay: also the temporary hook's " +
        'secret for a real event with --to (env POSTPAY_HOOK_SECRET, NUMIPAY_SIGNATURE_PASSWORD, TIJARA_WEBHOOK_SECRET)',
    )
    .option('-f, --file <file>', 'send this body (signed) instead of making the event happen')
    .option(
      '--timeout <seconds>',
      'how long to wait for the gateway to deliver a real event',
      parseNumber,
      30,
    );
  addConnectionOptions(command).action(async (event: string, options: TriggerOptions) => {
    const signer = gatewaySigner(options.gateway);
    if (options.key || options.file || (signer.name === 'ummah' && options.secret)) {
      await sendSample(io, event, signer, options);
      return;
    }

    const gateway = webhookGateway('trigger', signer.name);
    const scenario = gateway.realEvents[event];
    if (!scenario) {
      if (gateway.name === 'ummah') checkEventNames([event]);
      const sample =
        gateway.name === 'ummah'
          ? 'pass --key private.pem --to URL to send a signed sample instead'
          : 'pass --file body.json --secret … --to URL to send a signed body instead';
      throw new UsageError(
        `${event} cannot be caused on ${gateway.title} from here (possible: ${Object.keys(gateway.realEvents).join(', ')}); ${sample}`,
      );
    }
    const api = await gateway.connect(io, options);
    if (scenario.needsSandbox && !api.isSandbox) {
      throw new CliError(
        `${event} needs a buyer's action, which only a Tijara sandbox's control API can take, and ${api.apiBase} ` +
          'is not one; send a signed sample to --to instead',
      );
    }
    // Unique per run: Postpay's order ids and Numipay's tracking ids may not be reused.
    const reference = `tijara-trigger-${Date.now()}-${randomBytes(3).toString('hex')}`;

    if (!options.to) {
      const caused = await api.cause(event, {
        reference,
        ...(options.secret !== undefined ? { secret: options.secret } : {}),
      });
      await caused.cleanup();
      say(
        io,
        `${event}  ${caused.objectId}  (${scenario.steps}; delivered to the gateway's registered webhooks)`,
      );
      return;
    }

    // Other webhooks' traffic (or a concurrent trigger) may arrive too: wait for this event about this object.
    const received: RelayedDelivery[] = [];
    let wake: () => void = () => {};
    const relay = await startWebhookRelay({
      forwardTo: options.to,
      signatureHeader: gateway.signer.header,
      describe: gateway.describe,
      onDelivery: (delivery) => {
        received.push(delivery);
        wake();
      },
    });
    let cleanup = async (): Promise<void> => undefined;
    try {
      const caused = await api.cause(event, {
        reference,
        callback: relay.url,
        ...(options.secret !== undefined ? { secret: options.secret } : {}),
      });
      cleanup = caused.cleanup;
      const ours = (d: RelayedDelivery) => gateway.concerns(d, event, caused.objectId);
      const waitSeconds = options.timeout + (scenario.delaySeconds ?? 0);
      const deadline = Date.now() + waitSeconds * 1000;
      while (!received.some(ours)) {
        if (Date.now() > deadline)
          throw new CliError(`the gateway did not deliver ${event} within ${waitSeconds} s`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 250);
        });
      }
      const delivery = received.find(ours) as RelayedDelivery;
      if (delivery.status === undefined) {
        throw new CliError(`could not deliver to ${options.to}: ${delivery.error ?? 'no answer'}`);
      }
      say(io, `${event}  ${caused.objectId}  -> ${delivery.status}`);
      for (const line of caused.notes) note(io, line);
      checkStatus(options.to, delivery.status);
    } finally {
      await relay.close();
      await cleanup();
    }
  });
}
