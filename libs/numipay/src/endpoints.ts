import { ConfigurationError, defineEndpoint } from '@tijara/core';
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
  // Numipay has no idempotency keys: no call that writes is re-sent once Numipay may have received it. A lost
  // cashier answer surfaces as an unknown outcome; creating again with the same key reuses the tracking id.
  return {
    payments: {
      cashier: defineEndpoint({
        method: 'POST',
        path: path('depositCashier'),
        request: depositCashierRequestSchema,
        response: tokenResponseSchema,
      }),
      direct: defineEndpoint({
        method: 'POST',
        path: path('directPayment'),
        request: directPaymentRequestSchema,
        response: directPaymentResponseSchema,
      }),
      serverToServer: defineEndpoint({
        method: 'POST',
        path: path('serverToServer'),
        request: serverToServerRequestSchema,
        response: serverToServerResponseSchema,
      }),
    },
    payouts: {
      cashier: defineEndpoint({
        method: 'POST',
        path: path('payoutCashier'),
        request: payoutCashierRequestSchema,
        response: tokenResponseSchema,
      }),
      approve: defineEndpoint({
        method: 'POST',
        path: path('approvePayout'),
        request: payoutDecisionRequestSchema,
        response: approvePayoutResponseSchema,
      }),
      reject: defineEndpoint({
        method: 'POST',
        path: path('rejectPayout'),
        request: payoutDecisionRequestSchema,
        response: rejectPayoutResponseSchema,
      }),
    },
    transactions: {
      status: defineEndpoint({ method: 'GET', path: status, response: transactionStatusSchema }),
      list: defineEndpoint({
        method: 'GET',
        path: path('transactions'),
        request: transactionsQuerySchema,
        response: transactionListSchema,
      }),
    },
  } as const;
}

export type NumipayEndpoints = ReturnType<typeof numipayEndpoints>;
