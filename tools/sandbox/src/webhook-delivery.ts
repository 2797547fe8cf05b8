import http from 'node:http';
import https from 'node:https';
import type { SandboxContext } from './context.js';
import { newId } from './ids.js';
import { signBody } from './signing.js';
import type { WebhookRecord } from './webhooks.js';

/**
 * Minutes to wait before attempt n (1-based): 3^(n-1) − 1, i.e. 0, 2, 8, 26, 80, 242, 728, 2186 — the
 * shape of the real gateway's schedule, 8 attempts spread over about two days.
 */
export const RETRY_DELAYS_MINUTES: readonly number[] = Array.from({ length: 8 }, (_, i) => 3 ** i - 1);
export const MAX_ATTEMPTS = RETRY_DELAYS_MINUTES.length;

/** Per attempt: a receiver that neither answers nor fails within this time counts as failed. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export type DeliveryKind = 'webhook' | 'success_callback';

export interface DeliveryAttempt {
  attempt: number;
  sent_at: number;
  response_code: number | null;
  error: string | null;
  duration_ms: number;
  /** A second copy sent by an injected `duplicate` fault. */
  duplicate?: boolean;
}

export interface Delivery {
  id: string;
  kind: DeliveryKind;
  webhook_id: string | null;
  event_id: string;
  event: string;
  callback: string;
  source_type: string;
  source_id: string;
  /** The exact bytes sent (and signed); retries resend them unchanged. */
  body: string;
  signature: string;
  status: 'pending' | 'delivered' | 'failed';
  /** Held back by an `out_of_order` fault until a later delivery to the same URL has gone out. */
  held: boolean;
  attempts: DeliveryAttempt[];
  /** Due on the sandbox clock (unscaled backoff) … */
  due_clock_ms: number;
  /** … or in real time (backoff × webhookTimeScale), whichever comes first. */
  due_real_ms: number;
  created_on: number;
  updated_on: number;
}

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

interface PostResult {
  code: number | null;
  error: string | null;
}

function post(url: string, body: string, signature: string): Promise<PostResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: PostResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      done({ code: null, error: 'invalid callback URL' });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        agent: false,
        timeout: ATTEMPT_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'x-signature': signature,
          'user-agent': 'Tijara-Sandbox/0.1 (Ummah emulator)',
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => done({ code: response.statusCode ?? null, error: null }));
        response.on('error', () => done({ code: response.statusCode ?? null, error: null }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`)));
    request.on('error', (error) => done({ code: null, error: error.message || 'connection failed' }));
    request.end(body);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The public view of a delivery in `GET /webhooks/deliveries/` and the control API. */
export function deliveryView(delivery: Delivery): Record<string, unknown> {
  const last = delivery.attempts.filter((a) => !a.duplicate).at(-1);
  return {
    id: delivery.id,
    kind: delivery.kind,
    webhook_id: delivery.webhook_id,
    event: delivery.event,
    event_id: delivery.event_id,
    callback: delivery.callback,
    source_type: delivery.source_type,
    source_id: delivery.source_id,
    status: delivery.status,
    response_code: last?.response_code ?? null,
    sent_at: last?.sent_at ?? null,
    attempt_count: delivery.attempts.filter((a) => !a.duplicate).length,
    attempts: delivery.attempts,
    next_attempt_on:
      delivery.status === 'pending' && !delivery.held ? Math.floor(delivery.due_clock_ms / 1000) : null,
    held: delivery.held,
    payload: JSON.parse(delivery.body) as unknown,
    created_on: delivery.created_on,
  };
}

/**
 * Signed, retried, logged deliveries of webhook events and purchase success callbacks.
 *
 * Each delivery is due when either clock says so: the sandbox clock reaching the unscaled backoff (so
 * `clock/advance` drives retries deterministically) or real time reaching the backoff × `webhookTimeScale`.
 * Deliveries to one URL go out one at a time in creation order, as a single worker per endpoint would.
 */
export class DeliveryEngine {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Map<string, Promise<void>>();
  private readonly chains = new Map<string, Promise<void>>();
  private closed = false;

  private readonly sandbox: SandboxContext;

  constructor(sandbox: SandboxContext) {
    this.sandbox = sandbox;
  }

  /** Record an event and queue a signed delivery to every webhook subscribed to its type. */
  emit(type: string, object: unknown, source: Source): StoredEvent {
    const event: StoredEvent = {
      id: newId(),
      type,
      created_on: this.sandbox.clock.now(),
      object: JSON.parse(JSON.stringify(object)) as unknown,
      source_type: source.type,
      source_id: source.id,
    };
    this.sandbox.store.put('event', event);
    const body = JSON.stringify({
      id: event.id,
      type: event.type,
      created_on: event.created_on,
      object: event.object,
    });
    for (const webhook of this.sandbox.store.list<WebhookRecord>('webhook')) {
      if (!webhook.all_events && !webhook.events.includes(type)) continue;
      this.enqueue('webhook', webhook.id, webhook.callback, event, body, webhook.private_key);
    }
    this.schedule();
    return event;
  }

  /**
   * `Purchase.success_callback`: CHIP's shape (the Purchase itself plus `event_type`), signed with the
   * company key from `GET /public_key/`.
   */
  successCallback(purchase: { id: string; success_callback: string | null }, eventType: string): void {
    if (!purchase.success_callback) return;
    const event: StoredEvent = {
      id: newId(),
      type: eventType,
      created_on: this.sandbox.clock.now(),
      object: purchase,
      source_type: 'purchase',
      source_id: purchase.id,
    };
    const body = JSON.stringify({ ...purchase, event_type: eventType });
    this.enqueue(
      'success_callback',
      null,
      purchase.success_callback,
      event,
      body,
      this.sandbox.companyKeys.privateKey,
    );
    this.schedule();
  }

  private enqueue(
    kind: DeliveryKind,
    webhookId: string | null,
    url: string,
    event: StoredEvent,
    body: string,
    privateKey: string,
  ): Delivery {
    const now = this.sandbox.clock.now();
    const delivery: Delivery = {
      id: newId(),
      kind,
      webhook_id: webhookId,
      event_id: event.id,
      event: event.type,
      callback: url,
      source_type: event.source_type,
      source_id: event.source_id,
      body,
      signature: signBody(body, privateKey),
      status: 'pending',
      held: false,
      attempts: [],
      due_clock_ms: this.sandbox.clock.nowMs(),
      due_real_ms: Date.now(),
      created_on: now,
      updated_on: now,
    };
    delivery.held = this.sandbox.faults.holdDelivery(delivery);
    return this.sandbox.store.put('delivery', delivery);
  }

  get(id: string): Delivery | undefined {
    return this.sandbox.store.get<Delivery>('delivery', id);
  }

  list(filter: (delivery: Delivery) => boolean = () => true): Delivery[] {
    return this.sandbox.store.list<Delivery>('delivery').filter(filter);
  }

  private pending(): Delivery[] {
    return this.sandbox.store.list<Delivery>('delivery', { '$.status': 'pending' });
  }

  /** Earliest sandbox-clock instant at which a queued delivery falls due, for stepping the clock. */
  nextClockDue(): number | undefined {
    let next: number | undefined;
    for (const d of this.pending()) {
      if (!d.held && !this.running.has(d.id) && (next === undefined || d.due_clock_ms < next))
        next = d.due_clock_ms;
    }
    return next;
  }

  /** Arm one timer for the earliest real-time due delivery. */
  schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let next: number | undefined;
    for (const d of this.pending()) {
      if (!d.held && !this.running.has(d.id) && (next === undefined || d.due_real_ms < next))
        next = d.due_real_ms;
    }
    if (next === undefined) return;
    const wait = Math.min(Math.max(next - Date.now(), 0), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runDue();
    }, wait);
    this.timer.unref();
  }

  /** Attempt every delivery that is due (or, with `force`, every pending one); resolves when they are done. */
  async runDue(force = false): Promise<void> {
    if (this.closed) return;
    const clockNow = this.sandbox.clock.nowMs();
    const realNow = Date.now();
    const due = this.pending().filter(
      (d) =>
        !d.held &&
        !this.running.has(d.id) &&
        (force || d.due_clock_ms <= clockNow || d.due_real_ms <= realNow),
    );
    await Promise.all(due.map((d) => this.start(d)));
    this.schedule();
  }

  /** Release deliveries held by `out_of_order` faults (all, or those for one URL). */
  releaseHeld(url?: string): void {
    for (const d of this.pending()) {
      if (!d.held || (url !== undefined && d.callback !== url)) continue;
      d.held = false;
      d.due_clock_ms = this.sandbox.clock.nowMs();
      d.due_real_ms = Date.now();
      this.sandbox.store.put('delivery', d);
    }
    this.schedule();
  }

  /** Resolves once nothing is in flight and nothing is due right now. */
  async settle(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      if (this.running.size > 0) {
        await Promise.allSettled([...this.running.values()]);
        continue;
      }
      const clockNow = this.sandbox.clock.nowMs();
      const realNow = Date.now();
      const due = this.pending().some(
        (d) => !d.held && (d.due_clock_ms <= clockNow || d.due_real_ms <= realNow),
      );
      if (!due) return;
      await this.runDue();
    }
  }

  private start(delivery: Delivery): Promise<void> {
    const url = delivery.callback;
    const previous = this.chains.get(url) ?? Promise.resolve();
    const work = previous
      .then(() => this.attempt(delivery.id))
      .catch((error: unknown) => {
        this.sandbox.logger.error(
          { delivery: delivery.id, err: String(error) },
          'sandbox: delivery attempt crashed',
        );
      });
    this.chains.set(url, work);
    this.running.set(delivery.id, work);
    void work.finally(() => {
      this.running.delete(delivery.id);
      if (this.chains.get(url) === work) this.chains.delete(url);
    });
    return work;
  }

  private async attempt(id: string): Promise<void> {
    const delivery = this.get(id);
    if (!delivery || delivery.status !== 'pending' || this.closed) return;
    const fault = this.sandbox.faults.forDelivery(delivery);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    const started = Date.now();
    const sentAt = this.sandbox.clock.now();
    const result: PostResult = fault.drop
      ? { code: null, error: 'connection dropped (injected fault)' }
      : await post(delivery.callback, delivery.body, delivery.signature);
    // The sandbox may have been reset or closed while the request was out; do not resurrect anything.
    const current = this.get(id);
    if (!current || this.closed) return;
    const attempt: DeliveryAttempt = {
      attempt: current.attempts.filter((a) => !a.duplicate).length + 1,
      sent_at: sentAt,
      response_code: result.code,
      error:
        result.error ??
        (result.code !== null && (result.code < 200 || result.code > 299) ? `HTTP ${result.code}` : null),
      duration_ms: Date.now() - started,
    };
    current.attempts.push(attempt);
    current.updated_on = this.sandbox.clock.now();
    if (result.code !== null && result.code >= 200 && result.code <= 299) {
      current.status = 'delivered';
    } else if (attempt.attempt >= MAX_ATTEMPTS) {
      current.status = 'failed';
    } else {
      const delayMs = RETRY_DELAYS_MINUTES[attempt.attempt]! * 60_000;
      current.due_clock_ms = this.sandbox.clock.nowMs() + delayMs;
      current.due_real_ms = Date.now() + delayMs * this.sandbox.config.webhookTimeScale;
    }
    if (fault.duplicate) {
      const copyStarted = Date.now();
      const copy = await post(current.callback, current.body, current.signature);
      current.attempts.push({
        attempt: attempt.attempt,
        sent_at: this.sandbox.clock.now(),
        response_code: copy.code,
        error: copy.error,
        duration_ms: Date.now() - copyStarted,
        duplicate: true,
      });
    }
    if (!this.get(id)) return;
    this.sandbox.store.put('delivery', current);
    if (current.status === 'failed') {
      this.sandbox.logger.warn(
        { delivery: id, event: current.event, callback: current.callback, attempts: attempt.attempt },
        'sandbox: delivery failed after the last retry',
      );
    } else {
      this.sandbox.logger.debug(
        {
          delivery: id,
          event: current.event,
          status: current.status,
          attempt: attempt.attempt,
          code: result.code,
        },
        'sandbox: delivery attempt',
      );
    }
    this.releaseHeld(current.callback);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.running.values()]);
  }
}
