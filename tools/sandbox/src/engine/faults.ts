import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { newId } from './ids.js';

/**
 * Fault injection. A rule matches API requests (`scope: "api"`, by method and path glob) or outgoing
 * deliveries (`scope: "webhooks"`, by event glob and delivery kind) and applies one effect; `gateway` narrows it
 * to one gateway's routes and deliveries. `count: N` limits it to the next N matches and `rate` with `seed`
 * makes a probabilistic rule reproducible, so tests never depend on luck.
 */
export const faultRuleSchema = z
  .object({
    scope: z.enum(['api', 'webhooks']).default('api'),
    /** Only this gateway's requests (paths under its mount) and deliveries; default: every gateway. */
    gateway: z.string().min(1).optional(),
    type: z.enum(['error', 'rate_limit', 'latency', 'drop', 'duplicate', 'out_of_order']),
    method: z.string().optional(),
    /**
     * Glob over the request path as seen at the sandbox's root: `*` is one path segment, `**` any number
     * (e.g. `/api/v1/purchases/*\/capture/`, `/postpay/orders/**`).
     */
    path: z.string().optional(),
    /** Glob over the event type, e.g. `purchase.*` (webhooks scope). */
    event: z.string().optional(),
    /** Which kind of delivery (the gateway's name for it: `webhook`, `success_callback`, …); default: all. */
    target: z.string().min(1).optional(),
    /** `error`: status to answer (default 500) and an optional body. */
    status: z.int().min(100).max(599).optional(),
    body: z.unknown().optional(),
    /** `rate_limit`: seconds for the `Retry-After` header (default 1). */
    retry_after: z.int().min(0).optional(),
    /** `latency`: extra real-time delay. */
    latency_ms: z.int().min(0).max(120_000).optional(),
    /**
     * `error`/`drop` on the API: `before` rejects the request untouched; `after` runs it, then loses the
     * answer — the "did my request go through?" case that idempotency keys exist for.
     */
    when: z.enum(['before', 'after']).default('before'),
    count: z.int().min(1).optional(),
    rate: z.number().min(0).max(1).optional(),
    seed: z.int().optional(),
  })
  .superRefine((rule, ctx) => {
    const apiOnly = ['error', 'rate_limit'];
    const webhookOnly = ['duplicate', 'out_of_order'];
    if (rule.scope === 'webhooks' && apiOnly.includes(rule.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `"${rule.type}" applies to the api scope only.`,
      });
    }
    if (rule.scope === 'api' && webhookOnly.includes(rule.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `"${rule.type}" applies to the webhooks scope only.`,
      });
    }
    if (rule.type === 'latency' && rule.latency_ms === undefined) {
      ctx.addIssue({ code: 'custom', path: ['latency_ms'], message: 'This field is required.' });
    }
  });

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRuleSpec = z.output<typeof faultRuleSchema>;

export interface FaultRule extends FaultRuleSpec {
  id: string;
  /** Times the rule fired. */
  hits: number;
  /** Matches left before the rule expires (when `count` was given). */
  remaining: number | null;
}

/** mulberry32: tiny, seedable, good enough to make `rate` reproducible. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function globToRegex(glob: string, separator: '/' | '.'): RegExp {
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const one = separator === '/' ? '[^/]*' : '[^.]*';
  const pattern = glob
    .split('**')
    .map((part) => part.split('*').map(escape).join(one))
    .join('.*');
  return new RegExp(`^${pattern}$`);
}

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

/** What a webhooks-scope rule looks at in a delivery. */
export interface FaultableDelivery {
  readonly gateway: string;
  readonly kind: string;
  readonly event: string;
}

export interface DeliveryFault {
  latencyMs: number;
  drop: boolean;
  duplicate: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class FaultRegistry {
  private rules: FaultRule[] = [];
  private readonly random = new Map<string, () => number>();

  add(spec: FaultRuleSpec): FaultRule {
    const rule: FaultRule = { ...spec, id: newId(), hits: 0, remaining: spec.count ?? null };
    this.rules.push(rule);
    this.random.set(rule.id, prng(spec.seed ?? Math.floor(Math.random() * 2 ** 32)));
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    this.random.delete(id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
    this.random.clear();
  }

  /** Decide whether a matching rule fires now, and consume one of its `count`. */
  private fire(rule: FaultRule): boolean {
    if (rule.rate !== undefined && this.random.get(rule.id)!() >= rule.rate) return false;
    rule.hits++;
    if (rule.remaining !== null) {
      rule.remaining--;
      if (rule.remaining <= 0) this.remove(rule.id);
    }
    return true;
  }

  private matchesRequest(rule: FaultRule, gateway: string, method: string, path: string): boolean {
    if (rule.scope !== 'api') return false;
    if (rule.gateway !== undefined && rule.gateway !== gateway) return false;
    if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
    if (rule.path && !globToRegex(withSlash(rule.path), '/').test(withSlash(path))) return false;
    return true;
  }

  private matchesDelivery(rule: FaultRule, delivery: FaultableDelivery): boolean {
    if (rule.scope !== 'webhooks') return false;
    if (rule.gateway !== undefined && rule.gateway !== delivery.gateway) return false;
    if (rule.target && rule.target !== delivery.kind) return false;
    if (rule.event && !globToRegex(rule.event, '.').test(delivery.event)) return false;
    return true;
  }

  /**
   * Express middleware in front of one gateway's API and pages (the control API is never faulted). `mount` is
   * where the gateway lives, so rules match paths as seen at the sandbox's root; `parseBody` is the gateway's
   * own body parsing, run early when latency is injected.
   */
  middleware(
    gateway: string,
    mount: string,
    parseBody?: RequestHandler,
    faultBody?: (status: number) => unknown,
  ) {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      let latency = 0;
      let effect: FaultRule | undefined;
      const path = `${mount}${req.path}`;
      for (const rule of [...this.rules]) {
        if (!this.matchesRequest(rule, gateway, req.method, path)) continue;
        if (rule.type === 'latency') {
          if (this.fire(rule)) latency += rule.latency_ms ?? 0;
        } else if (!effect && this.fire(rule)) {
          effect = rule;
        }
      }
      if (latency > 0) {
        // Receive the whole request before stalling, as a slow gateway does: if the client times out
        // meanwhile, the request is still carried out with its real body (the outcome-unknown case), never
        // with an empty one.
        const bodyError = parseBody ? await readBody(parseBody, req, res) : undefined;
        await sleep(latency);
        if (bodyError) return next(bodyError);
      }
      if (!effect) return next();
      if (effect.when === 'after' && (effect.type === 'error' || effect.type === 'drop')) {
        interceptAnswer(res, () => applyEffect(effect, req, res, faultBody));
        return next();
      }
      applyEffect(effect, req, res, faultBody);
    };
  }

  /** Faults for one delivery attempt (latency, drop, duplicate may combine). */
  forDelivery(delivery: FaultableDelivery): DeliveryFault {
    const fault: DeliveryFault = { latencyMs: 0, drop: false, duplicate: false };
    for (const rule of [...this.rules]) {
      if (rule.type === 'out_of_order' || !this.matchesDelivery(rule, delivery)) continue;
      if (rule.type === 'latency' && this.fire(rule)) fault.latencyMs += rule.latency_ms ?? 0;
      if (rule.type === 'drop' && !fault.drop && this.fire(rule)) fault.drop = true;
      if (rule.type === 'duplicate' && !fault.duplicate && this.fire(rule)) fault.duplicate = true;
    }
    return fault;
  }

  /** True when an `out_of_order` rule holds this new delivery back. */
  holdDelivery(delivery: FaultableDelivery): boolean {
    for (const rule of [...this.rules]) {
      if (rule.type === 'out_of_order' && this.matchesDelivery(rule, delivery) && this.fire(rule))
        return true;
    }
    return false;
  }
}

function applyEffect(
  rule: FaultRule,
  req: Request,
  res: Response,
  faultBody?: (status: number) => unknown,
): void {
  if (rule.type === 'drop') {
    req.socket.destroy();
    return;
  }
  if (rule.type === 'rate_limit') {
    const retryAfter = rule.retry_after ?? 1;
    res
      .status(429)
      .set('Retry-After', String(retryAfter))
      .json(
        faultBody?.(429) ?? {
          error: 'rate_limit_exceeded',
          message: 'Too many requests in a short window. Slow down and retry.',
        },
      );
    return;
  }
  const status = rule.status ?? 500;
  const body = rule.body ??
    faultBody?.(status) ?? {
      error: status >= 500 ? 'server_error' : 'injected_fault',
      message: 'Unexpected internal error (injected by a sandbox fault rule).',
    };
  res.status(status).json(body);
}

/** Let the handler run, then replace whatever it answers (the request took effect; the answer is lost). */
function interceptAnswer(res: Response, replace: () => void): void {
  const original = res.send.bind(res);
  let replaced = false;
  res.send = ((body?: unknown) => {
    if (replaced) return original(body);
    replaced = true;
    res.send = original;
    res.removeHeader('Idempotent-Replayed');
    replace();
    return res;
  }) as Response['send'];
}

/**
 * Run the gateway's body parser now (the routers' own parsers then skip the parsed body). Resolves with the
 * parser's error (e.g. malformed JSON) for the caller to pass on.
 */
function readBody(parse: RequestHandler, req: Request, res: Response): Promise<unknown> {
  return new Promise((resolve) => {
    void parse(req, res, (error?: unknown) => resolve(error));
  });
}
