import type { ObjectStore } from '../../engine/database.js';
import type { Delivery } from '../../engine/deliveries.js';
import type { GatewayDeliveries } from '../../engine/gateway-module.js';
import type { SandboxClock } from '../../engine/clock.js';
import { newId } from '../../engine/ids.js';
import { signBody } from './signing.js';
import type { WebhookRecord } from './webhooks.js';

/**
 * Minutes to wait before attempt n (1-based): 3^(n-1) − 1, i.e. 0, 2, 8, 26, 80, 242, 728, 2186 — the
 * shape of the real gateway's schedule, 8 attempts spread over about two days.
 */
export const RETRY_DELAYS_MINUTES: readonly number[] = Array.from({ length: 8 }, (_, i) => 3 ** i - 1);
export const MAX_ATTEMPTS = RETRY_DELAYS_MINUTES.length;

export interface StoredEvent {
  id: string;
  type: string;
  created_on: number;
  object: unknown;
  source_type: string;
  source_id: string;
}

export interface Source {
  type: string;
  id: string;
}

/** Signer reference of `success_callback` deliveries: the company key of `GET /public_key/`. */
const COMPANY_SIGNER = 'company';
const webhookSigner = (id: string) => `webhook:${id}`;

/**
 * Ummah's events: each is recorded (`GET /__sandbox/events`) and queued as a signed delivery to every webhook
 * subscribed to its type, in the documented envelope; purchase success callbacks go out in CHIP's shape.
 */
export class UmmahEvents {
  private readonly store: ObjectStore;
  private readonly clock: SandboxClock;
  private readonly deliveries: GatewayDeliveries;

  constructor(store: ObjectStore, clock: SandboxClock, deliveries: GatewayDeliveries) {
    this.store = store;
    this.clock = clock;
    this.deliveries = deliveries;
  }

  /** Record an event and queue a signed delivery to every webhook subscribed to its type. */
  emit(type: string, object: unknown, source: Source): StoredEvent {
    const event: StoredEvent = {
      id: newId(),
      type,
      created_on: this.clock.now(),
      object: JSON.parse(JSON.stringify(object)) as unknown,
      source_type: source.type,
      source_id: source.id,
    };
    this.store.put('event', event);
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      created_on: event.created_on,
      object: event.object,
    });
    for (const webhook of this.store.list<WebhookRecord>('webhook')) {
      if (!webhook.all_events && !webhook.events.includes(type)) continue;
      this.deliveries.enqueue({
        kind: 'webhook',
        url: webhook.callback,
        event: type,
        eventId: event.id,
        source,
        body,
        signer: webhookSigner(webhook.id),
        webhookId: webhook.id,
      });
    }
    return event;
  }

  /**
   * `Purchase.success_callback`: CHIP's shape (the Purchase itself plus `event_type`), signed with the company
   * key from `GET /public_key/`.
   */
  successCallback(purchase: { id: string; success_callback: string | null }, eventType: string): void {
    if (!purchase.success_callback) return;
    this.deliveries.enqueue({
      kind: 'success_callback',
      url: purchase.success_callback,
      event: eventType,
      eventId: newId(),
      source: { type: 'purchase', id: purchase.id },
      body: JSON.stringify({ ...purchase, event_type: eventType }),
      signer: COMPANY_SIGNER,
    });
  }

  list(): StoredEvent[] {
    return this.store.list<StoredEvent>('event');
  }
}

/**
 * `X-Signature` for one attempt: RSA over the exact body with the webhook's own key, or the company key for
 * success callbacks. PKCS#1 v1.5 is deterministic, so every retry carries the same signature. A webhook deleted
 * since has no key any more: its pending deliveries stop.
 */
export function ummahSigner(store: ObjectStore, companyPrivateKey: string) {
  return (delivery: Readonly<Delivery>): Record<string, string> | null => {
    let privateKey: string | undefined;
    if (delivery.signer === COMPANY_SIGNER) privateKey = companyPrivateKey;
    else if (delivery.signer.startsWith('webhook:')) {
      privateKey = store.get<WebhookRecord>('webhook', delivery.signer.slice('webhook:'.length))?.private_key;
    }
    return privateKey ? { 'x-signature': signBody(delivery.body, privateKey) } : null;
  };
}
