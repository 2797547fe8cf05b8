import { defineEndpoint, listEndpoints, type NamedEndpoint } from '@tijara/core';
import {
  checkoutSchema,
  createCheckoutRequestSchema,
  createHookRequestSchema,
  createRefundRequestSchema,
  emptyResponseSchema,
  HOOK_LIST,
  hookPageSchema,
  hookSchema,
  listQuerySchema,
  ORDER_LIST,
  orderPageSchema,
  orderSchema,
  patchHookRequestSchema,
  REFUND_LIST,
  refundPageSchema,
  refundSchema,
  TRANSACTION_LIST,
  transactionPageSchema,
  transactionSchema,
} from './schemas/index.js';

const results = <T>(page: { results: T[] }) => page.results;

/**
 * Every operation of seed 003, grouped the way the client exposes them. Paths are relative to the base URL
 * (`https://api.postpay.io`, `https://sandbox.postpay.io`, or the local sandbox's `/postpay`).
 */
export const ENDPOINTS = {
  checkouts: {
    create: defineEndpoint({
      method: 'POST',
      path: 'checkouts',
      request: createCheckoutRequestSchema,
      response: checkoutSchema,
    }),
  },
  orders: {
    list: defineEndpoint({
      method: 'GET',
      path: 'orders',
      request: listQuerySchema(ORDER_LIST),
      response: orderPageSchema,
      items: results,
    }),
    retrieve: defineEndpoint({ method: 'GET', path: 'orders/{order_id}', response: orderSchema }),
    capture: defineEndpoint({ method: 'POST', path: 'orders/{order_id}/capture', response: orderSchema }),
    refunds: {
      list: defineEndpoint({
        method: 'GET',
        path: 'orders/{order_id}/refunds',
        request: listQuerySchema(REFUND_LIST),
        response: refundPageSchema,
        items: results,
      }),
      retrieve: defineEndpoint({
        method: 'GET',
        path: 'orders/{order_id}/refunds/{refund_id}',
        response: refundSchema,
      }),
      create: defineEndpoint({
        method: 'POST',
        path: 'orders/{order_id}/refunds',
        request: createRefundRequestSchema,
        response: refundSchema,
      }),
    },
  },
  transactions: {
    list: defineEndpoint({
      method: 'GET',
      path: 'transactions',
      request: listQuerySchema(TRANSACTION_LIST),
      response: transactionPageSchema,
      items: results,
    }),
    retrieve: defineEndpoint({
      method: 'GET',
      path: 'transactions/{transaction_id}',
      response: transactionSchema,
    }),
  },
  hooks: {
    list: defineEndpoint({
      method: 'GET',
      path: 'hooks',
      request: listQuerySchema(HOOK_LIST),
      response: hookPageSchema,
      items: results,
    }),
    retrieve: defineEndpoint({ method: 'GET', path: 'hooks/{hook_id}', response: hookSchema }),
    create: defineEndpoint({
      method: 'POST',
      path: 'hooks',
      request: createHookRequestSchema,
      response: hookSchema,
    }),
    // Setting fields to given values twice leaves them as once: safe to re-send.
    update: defineEndpoint({
      method: 'PATCH',
      path: 'hooks/{hook_id}',
      request: patchHookRequestSchema,
      response: hookSchema,
      idempotent: true,
    }),
    delete: defineEndpoint({ method: 'DELETE', path: 'hooks/{hook_id}', response: emptyResponseSchema }),
  },
} as const;

export type Endpoints = typeof ENDPOINTS;

/** Every endpoint with its dotted name (`orders.refunds.create`), in the order of the table. */
export function listPostpayEndpoints(): NamedEndpoint[] {
  return listEndpoints(ENDPOINTS);
}
