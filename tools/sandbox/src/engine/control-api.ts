import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '@tijara/core';
import { z } from 'zod';
import type { SandboxClock } from './clock.js';
import { deliveryView, type DeliveryEngine } from './deliveries.js';
import { faultRuleSchema, type FaultRegistry } from './faults.js';
import type { GatewayModule } from './gateway-module.js';
import type { Scheduler } from './scheduler.js';

export const clockAdvanceSchema = z.object({
  seconds: z
    .number()
    .min(0)
    .max(100 * 365 * 86_400),
});

/** Add rules (one rule, or `{rules: […]}`), or `{clear: true}` to drop every rule first. */
export const faultsRequestSchema = z.union([
  z.object({ clear: z.literal(true), rules: z.array(faultRuleSchema).optional() }),
  z.object({ rules: z.array(faultRuleSchema) }),
  faultRuleSchema,
]);

/** A control API answer other than 200 with a JSON body. */
export class ControlError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, body: Record<string, unknown>) {
    super(String(body['detail'] ?? body['error']));
    this.status = status;
    this.body = body;
  }
}

/** The gateway-style 400 for a schema failure: `{"error": "Bad Request", "details": {"dotted.path": [...]}}`. */
export function invalidControlRequest(error: z.ZodError): ControlError {
  const details: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length === 0 ? '__all__' : issue.path.map(String).join('.');
    const list = (details[key] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return new ControlError(400, { error: 'Bad Request', details });
}

export function parseControlBody<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value ?? {}, { reportInput: true });
  if (!parsed.success) throw invalidControlRequest(parsed.error);
  return parsed.data;
}

const NOT_FOUND = { error: 'Not Found', detail: 'Not found.' };

type Handler = (req: Request, res: Response) => unknown;

/** Wrap a handler: its value is the 200 JSON answer; a ControlError its own answer. */
export function controlRoute(logger: Logger, handler: Handler) {
  return async (req: Request, res: Response): Promise<void> => {
    try {
      const result = await handler(req, res);
      if (!res.headersSent) res.status(200).json(result);
    } catch (error) {
      sendControlError(res, logger, error);
    }
  };
}

function sendControlError(res: Response, logger: Logger, error: unknown): void {
  if (error instanceof ControlError) {
    res.status(error.status).json(error.body);
    return;
  }
  if ((error as { type?: string }).type === 'entity.parse.failed') {
    res.status(400).json({ error: 'Bad Request', details: { __all__: ['JSON parse error.'] } });
    return;
  }
  logger.error({ err: error instanceof Error ? error.message : String(error) }, 'sandbox: control API error');
  res.status(500).json({ error: 'server_error', message: 'Unexpected internal error.' });
}

export interface ControlApiParts {
  readonly clock: SandboxClock;
  readonly scheduler: Scheduler;
  readonly faults: FaultRegistry;
  readonly deliveries: DeliveryEngine;
  readonly gateways: ReadonlyMap<string, GatewayModule>;
  readonly webhookTimeScale: number;
  readonly logger: Logger;
  readonly baseUrl: (req: Request) => string;
  reset(): void;
}

/**
 * The control API under `/__sandbox/`: lets tests and scripts pay, move time, inject faults and reset without a
 * browser. The engine's routes come first; each gateway's actions live under `/__sandbox/<gateway>/`.
 */
export function controlRouter(parts: ControlApiParts): Router {
  const { clock, scheduler, faults, deliveries, gateways, logger } = parts;
  const router = express.Router();
  router.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  const route = (handler: Handler) => controlRoute(logger, handler);

  router.get(
    '/info',
    route((req) => {
      let legacy: Record<string, unknown> = {};
      const perGateway: Record<string, unknown> = {};
      for (const [name, module] of gateways) {
        legacy = { ...legacy, ...module.legacyInfo?.(req) };
        perGateway[name] = module.info(req);
      }
      return {
        ...legacy,
        url: parts.baseUrl(req),
        now: clock.now(),
        clock_offset_seconds: Math.round(clock.offset / 1000),
        webhook_time_scale: parts.webhookTimeScale,
        is_test: true,
        gateways: perGateway,
      };
    }),
  );

  const clockView = () => ({ now: clock.now(), offset_seconds: Math.round(clock.offset / 1000) });
  router.get('/clock', route(clockView));
  router.post(
    '/clock/advance',
    route(async (req) => {
      const { seconds } = parseControlBody(clockAdvanceSchema, req.body);
      await scheduler.advance(seconds);
      return clockView();
    }),
  );

  const faultRoutes = (scope: Router, gateway: string | undefined) => {
    const mine = () => faults.list().filter((rule) => gateway === undefined || rule.gateway === gateway);
    scope.get(
      '/faults',
      route(() => ({ rules: mine() })),
    );
    scope.post(
      '/faults',
      route((req, res) => {
        const body = parseControlBody(faultsRequestSchema, req.body);
        if ('clear' in body && body.clear === true) {
          for (const rule of mine()) faults.remove(rule.id);
        }
        const specs = 'rules' in body ? (body.rules ?? []) : 'type' in body ? [body] : [];
        const added = specs.map((spec) => faults.add(gateway === undefined ? spec : { ...spec, gateway }));
        res.status(201).json({ added, rules: mine() });
      }),
    );
    scope.delete(
      '/faults',
      route(() => {
        for (const rule of mine()) faults.remove(rule.id);
        return { rules: [] };
      }),
    );
    scope.delete(
      '/faults/:id',
      route((req, res) => {
        const rule = mine().find((r) => r.id === String(req.params['id']));
        if (!rule || !faults.remove(rule.id)) throw new ControlError(404, NOT_FOUND);
        res.status(204).send();
      }),
    );
  };
  faultRoutes(router, undefined);

  router.post(
    '/reset',
    route(() => {
      parts.reset();
      return { status: 'reset' };
    }),
  );

  router.get(
    '/deliveries',
    route((req) => {
      const { event, status, source_id: sourceId, gateway } = req.query;
      const results = deliveries
        .list(
          (d) =>
            (event === undefined || d.event === event) &&
            (status === undefined || d.status === status) &&
            (sourceId === undefined || d.source_id === sourceId) &&
            (gateway === undefined || d.gateway === gateway),
        )
        .map(deliveryView);
      return { results };
    }),
  );

  router.post(
    '/webhooks/flush',
    route(async () => {
      deliveries.releaseHeld();
      await deliveries.runDue(true);
      await deliveries.settle();
      const all = deliveries.list();
      return {
        pending: all.filter((d) => d.status === 'pending').length,
        delivered: all.filter((d) => d.status === 'delivered').length,
        failed: all.filter((d) => d.status === 'failed').length,
      };
    }),
  );

  for (const [name, module] of gateways) {
    const scope = express.Router();
    faultRoutes(scope, name);
    if (module.control) scope.use(module.control);
    router.use(`/${name}`, scope);
  }
  for (const module of gateways.values()) {
    if (module.legacyControl) router.use(module.legacyControl);
  }

  router.use((_req: Request, res: Response) => {
    res.status(404).json(NOT_FOUND);
  });
  router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    sendControlError(res, logger, error);
  });
  return router;
}
