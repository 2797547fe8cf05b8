import { UsageError } from '../cli-errors.js';
import { gatewaySigner, UHMI_NO_WEBHOOKS } from '../gateway-signers.js';
import type { WebhookGateway } from '../webhook-gateway.js';
import { numipayWebhooks } from './numipay-webhooks.js';
import { postpayWebhooks } from './postpay-webhooks.js';
import { ummahWebhooks } from './ummah-webhooks.js';

/** Every gateway that sends webhooks, by name. Uhmi sends none. */
const WEBHOOK_GATEWAYS: Readonly<Record<string, WebhookGateway>> = {
  ummah: ummahWebhooks,
  postpay: postpayWebhooks,
  numipay: numipayWebhooks,
};

const NOTHING_TO = { listen: 'listen to', trigger: 'trigger', replay: 'replay' } as const;

/** The gateway `--gateway` names, for `listen`, `trigger` (real events) and `replay`; Uhmi is refused, saying why. */
export function webhookGateway(command: keyof typeof NOTHING_TO, name: string): WebhookGateway {
  const signer = gatewaySigner(name);
  const gateway = WEBHOOK_GATEWAYS[signer.name];
  if (!gateway) {
    throw new UsageError(
      `webhooks ${command} --gateway ${signer.name}: ${UHMI_NO_WEBHOOKS}; there is nothing to ${NOTHING_TO[command]}`,
    );
  }
  return gateway;
}
