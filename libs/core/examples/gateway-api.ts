import { ApiClient, defineEndpoint, errorFromHttpStatus, NOT_DONE, recovered } from '@tijara/core';
import { z } from 'zod';

const refund = z.looseObject({ refund_id: z.string(), amount: z.int() });
const page = z.looseObject({ next: z.string().nullable(), results: z.array(refund) });

// Endpoints as data: each becomes a method with one argument per {placeholder}, then the input, then options.
const ENDPOINTS = {
  refunds: {
    create: defineEndpoint({
      method: 'POST',
      path: 'orders/{order_id}/refunds',
      request: z.object({ refund_id: z.string().min(1), amount: z.int().positive() }),
      response: refund,
    }),
    list: defineEndpoint({
      method: 'GET',
      path: 'orders/{order_id}/refunds',
      request: z.object({ refund_id: z.string().optional(), page_size: z.int().max(50).optional() }),
      response: page,
      items: (p) => p.results,
    }),
  },
} as const;

export function connect(baseUrl: string, merchantId: string, secretKey: string) {
  const api = new ApiClient({
    baseUrl,
    gateway: 'postpay',
    gatewayName: 'Postpay',
    auth: { type: 'basic', username: merchantId, password: secretKey },
    accept: 'application/vnd.postpay+json; version=v1',
    // Postpay keeps no idempotency keys: a refund whose answer is lost is looked up, never sent twice.
    idempotencyKeys: false,
    mapError: (response) =>
      errorFromHttpStatus({
        statusCode: response.statusCode,
        message: `Postpay answered ${response.statusCode}`,
        raw: response.body,
        gateway: 'postpay',
      }),
  });
  return api.bind(ENDPOINTS);
}

/** One refund per refund id, however the network behaves: the merchant's id is how the gateway finds it again. */
export async function refundOnce(
  postpay: ReturnType<typeof connect>,
  orderId: string,
  refundId: string,
  amount: number,
) {
  return postpay.refunds.create(
    orderId,
    { refund_id: refundId, amount },
    {
      recover: async () => {
        const { results } = await postpay.refunds.list(orderId, { refund_id: refundId });
        const found = results.find((r) => r.refund_id === refundId);
        return found ? recovered(found) : NOT_DONE;
      },
    },
  );
}
