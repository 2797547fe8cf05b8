import http from 'node:http';
import https from 'node:https';
import type { Logger } from '@tijara/core';
import type { SandboxClock } from './clock.js';
import type { ObjectStore } from './database.js';
import type { FaultRegistry } from './faults.js';
import { newId } from './ids.js';
import { guardTarget, RefusedTarget, type Resolver } from './outbound.js';

/** Per attempt: a receiver that neither answers nor fails within this time counts as failed. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface DeliveryAttempt {
  attempt: number;
  sent_at: number;
  response_code: number | null;
  error: string | null;
  duration_ms: number;
  /** A second copy sent by an injected `duplicate` fault. */
  duplicate?: boolean;
}

/** One signed HTTP delivery of one gateway (a webhook event, a callback…), with every attempt made. */
export interface Delivery {
  id: string;
  gateway: string;
  /** The gateway's name for this kind of delivery (`webhook`, `success_callback`, `hook`…). */
  kind: string;
  /** The gateway's subscription that asked for it (a webhook or hook id), if any. */
  webhook_id: string | null;
  event_id: string;
  event: string;
  callback: string;
  source_type: string;
  source_id: string;
  /** The exact bytes sent; retries resend them unchanged. */
  body: string;
  /** Which key signs it, in the gateway's own terms; the gateway's signer signs each attempt when it is sent. */
  signer: string;
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

/** What a gateway asks the engine to deliver. */
export interface DeliveryRequest {
  kind: string;
  url: string;
  event: string;
  eventId: string;
  source: { type: string; id: string };
  body: string;
  signer: string;
  webhookId?: string | null;
}

/**
 * Signs one attempt of a delivery: the headers to send with it (`X-Signature`, `X-Postpay-Signature: <ts>:<hex>`,
 * …). Called when the attempt is sent, so a timestamped signature is fresh on every retry. `null` when the key is
 * gone (its webhook was deleted): the delivery then stops.
 */
export type DeliverySigner = (delivery: Readonly<Delivery>, sentAt: number) => Record<string, string> | null;

/** How one gateway delivers: its signer and its retry schedule (minutes before attempt n; its length = attempts). */
export interface DeliveryPolicy {
  readonly sign: DeliverySigner;
  readonly retryDelaysMinutes: readonly number[];
  /** `User-Agent` of its deliveries. */
  readonly userAgent: string;
}

/** The public view of a delivery in delivery logs and the control API. */
export function deliveryView(delivery: Delivery): Record<string, unknown> {
  const last = delivery.attempts.filter((a) => !a.duplicate).at(-1);
  let payload: unknown = delivery.body;
  try {
    payload = JSON.parse(delivery.body) as unknown;
  } catch {
    // Not every gateway need send JSON; the log then shows the text.
  }
  return {
    id: delivery.id,
    gateway: delivery.gateway,
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
    payload,
    created_on: delivery.created_on,
  };
}

interface PostResult {
  code: number | null;
  error: string | null;
}

function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  resolver: Resolver,
): Promise<PostResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: PostResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    let target: URL;
    let lookup;
    try {
      target = new URL(url);
      ({ lookup } = guardTarget(target, resolver));
    } catch (error) {
      done({ code: null, error: error instanceof RefusedTarget ? error.message : 'invalid callback URL' });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        agent: false,
        lookup,
        timeout: ATTEMPT_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          ...headers,
          'content-length': String(Buffer.byteLength(body)),
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

const GONE = 'the signing key is gone (its webhook was deleted)';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DeliveryEngineOptions {
  store: ObjectStore;
  clock: SandboxClock;
  faults: FaultRegistry;
  logger: Logger;
  /** Real-time factor for retry backoff (tests use e.g. 0.001). */
  timeScale: number;
  resolver: Resolver;
}

/**
 * Signed, retried, logged deliveries for every gateway.
 *
 * Each delivery is due when either clock says so: the sandbox clock reaching the unscaled backoff (so
 * `clock/advance` drives retries deterministically) or real time reaching the backoff × `webhookTimeScale`.
 * Deliveries to one URL go out one at a time in creation order, as a single worker per endpoint would. Each
 * attempt is signed by its gateway's signer as it is sent.
 */
export class DeliveryEngine {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Map<string, Promise<void>>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly policies = new Map<string, DeliveryPolicy>();
  private closed = false;
  private readonly o: DeliveryEngineOptions;

  constructor(options: DeliveryEngineOptions) {
    this.o = options;
  }

  /** A gateway's signer and schedule; its deliveries (new or left from an earlier run) go out from now on. */
  register(gateway: string, policy: DeliveryPolicy): void {
    this.policies.set(gateway, policy);
  }

  /** Queue a delivery; it goes out at once unless a fault holds it back. */
  enqueue(gateway: string, request: DeliveryRequest): Delivery {
    const now = this.o.clock.now();
    const delivery: Delivery = {
      id: newId(),
      gateway,
      kind: request.kind,
      webhook_id: request.webhookId ?? null,
      event_id: request.eventId,
      event: request.event,
      callback: request.url,
      source_type: request.source.type,
      source_id: request.source.id,
      body: request.body,
      signer: request.signer,
      status: 'pending',
      held: false,
      attempts: [],
      due_clock_ms: this.o.clock.nowMs(),
      due_real_ms: Date.now(),
      created_on: now,
      updated_on: now,
    };
    delivery.held = this.o.faults.holdDelivery(delivery);
    this.o.store.put('delivery', delivery);
    this.schedule();
    return delivery;
  }

  get(id: string): Delivery | undefined {
    return this.o.store.get<Delivery>('delivery', id);
  }

  list(filter: (delivery: Delivery) => boolean = () => true): Delivery[] {
    return this.o.store.list<Delivery>('delivery').filter(filter);
  }

  /** Pending deliveries of the gateways this sandbox serves (a file may hold others'). */
  private pending(): Delivery[] {
    return this.o.store
      .list<Delivery>('delivery', { '$.status': 'pending' })
      .filter((d) => this.policies.has(d.gateway));
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
    const clockNow = this.o.clock.nowMs();
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
      d.due_clock_ms = this.o.clock.nowMs();
      d.due_real_ms = Date.now();
      this.o.store.put('delivery', d);
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
      const clockNow = this.o.clock.nowMs();
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
        this.o.logger.error(
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

  /** Sign this attempt and send it; a signer that has no key any more ends the delivery. */
  private send(
    delivery: Delivery,
    policy: DeliveryPolicy,
    sentAt: number,
    drop = false,
  ): Promise<PostResult> {
    const signed = policy.sign(delivery, sentAt);
    if (signed === null) return Promise.resolve({ code: null, error: GONE });
    if (drop) return Promise.resolve({ code: null, error: 'connection dropped (injected fault)' });
    return post(
      delivery.callback,
      delivery.body,
      { 'user-agent': policy.userAgent, ...signed },
      this.o.resolver,
    );
  }

  private async attempt(id: string): Promise<void> {
    const delivery = this.get(id);
    if (!delivery || delivery.status !== 'pending' || this.closed) return;
    const policy = this.policies.get(delivery.gateway);
    if (!policy) return;
    const fault = this.o.faults.forDelivery(delivery);
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    const started = Date.now();
    const sentAt = this.o.clock.now();
    const result = await this.send(delivery, policy, sentAt, fault.drop);
    const unsigned = result.error === GONE;
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
    current.updated_on = this.o.clock.now();
    const delays = policy.retryDelaysMinutes;
    if (result.code !== null && result.code >= 200 && result.code <= 299) {
      current.status = 'delivered';
    } else if (unsigned || attempt.attempt >= delays.length) {
      current.status = 'failed';
    } else {
      const delayMs = delays[attempt.attempt]! * 60_000;
      current.due_clock_ms = this.o.clock.nowMs() + delayMs;
      current.due_real_ms = Date.now() + delayMs * this.o.timeScale;
    }
    if (fault.duplicate && !unsigned) {
      const copyStarted = Date.now();
      const copySentAt = this.o.clock.now();
      const copy = await this.send(current, policy, copySentAt);
      current.attempts.push({
        attempt: attempt.attempt,
        sent_at: copySentAt,
        response_code: copy.code,
        error: copy.error,
        duration_ms: Date.now() - copyStarted,
        duplicate: true,
      });
    }
    if (!this.get(id)) return;
    this.o.store.put('delivery', current);
    if (current.status === 'failed') {
      this.o.logger.warn(
        { delivery: id, event: current.event, callback: current.callback, attempts: attempt.attempt },
        'sandbox: delivery failed after the last retry',
      );
    } else {
      this.o.logger.debug(
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
