import type { GatewayEvent } from '@tijara/core';
import { createPostpayDriver, postpayTestWebhookHeaders } from '@tijara/postpay';

/** A delivery signed the way Postpay signs it, for your own tests of a hook route. */
export async function verifySignedTestDelivery(): Promise<GatewayEvent> {
  const secret = 'test-hook-secret-0123456789';
  const postpay = createPostpayDriver({
    merchantId: 'id_test_merchant',
    secretKey: 'sk_test_0123456789abcdef',
    webhooks: { secrets: [secret] },
  });
  const body = JSON.stringify({
    id: 'evt-test-1',
    event: 'order',
    created: new Date().toISOString(),
    data: { order_id: 'cart-1-0a1b2c3d4e5f', status: 'approved', total_amount: 21000, currency: 'AED' },
  });
  return postpay.verifyWebhook(Buffer.from(body), postpayTestWebhookHeaders(body, secret));
}
