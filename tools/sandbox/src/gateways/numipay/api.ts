import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '@tijara/core';
import {
  DEFAULT_PATHS,
  depositCashierRequestSchema,
  directPaymentRequestSchema,
  payoutCashierRequestSchema,
  payoutDecisionRequestSchema,
  serverToServerRequestSchema,
  transactionsQuerySchema,
} from '@tijara/numipay';
import type { z } from 'zod';
import { NumipayError, type TransactionService } from './transactions.js';

/** The API's JSON body parser; the fault layer runs it early too. */
export const parseApiBody = express.json({ limit: '64kb' });

/** Validation as Numipay might answer it: the first message, and every message by field. */
function invalid(error: z.ZodError): NumipayError {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) (errors[issue.path.join('.') || 'request'] ??= []).push(issue.message);
  return new NumipayError(400, error.issues[0]?.message ?? 'Invalid request', errors);
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw invalid(result.error);
  return result.data;
}

function sameKey(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The API at the driver's default paths (the seed names none): `x-api-key` authentication, the `request`
 * envelope validated with the driver's own schemas, `{"message": …}` errors. The sandbox's key is a DEV key, so
 * requests must say `mode: "test"`.
 */
export function apiRouter(deps: {
  apiKey: string;
  transactions: TransactionService;
  logger: Logger;
  gatewayUrl: (req: Request) => string;
}): Router {
  const { apiKey, transactions, logger, gatewayUrl } = deps;
  const router = express.Router();
  // The defaults all live under `api/v1/`, where this router is mounted.
  const path = (name: keyof typeof DEFAULT_PATHS) =>
    `/${DEFAULT_PATHS[name].replace(/^api\/v1\//, '').replace('{id}', ':id')}`;
  const guarded = express.Router();
  guarded.use((req, res, next) => {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || !sameKey(key, apiKey)) {
      res.status(401).json({ message: 'Invalid API key' });
      return;
    }
    next();
  });
  guarded.use(parseApiBody);
  const handle =
    (run: (req: Request) => unknown) =>
    (req: Request, res: Response): void => {
      try {
        res.status(200).json(run(req));
      } catch (error) {
        if (error instanceof NumipayError) {
          res
            .status(error.status)
            .json({ message: error.message, ...(error.errors ? { errors: error.errors } : {}) });
          return;
        }
        logger.error({ err: error, path: req.path }, 'numipay sandbox: unexpected error');
        res.status(500).json({ message: 'Internal error' });
      }
    };
  const testMode = <T extends { request: { mode: string } }>(body: T): T => {
    if (body.request.mode !== 'test') throw new NumipayError(400, 'A DEV API key takes mode "test" only');
    return body;
  };

  guarded.post(
    path('depositCashier'),
    handle((req) => {
      const { request } = testMode(parse(depositCashierRequestSchema, req.body));
      return { token: transactions.openSession('deposit', 'cashier', request).id };
    }),
  );
  guarded.post(
    path('directPayment'),
    handle((req) => {
      const { request } = testMode(parse(directPaymentRequestSchema, req.body));
      const session = transactions.openSession('deposit', 'direct', request, request.provider_id);
      return { url: `${gatewayUrl(req)}/provider/${session.id}`, transaction_status: 'pending' };
    }),
  );
  guarded.post(
    path('serverToServer'),
    handle((req) => {
      const { request } = testMode(parse(serverToServerRequestSchema, req.body));
      const { transaction, url } = transactions.chargeCard(request, request.card_details, gatewayUrl(req));
      return {
        url,
        transaction_status: transaction.status,
        ...(transaction.status === 'rejected' ? { error: transaction.rejected_reason } : {}),
      };
    }),
  );
  guarded.post(
    path('payoutCashier'),
    handle((req) => {
      const { request } = testMode(parse(payoutCashierRequestSchema, req.body));
      return { token: transactions.openSession('withdrawal', 'cashier', request).id };
    }),
  );
  guarded.post(
    path('approvePayout'),
    handle((req) => {
      const { transaction_id: id } = parse(payoutDecisionRequestSchema, req.body);
      const payout = transactions.approve(id);
      return {
        message: 'Transaction Withdrawal has been approved successfully',
        transaction_status: payout.status,
      };
    }),
  );
  guarded.post(
    path('rejectPayout'),
    handle((req) => {
      transactions.reject(parse(payoutDecisionRequestSchema, req.body).transaction_id);
      return {};
    }),
  );
  guarded.get(
    path('transactionStatus'),
    handle((req) => {
      const transaction = transactions.transaction(String(req.params['id']));
      return { transaction_status: transaction.status, rejected_reason: transaction.rejected_reason };
    }),
  );
  guarded.get(
    path('transactions'),
    handle((req) => {
      const query = parse(transactionsQuerySchema, {
        ...(typeof req.query['from'] === 'string' ? { from: req.query['from'] } : {}),
        ...(typeof req.query['to'] === 'string' ? { to: req.query['to'] } : {}),
      });
      return transactions.list(query.from, query.to);
    }),
  );
  guarded.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if ((error as { type?: string }).type === 'entity.parse.failed') {
      res.status(400).json({ message: 'The request body is not valid JSON' });
      return;
    }
    next(error);
  });
  router.use('/api/v1', guarded);
  return router;
}
