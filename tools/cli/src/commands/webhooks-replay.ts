import type { Command } from 'commander';
import { DELIVERY_SOURCE_TYPES } from '@tijara/ummah';
import { note, say, type CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { addConnectionOptions, type ConnectionFlags } from '../gateway-connection.js';
import { DEFAULT_GATEWAY, GATEWAY_OPTION_HELP } from '../gateway-signers.js';
import { webhookGateway } from '../gateways/index.js';
import { parseUrl } from '../option-parsers.js';

interface ReplayOptions extends ConnectionFlags {
  gateway: string;
  to: string;
  object?: string;
  sourceType?: string;
  secret?: string;
}

export function registerWebhooksReplayCommand(webhooks: Command, io: CliIo): void {
  const command = webhooks
    .command('replay')
    .summary('re-send a past delivery: same bytes, signed as the gateway signed it')
    .argument('<delivery-id>', 'id of the delivery, as `webhooks listen` prints it')
    .description(
      'Re-send a past webhook delivery to --to with the same bytes and its signature, to check that your endpoint ' +
        "treats a retried or duplicated delivery idempotently. Ummah: read from the gateway's delivery log " +
        '(GET /webhooks/deliveries/), with the same X-Signature (from the log, or the copy `tijara webhooks ' +
        "listen` kept in .tijara/deliveries.jsonl). Postpay, Numipay: the copy listen kept, else the sandbox's " +
        "delivery log; Postpay signs every attempt afresh, so with the hook's secret (--secret, " +
        'POSTPAY_HOOK_SECRET) the delivery is signed again at the current time, otherwise it goes with the ' +
        'X-Postpay-Signature listen received.',
    )
    .requiredOption('--to <url>', 'your webhook endpoint', parseUrl)
    .option('-g, --gateway <name>', GATEWAY_OPTION_HELP, DEFAULT_GATEWAY)
    .option(
      '--object <id>',
      'Ummah: id of the purchase (payment, payout, subscriber) it was about; found by itself on a sandbox',
    )
    .option(
      '--source-type <type>',
      `Ummah: type of that object: ${DELIVERY_SOURCE_TYPES.join(', ')} (default purchase)`,
    )
    .option(
      '--secret <secret>',
      "Postpay: the hook's secret, to sign afresh; Numipay: the signature password (env POSTPAY_HOOK_SECRET, " +
        'NUMIPAY_SIGNATURE_PASSWORD, TIJARA_WEBHOOK_SECRET)',
    );
  addConnectionOptions(command).action(async (deliveryId: string, options: ReplayOptions) => {
    const gateway = webhookGateway('replay', options.gateway);
    if (gateway.name !== 'ummah' && (options.object !== undefined || options.sourceType !== undefined)) {
      throw new UsageError(
        `--object and --source-type name Ummah's per-object delivery logs; ${gateway.title}'s deliveries are found by id`,
      );
    }
    const api = await gateway.connect(io, options);
    const delivery = await api.replayable(deliveryId, {
      ...(options.object !== undefined ? { object: options.object } : {}),
      ...(options.sourceType !== undefined ? { sourceType: options.sourceType } : {}),
      ...(options.secret !== undefined ? { secret: options.secret } : {}),
    });

    let status: number;
    try {
      const response = await fetch(options.to, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...delivery.headers, 'user-agent': 'tijara-cli' },
        body: delivery.bytes,
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch (error) {
      throw new CliError(`could not deliver to ${options.to}`, { cause: error });
    }
    say(io, `${delivery.event ?? 'delivery'}  ${deliveryId}  -> ${status}`);
    for (const line of delivery.notes) note(io, line);
    if (status < 200 || status > 299) throw new CliError(`${options.to} answered ${status}`);
  });
}
