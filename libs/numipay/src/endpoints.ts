import { ConfigurationError, type HttpMethod } from '@tijara/core';
import type { z } from 'zod';
import {
  approvePayoutResponseSchema,
  depositCashierRequestSchema,
  directPaymentRequestSchema,
  directPaymentResponseSchema,
  payoutCashierRequestSchema,
  payoutDecisionRequestSchema,
  rejectPayoutResponseSchema,
  serverToServerRequestSchema,
  serverToServerResponseSchema,
  tokenResponseSchema,
  transactionListSchema,
  transactionStatusSchema,
  transactionsQuerySchema,
} from './schemas.js';

/** One endpoint, as data; the client turns each into a method. */
export interface Endpoint<
  Request extends z.ZodType | undefined = z.ZodType | undefined,
  Response extends z.ZodType = z.ZodType,
> {
  readonly method: HttpMethod;
  /** Relative to the base URL; `{id}` is filled from the method's first argument. */
  readonly path: string;
  readonly request: Request;
  readonly response: Response;
}

/**
 * Where each operation lives. The seed names no path at all, so every one is an option; these defaults are
 * unconfirmed guesses in the seed's vocabulary (the sandbox serves them). Set the real ones from your Numipay
 * account manager's documentation.
 */
export interface NumipayPaths {
  readonly depositCashier: string;
  readonly directPayment: string;
  readonly serverToServer: string;
  readonly payoutCashier: string;
  readonly approvePayout: string;
  readonly rejectPayout: string;
  /** Must contain `{id}`. */
  readonly transactionStatus: string;
  readonly transactions: string;
}

export const DEFAULT_PATHS: NumipayPaths = Object.freeze({
  depositCashier: 'api/v1/cashier/deposit',
  directPayment: 'api/v1/payments/direct',
  serverToServer: 'api/v1/payments/s2s',
  payoutCashier: 'api/v1/cashier/withdrawal',
  approvePayout: 'api/v1/payouts/approve',
  rejectPayout: 'api/v1/payouts/reject',
  transactionStatus: 'api/v1/transactions/{id}',
  transactions: 'api/v1/transactions',
});

const SAFE_PATH = /^[A-Za-z0-9._~\-/{}]+$/;

function checkPath(name: string, path: string): string {
  const trimmed = path.trim().replace(/^\/+/, '');
  const segments = trimmed.split('/');
  if (trimmed === '' || !SAFE_PATH.test(trimmed) || segments.some((s) => s === '.' || s === '..')) {
    throw new ConfigurationError(
      `Numipay paths.${name} must be a relative path such as "${DEFAULT_PATHS[name as keyof NumipayPaths]}"`,
      {
        gateway: 'numipay',
        code: 'invalid_path',
      },
    );
  }
  return trimmed;
}

/** The endpoint table for a set of paths (defaults for any left out). */
export function numipayEndpoints(paths: Partial<NumipayPaths> = {}) {
  const p = { ...DEFAULT_PATHS, ...paths };
  const path = (name: keyof NumipayPaths) => checkPath(name, p[name]);
  const status = path('transactionStatus');
  if (!status.includes('{id}')) {
    throw new ConfigurationError('Numipay paths.transactionStatus must contain {id}', {
      gateway: 'numipay',
      code: 'invalid_path',
    });
  }
  const endpoint = <Request extends z.ZodType | undefined, Response extends z.ZodType>(
    method: HttpMethod,
    at: string,
    request: Request,
    response: Response,
  ): Endpoint<Request, Response> => ({ method, path: at, request, response });
  return {
    payments: {
      cashier: endpoint('POST', path('depositCashier'), depositCashierRequestSchema, tokenResponseSchema),
      direct: endpoint(
        'POST',
        path('directPayment'),
        directPaymentRequestSchema,
        directPaymentResponseSchema,
      ),
      serverToServer: endpoint(
        'POST',
        path('serverToServer'),
        serverToServerRequestSchema,
        serverToServerResponseSchema,
      ),
    },
    payouts: {
      cashier: endpoint('POST', path('payoutCashier'), payoutCashierRequestSchema, tokenResponseSchema),
      approve: endpoint(
        'POST',
        path('approvePayout'),
        payoutDecisionRequestSchema,
        approvePayoutResponseSchema,
      ),
      reject: endpoint('POST', path('rejectPayout'), payoutDecisionRequestSchema, rejectPayoutResponseSchema),
    },
    transactions: {
      status: endpoint('GET', status, undefined, transactionStatusSchema),
      list: endpoint('GET', path('transactions'), transactionsQuerySchema, transactionListSchema),
    },
  } as const;
}

export type NumipayEndpoints = ReturnType<typeof numipayEndpoints>;
