import type { UmmahClient, WebhookDelivery } from '@tijara/ummah';

export type SourceType = 'purchase' | 'payment' | 'payout' | 'billing_template_client';

/** Which delivery-log source an event's object belongs to (`GET /webhooks/deliveries/?source_type=…`). */
export function sourceTypeOf(event: string | undefined): SourceType {
  if (event?.startsWith('payment.')) return 'payment';
  if (event?.startsWith('billing_template.')) return 'billing_template_client';
  if (event?.startsWith('payout.')) return 'payout';
  return 'purchase';
}

/**
 * The exact bytes a logged delivery was sent with: the raw body when the log keeps it, else the payload
 * serialised back. A body produced by JSON.stringify round-trips through JSON.parse byte for byte.
 */
export function deliveryBytes(delivery: WebhookDelivery): Buffer | undefined {
  const record = delivery as Record<string, unknown>;
  for (const name of ['body', 'request_body', 'raw_body']) {
    if (typeof record[name] === 'string') return Buffer.from(record[name], 'utf8');
  }
  return delivery.payload === undefined ? undefined : Buffer.from(JSON.stringify(delivery.payload), 'utf8');
}

/** The X-Signature a logged delivery was sent with, if the gateway's log shows it. */
export function deliverySignature(delivery: WebhookDelivery): string | undefined {
  const record = delivery as Record<string, unknown>;
  for (const name of ['signature', 'x_signature']) {
    if (typeof record[name] === 'string') return record[name];
  }
  const headers = record['request_headers'] ?? record['headers'];
  if (typeof headers === 'object' && headers !== null) {
    const found = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-signature')?.[1];
    if (typeof found === 'string') return found;
  }
  return undefined;
}

/** Every delivery the gateway logged for one object. */
export async function listDeliveries(
  client: UmmahClient,
  objectId: string,
  sourceType: SourceType,
): Promise<WebhookDelivery[]> {
  const out: WebhookDelivery[] = [];
  for await (const delivery of client.webhooks.deliveries({ id: objectId, source_type: sourceType }))
    out.push(delivery);
  return out;
}

/** The log entry of a delivery that arrived with `body` for `webhookId`, matched on the exact bytes. */
export async function findLoggedDelivery(
  client: UmmahClient,
  options: { webhookId: string; objectId: string; event: string | undefined; body: Buffer },
): Promise<WebhookDelivery | undefined> {
  const logged = await listDeliveries(client, options.objectId, sourceTypeOf(options.event));
  return logged.find((delivery) => {
    const webhookId = (delivery as Record<string, unknown>)['webhook_id'];
    if (typeof webhookId === 'string' && webhookId !== options.webhookId) return false;
    return deliveryBytes(delivery)?.equals(options.body) ?? false;
  });
}
