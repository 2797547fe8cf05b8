import { createHmac, randomBytes } from 'node:crypto';
import {
  createHookRequestSchema,
  HOOK_LIST,
  patchHookRequestSchema,
  SIGNATURE_HEADER,
  type HookEvent,
} from '@tijara/postpay';
import type { SandboxClock } from '../../engine/clock.js';
import type { ObjectStore } from '../../engine/database.js';
import type { Delivery, DeliverySigner } from '../../engine/deliveries.js';
import type { GatewayDeliveries } from '../../engine/gateway-module.js';
import { errors, nestedFields } from './api-errors.js';
import { applyListQuery, listPage, pageBody, type Accessors } from './list-query.js';
import { hookView, isoMicros, type HookRecord, type LastResponse } from './model.js';

/** Minutes before each attempt of a hook delivery: at once, then backing off over about a day and a half. */
export const HOOK_RETRY_DELAYS_MINUTES: readonly number[] = [0, 1, 5, 30, 120, 360, 720, 1440];

const SIGNER_PREFIX = 'hook:';

export interface HookServiceDeps {
  readonly store: ObjectStore;
  readonly clock: SandboxClock;
  readonly deliveries: GatewayDeliveries;
  /** Keep a hook's secret out of the sandbox's logs. */
  readonly protectSecret: (secret: string) => void;
}

/**
 * Hooks (seed 003's Webhooks API) and their deliveries: each status change of an order and each settlement line is
 * POSTed to every active hook subscribed to `order` or `transaction`, through the engine's delivery log (retries,
 * faults, the log the control API shows), signed per attempt with the hook's secret.
 */
export class HookService {
  readonly #store: ObjectStore;
  readonly #clock: SandboxClock;
  readonly #deliveries: GatewayDeliveries;
  readonly #protect: (secret: string) => void;

  constructor(deps: HookServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#deliveries = deps.deliveries;
    this.#protect = deps.protectSecret;
    for (const hook of this.#store.list<HookRecord>('hook')) this.#protect(hook.secret);
  }

  create(body: unknown): Record<string, unknown> {
    const parsed = createHookRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw errors.invalid(nestedFields(parsed.error.issues));
    const now = this.#clock.nowMs();
    const hook: HookRecord = {
      id: randomBytes(16).toString('hex'),
      active: parsed.data.active ?? true,
      events: [...new Set(parsed.data.events)],
      url: parsed.data.url,
      secret: parsed.data.secret,
      created_ms: now,
      modified_ms: now,
    };
    this.#protect(hook.secret);
    this.#store.put('hook', hook);
    return this.#view(hook);
  }

  get(id: string): Record<string, unknown> {
    return this.#view(this.#find(id));
  }

  list(query: URLSearchParams, url: URL): Record<string, unknown> {
    const all = this.#store.list<HookRecord>('hook');
    const accessors: Accessors<HookRecord> = {
      id: (h) => h.id,
      events: (h) => h.events,
      url: (h) => h.url,
      active: (h) => h.active,
      last_response_code: (h) => this.lastResponse(h).code,
      created: (h) => new Date(h.created_ms),
    };
    const page = listPage(() => applyListQuery(all, query, HOOK_LIST, accessors, '-created'));
    return pageBody(page, url, (hook) => this.#view(hook));
  }

  update(id: string, body: unknown): Record<string, unknown> {
    const hook = this.#find(id);
    const parsed = patchHookRequestSchema.safeParse(body ?? {});
    if (!parsed.success) throw errors.invalid(nestedFields(parsed.error.issues));
    const { events, url, secret, active } = parsed.data;
    if (events !== undefined) hook.events = [...new Set(events)];
    if (url !== undefined) hook.url = url;
    if (secret !== undefined) {
      this.#protect(secret);
      hook.secret = secret;
    }
    if (active !== undefined) hook.active = active;
    hook.modified_ms = this.#clock.nowMs();
    this.#store.put('hook', hook);
    return this.#view(hook);
  }

  delete(id: string): void {
    this.#find(id);
    this.#store.delete('hook', id);
  }

  /** Queue `data` for every active hook subscribed to `event`; each attempt is signed when it is sent. */
  emit(event: HookEvent, name: string, sourceId: string, data: unknown): void {
    const hooks = this.#store.list<HookRecord>('hook').filter((h) => h.active && h.events.includes(event));
    if (hooks.length === 0) return;
    const eventId = `evt_${randomBytes(16).toString('hex')}`;
    const body = JSON.stringify({ id: eventId, event, created: isoMicros(this.#clock.nowMs()), data });
    for (const hook of hooks) {
      this.#deliveries.enqueue({
        kind: 'hook',
        url: hook.url,
        event: name,
        eventId,
        source: { type: event, id: sourceId },
        body,
        signer: `${SIGNER_PREFIX}${hook.id}`,
        webhookId: hook.id,
      });
    }
  }

  /**
   * `X-Postpay-Signature: <ts>:<hex>` over `"<ts>:<body>"` with the hook's current secret. The timestamp is real
   * time, not the sandbox clock: a receiver checks it against its own clock (±300 s), and a sandbox whose clock was
   * moved forward to expire approvals must still send deliveries that verify. A deleted hook stops its deliveries.
   */
  readonly sign: DeliverySigner = (delivery: Readonly<Delivery>) => {
    if (!delivery.signer.startsWith(SIGNER_PREFIX)) return null;
    const hook = this.#store.get<HookRecord>('hook', delivery.signer.slice(SIGNER_PREFIX.length));
    if (!hook) return null;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const mac = createHmac('sha256', hook.secret).update(`${timestamp}:${delivery.body}`).digest('hex');
    return { [SIGNATURE_HEADER.toLowerCase()]: `${timestamp}:${mac}` };
  };

  /** The answer to the hook's latest delivery attempt. */
  lastResponse(hook: HookRecord): LastResponse {
    const attempts = this.#deliveries
      .list((delivery) => delivery.webhook_id === hook.id)
      .flatMap((delivery) => delivery.attempts.filter((attempt) => !attempt.duplicate))
      .sort((a, b) => a.sent_at - b.sent_at);
    const last = attempts.at(-1);
    if (!last) return { code: null, status: 'unused' };
    const ok = last.response_code !== null && last.response_code >= 200 && last.response_code < 300;
    return { code: last.response_code, status: ok ? 'success' : 'failed' };
  }

  #find(id: string): HookRecord {
    const hook = this.#store.get<HookRecord>('hook', id);
    if (!hook) throw errors.notFound();
    return hook;
  }

  #view(hook: HookRecord): Record<string, unknown> {
    return hookView(hook, this.lastResponse(hook));
  }
}
