import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '@tijara/core';
import { z } from 'zod';
import type { NumipayConfig } from './config.js';
import { NumipayError, type TransactionService } from './transactions.js';

export const controlPaySchema = z.object({ outcome: z.enum(['success', 'decline']).default('success') });
export const controlThreeDsSchema = z.object({ outcome: z.enum(['pass', 'fail']).default('pass') });
export const webhookUrlSchema = z.object({ url: z.url().nullable() });

/**
 * Numipay's control actions, each the pages' own code path: pay or decline at the cashier (by token or tracking
 * id), pass or fail the 3-D Secure step, submit a payout as the payee, approve or reject it as the back office
 * would; and where webhooks go.
 */
export function numipayControl(deps: {
  transactions: TransactionService;
  config: NumipayConfig;
  saveWebhookUrl: (url: string | null) => void;
  logger: Logger;
}): Router {
  const { transactions, config, logger } = deps;
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));
  const route = (run: (req: Request) => unknown) => (req: Request, res: Response) => {
    try {
      res.status(200).json(run(req));
    } catch (error) {
      if (error instanceof NumipayError) {
        res.status(error.status).json({ message: error.message });
        return;
      }
      if (error instanceof z.ZodError) {
        res
          .status(400)
          .json({ message: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
        return;
      }
      logger.error({ err: error }, 'numipay sandbox control: unexpected error');
      res.status(500).json({ message: 'Unexpected error' });
    }
  };
  const id = (req: Request) => String(req.params['id']);
  const view = (t: ReturnType<TransactionService['transaction']>) => ({
    transaction_id: t.id,
    tracking_id: t.request.tracking_id,
    transaction_type: t.type,
    status: t.status,
    rejected_reason: t.rejected_reason,
    approved: t.approved ?? false,
  });

  router.post(
    '/sessions/:id/pay',
    route((req) =>
      view(
        transactions.deposit(
          transactions.sessionFor(id(req)).id,
          controlPaySchema.parse(req.body ?? {}).outcome,
        ),
      ),
    ),
  );
  router.post(
    '/sessions/:id/decline',
    route((req) => view(transactions.deposit(transactions.sessionFor(id(req)).id, 'decline'))),
  );
  router.post(
    '/payouts/:id/submit',
    route((req) => view(transactions.requestPayout(transactions.sessionFor(id(req)).id))),
  );
  router.post(
    '/payouts/:id/approve',
    route((req) => view(transactions.approve(id(req)))),
  );
  router.post(
    '/payouts/:id/reject',
    route((req) => view(transactions.reject(id(req)))),
  );
  router.post(
    '/transactions/:id/3ds',
    route((req) =>
      view(
        transactions.completeThreeDs(
          transactions.transaction(id(req)).id,
          controlThreeDsSchema.parse(req.body ?? {}).outcome === 'pass',
        ),
      ),
    ),
  );
  router.get(
    '/transactions/:id',
    route((req) => view(transactions.transaction(id(req)))),
  );
  router.put(
    '/webhook-url',
    route((req) => {
      const { url } = webhookUrlSchema.parse(req.body ?? {});
      config.webhookUrl = url ?? undefined;
      deps.saveWebhookUrl(url);
      return { url };
    }),
  );
  return router;
}
