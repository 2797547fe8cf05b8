import type { Command } from 'commander';
import type { CliIo } from '../cli-io.js';
import { registerWebhooksListenCommand } from './webhooks-listen.js';
import { registerWebhooksReplayCommand } from './webhooks-replay.js';
import { registerWebhooksSignCommand } from './webhooks-sign.js';
import { registerWebhooksTriggerCommand } from './webhooks-trigger.js';

export function registerWebhooksCommand(program: Command, io: CliIo): void {
  const webhooks = program
    .command('webhooks')
    .description('sign, trigger, replay and forward signed webhook deliveries (Ummah, Postpay, Numipay)');
  registerWebhooksListenCommand(webhooks, io);
  registerWebhooksTriggerCommand(webhooks, io);
  registerWebhooksReplayCommand(webhooks, io);
  registerWebhooksSignCommand(webhooks, io);
}
