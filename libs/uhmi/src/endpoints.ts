import type { HttpMethod } from '@tijara/core';
import type { z } from 'zod';
import {
  createPaymentRequestSchema,
  deletePaymentResponseSchema,
  paymentSchema,
  transactionSchema,
  updatePaymentRequestSchema,
} from './schemas.js';

/** One documented endpoint, as data; the client turns each into a method. */
export interface Endpoint<
  Path extends string = string,
  Request extends z.ZodType | undefined = z.ZodType | undefined,
  Response extends z.ZodType = z.ZodType,
> {
  readonly method: HttpMethod;
  readonly path: Path;
  readonly request: Request;
  readonly response: Response;
}

function endpoint<
  const Path extends string,
  Request extends z.ZodType | undefined,
  Response extends z.ZodType,
>(spec: {
  method: HttpMethod;
  path: Path;
  request?: Request;
  response: Response;
}): Endpoint<Path, Request, Response> {
  return { method: spec.method, path: spec.path, request: spec.request as Request, response: spec.response };
}

/** Every endpoint of the Uhmi reference (seed 001), relative to `https://uhmi.io/api/v1/`. */
export const ENDPOINTS = {
  payments: {
    create: endpoint({
      method: 'POST',
      path: 'payments',
      request: createPaymentRequestSchema,
      response: paymentSchema,
    }),
    retrieve: endpoint({ method: 'GET', path: 'payments/{id}', response: paymentSchema }),
    update: endpoint({
      method: 'PATCH',
      path: 'payments/{id}',
      request: updatePaymentRequestSchema,
      response: paymentSchema,
    }),
    delete: endpoint({ method: 'DELETE', path: 'payments/{id}', response: deletePaymentResponseSchema }),
  },
  transactions: {
    retrieve: endpoint({ method: 'GET', path: 'transactions/{id}', response: transactionSchema }),
  },
} as const;

export type Endpoints = typeof ENDPOINTS;
