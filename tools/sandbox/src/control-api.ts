import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ApiError, notFound, zodBadRequest } from './api-errors.js';
import type { CardInput } from './cards.js';
import type { SandboxContext } from './context.js';
import { errorReply, sendReply } from './endpoints.js';
import { faultRuleSchema } from './faults.js';
import { deliveryView, type StoredEvent } from './webhook-delivery.js';

/** `POST /__sandbox/purchases/{id}/pay`: what the buyer would type on the checkout page. */
export const controlPaySchema = z.object({
  card_number: z.string().min(1),
  remember_card: z.boolean().default(false),
  /** MM/YY; defaults to December five years ahead. */
  expiry: z.string().optional(),
  expires: z.string().optional(),
  /** Defaults to 123 (which CHIP's 4444 3333 2222 1111 requires). */
  cvc: z.string().optional(),
  cardholder_name: z.string().optional(),
  /** Outcome of the 3-D Secure step for the challenge card (default: pass). */
  challenge: z.enum(['pass', 'fail']).default('pass'),
});

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

type Handler = (req: Request, res: Response) => unknown;

/**
 * The control API under `/__sandbox/`: lets tests and scripts pay, move time, inject faults and reset,
 * without a browser. It needs no key (the sandbox listens on loopback) and is never faulted.
 */
export function controlRouter(sandbox: SandboxContext): Router {
  const router = express.Router();
  router.use(express.json({ limit: '1mb' }));

  const route = (handler: Handler) => async (req: Request, res: Response) => {
    try {
      const result = await handler(req, res);
      if (!res.headersSent) res.status(200).json(result);
    } catch (error) {
      sendReply(res, errorReply(sandbox, error));
    }
  };
  const parse = <T extends z.ZodType>(schema: T, value: unknown): z.output<T> => {
    const parsed = schema.safeParse(value ?? {}, { reportInput: true });
    if (!parsed.success) throw zodBadRequest(parsed.error);
    return parsed.data;
  };

  router.get(
    '/info',
    route((req) => ({
      brand_id: sandbox.config.brandId,
      api_base: sandbox.apiBase(req),
      url: sandbox.baseUrl(req),
      currency: sandbox.config.currency,
      now: sandbox.clock.now(),
      clock_offset_seconds: Math.round(sandbox.clock.offset / 1000),
      webhook_time_scale: sandbox.config.webhookTimeScale,
      is_test: true,
    })),
  );

  router.get(
    '/purchases',
    route(() => ({
      results: sandbox.purchases
        .list()
        .reverse()
        .map((r) => r.object),
    })),
  );

  router.post(
    '/purchases/:id/pay',
    route((req) => {
      const body = parse(controlPaySchema, req.body);
      const year = new Date(sandbox.clock.nowMs()).getUTCFullYear() + 5;
      const input: CardInput = {
        card_number: body.card_number,
        expires: body.expiry ?? body.expires ?? `12/${String(year % 100).padStart(2, '0')}`,
        cvc: body.cvc ?? '123',
        cardholder_name: body.cardholder_name ?? 'Test Cardholder',
      };
      const id = String(req.params['id']);
      let outcome = sandbox.purchases.attemptPayment(id, input, body.remember_card, 'payform');
      if (outcome.kind === 'challenge') {
        outcome = sandbox.purchases.completeChallenge(id, outcome.challenge.id, body.challenge === 'pass');
      }
      return outcome.record.object;
    }),
  );

  router.get(
    '/clock',
    route(() => ({ now: sandbox.clock.now(), offset_seconds: Math.round(sandbox.clock.offset / 1000) })),
  );

  router.post(
    '/clock/advance',
    route(async (req) => {
      const { seconds } = parse(clockAdvanceSchema, req.body);
      await sandbox.scheduler.advance(seconds);
      return { now: sandbox.clock.now(), offset_seconds: Math.round(sandbox.clock.offset / 1000) };
    }),
  );

  router.get(
    '/faults',
    route(() => ({ rules: sandbox.faults.list() })),
  );

  router.post(
    '/faults',
    route((req, res) => {
      const body = parse(faultsRequestSchema, req.body);
      if ('clear' in body && body.clear === true) sandbox.faults.clear();
      const specs = 'rules' in body ? (body.rules ?? []) : 'type' in body ? [body] : [];
      const added = specs.map((spec) => sandbox.faults.add(spec));
      res.status(201).json({ added, rules: sandbox.faults.list() });
    }),
  );

  router.delete(
    '/faults',
    route(() => {
      sandbox.faults.clear();
      return { rules: [] };
    }),
  );

  router.delete(
    '/faults/:id',
    route((req, res) => {
      if (!sandbox.faults.remove(String(req.params['id']))) throw notFound();
      res.status(204).send();
    }),
  );

  router.post(
    '/reset',
    route(() => {
      sandbox.reset();
      return { status: 'reset' };
    }),
  );

  router.get(
    '/deliveries',
    route((req) => {
      const { event, status, source_id: sourceId } = req.query;
      const results = sandbox.deliveries
        .list(
          (d) =>
            (event === undefined || d.event === event) &&
            (status === undefined || d.status === status) &&
            (sourceId === undefined || d.source_id === sourceId),
        )
        .map(deliveryView);
      return { results };
    }),
  );

  router.post(
    '/webhooks/flush',
    route(async () => {
      sandbox.deliveries.releaseHeld();
      await sandbox.deliveries.runDue(true);
      await sandbox.deliveries.settle();
      const all = sandbox.deliveries.list();
      return {
        pending: all.filter((d) => d.status === 'pending').length,
        delivered: all.filter((d) => d.status === 'delivered').length,
        failed: all.filter((d) => d.status === 'failed').length,
      };
    }),
  );

  router.get(
    '/events',
    route(() => ({
      results: sandbox.store.list<StoredEvent>('event').map(({ source_type: _t, source_id: _s, ...e }) => e),
    })),
  );

  router.use((_req: Request, res: Response) => sendReply(res, errorReply(sandbox, notFound('Not found.'))));
  router.use((error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const reply =
      (error as { type?: string }).type === 'entity.parse.failed'
        ? errorReply(
            sandbox,
            new ApiError(400, { error: 'Bad Request', details: { __all__: ['JSON parse error.'] } }),
          )
        : errorReply(sandbox, error);
    sendReply(res, reply);
  });
  return router;
}
