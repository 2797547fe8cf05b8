import type { UmmahDriver } from '@tijara/ummah';

const TITLE = 'Souq Tijara (examples/express-store)';

/**
 * Point the gateway's webhook at this store: replace the store's earlier webhook (the sandbox keeps them across
 * restarts, and the port may have changed) and trust the new one's signing key.
 */
export async function registerStoreWebhook(driver: UmmahDriver, callback: string): Promise<string> {
  for await (const webhook of driver.client.webhooks.list()) {
    if (webhook.title === TITLE) await driver.client.webhooks.delete(webhook.id);
  }
  const webhook = await driver.client.webhooks.create({ title: TITLE, callback, all_events: true });
  if (!webhook.public_key)
    throw new Error('The gateway created the webhook without a public key to verify it with');
  driver.webhookVerifier.addKey(webhook.public_key);
  return webhook.id;
}
