import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '@tijara/core';
import { z } from 'zod';
import { UhmiError } from './errors.js';
import type { PaymentService } from './payments.js';

/** `POST /__sandbox/uhmi/payments/{id}/pay`: what the buyer does in the widget. */
export const controlPaySchema = z.object({
  outcome: z.enum(['paid', 'open', 'failed']).default('paid'),
  /** Cents a pay-what-you-want buyer gives (default: the payment's price). */
  price: z.int().positive().optional(),
});

/** `POST /__sandbox/uhmi/transactions/{id}/status`: a later change (an open one paid, a buyer's refund). */
export const controlStatusSchema = z.object({ status: z.enum(['open', 'paid', 'failed', 'refunded']) });

/**
 * Uhmi's control actions: pay, decline or leave open a payment as a buyer would in the widget (its own code path),
 * move a transaction on, and list what the sandbox holds. Errors use Uhmi's own shape.
 */
export function uhmiControl(deps: { payments: PaymentService; logger: Logger }): Router {
  const { payments, logger } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));
  const route = (run: (req: Request) => unknown) => (req: Request, res: Response) => {
    try {
      res.status(200).json(run(req));
    } catch (error) {
      if (error instanceof UhmiError) {
        res.status(error.status).json({ error: { code: error.status, message: error.message } });
        return;
      }
      if (error instanceof z.ZodError) {
        res.status(400).json({
          error: {
            code: 400,
            message: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
          },
        });
        return;
      }
      logger.error({ err: error }, 'uhmi sandbox control: unexpected error');
      res.status(500).json({ error: { code: 500, message: 'Unexpected error.' } });
    }
  };
  const id = (req: Request) => String(req.params['id']);
  router.post(
    '/payments/:id/pay',
    route((req) => payments.pay(id(req), controlPaySchema.parse(req.body ?? {}))),
  );
  router.post(
    '/payments/:id/decline',
    route((req) => payments.pay(id(req), { outcome: 'failed' })),
  );
  router.post(
    '/transactions/:id/status',
    route((req) => payments.setTransactionStatus(id(req), controlStatusSchema.parse(req.body ?? {}).status)),
  );
  router.get(
    '/payments',
    route(() => ({ results: payments.list() })),
  );
  router.get(
    '/transactions',
    route(() => ({ results: payments.transactions() })),
  );
  return router;
}
