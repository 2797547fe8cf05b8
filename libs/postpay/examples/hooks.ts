import type { GatewayEvent, HeaderBag } from '@tijara/core';
import type { Hook, PostpayDriver } from '@tijara/postpay';

/** Subscribe once (e.g. at deploy time) to order and settlement events. */
export async function registerHook(postpay: PostpayDriver, url: string, secret: string): Promise<Hook> {
  const existing = await postpay.client.hooks.list({ url });
  const found = existing.results[0];
  if (found)
    return postpay.client.hooks.update(found.id, { events: ['order', 'transaction'], secret, active: true });
  return postpay.client.hooks.create({ events: ['order', 'transaction'], url, secret });
}

/**
 * Verify a delivery over its exact raw bytes (mount the route with express.raw({ type: 'application/json' })), within ±300 s of
 * its timestamp. The payload only says that something happened: core's SettlementPipeline re-reads the order.
 */
export async function handleHook(
  postpay: PostpayDriver,
  rawBody: Buffer,
  headers: HeaderBag,
): Promise<GatewayEvent> {
  return postpay.verifyWebhook(rawBody, headers); // throws SignatureVerificationError
}
