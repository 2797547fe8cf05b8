import { defineEndpoint } from '@tijara/core';
import {
  createPaymentRequestSchema,
  deletePaymentResponseSchema,
  paymentSchema,
  transactionSchema,
  updatePaymentRequestSchema,
} from './schemas.js';

/**
 * Every endpoint of the Uhmi reference (seed 001), relative to `https://uhmi.io/api/v1/`. Uhmi has no idempotency
 * keys: `create` is never re-sent once Uhmi may have received it (a lost answer leaves an unpaid payment nobody is
 * sent to, which is harmless); `update` sets fields to given values, so repeating it is safe.
 */
export const ENDPOINTS = {
  payments: {
    create: defineEndpoint({
      method: 'POST',
      path: 'payments',
      request: createPaymentRequestSchema,
      response: paymentSchema,
    }),
    retrieve: defineEndpoint({ method: 'GET', path: 'payments/{id}', response: paymentSchema }),
    update: defineEndpoint({
      method: 'PATCH',
      path: 'payments/{id}',
      request: updatePaymentRequestSchema,
      response: paymentSchema,
      idempotent: true,
    }),
    delete: defineEndpoint({
      method: 'DELETE',
      path: 'payments/{id}',
      response: deletePaymentResponseSchema,
    }),
  },
  transactions: {
    retrieve: defineEndpoint({ method: 'GET', path: 'transactions/{id}', response: transactionSchema }),
  },
} as const;

export type Endpoints = typeof ENDPOINTS;
