import type { Logger } from '@tijara/core';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { errors, nestedFields, PostpayApiError } from './api-errors.js';
import type { BuyerAction, OrderService } from './orders.js';

/** `POST /__sandbox/postpay/checkouts/{token}/approve`: the card the buyer pays with (default VISA 4111…). */
const approveSchema = z.object({ card: z.string().min(1).optional() }).strict();

export interface ControlDeps {
  readonly orders: OrderService;
  readonly logger: Logger;
}

/**
 * Postpay's control actions, for tests and scripts: the buyer's decision on a checkout without a browser (the
 * hosted page's own code path; the answer says where the buyer would be sent), and a payout cycle now.
 */
export function postpayControl({ orders, logger }: ControlDeps): Router {
  const router = express.Router();
  router.use(express.json({ limit: '64kb' }));

  const route = (handler: (req: Request) => unknown) => (req: Request, res: Response) => {
    try {
      res.status(200).json(handler(req));
    } catch (error) {
      const known = error instanceof PostpayApiError ? error : errors.server();
      if (known !== error)
        logger.error({ err: String(error), path: req.path }, 'sandbox: postpay control failed');
      res.status(known.status).json(known.body);
    }
  };

  const decide = (action: BuyerAction) =>
    route((req) => {
      let card: string | undefined;
      if (action === 'approve') {
        const parsed = approveSchema.safeParse(req.body ?? {});
        if (!parsed.success) throw errors.invalid(nestedFields(parsed.error.issues));
        card = parsed.data.card;
      }
      const { order, redirectUrl } = orders.decide(String(req.params['token']), action, card);
      return { redirect_url: redirectUrl ?? null, order_id: order.id, status: order.status };
    });

  router.post('/checkouts/:token/approve', decide('approve'));
  router.post('/checkouts/:token/deny', decide('deny'));
  router.post('/checkouts/:token/cancel', decide('cancel'));
  router.post(
    '/settlements/pay',
    route(() => ({ paid: orders.payOut() })),
  );
  return router;
}
