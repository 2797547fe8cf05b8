import type { GatewayEvent } from '@tijara/core';
import { createUmmahDriver, generateUmmahTestKeys, signUmmahPayload } from '@tijara/ummah';

/** In your own tests: sign a delivery the way Ummah does and feed it to the code under test. */
export async function verifySignedTestDelivery(): Promise<GatewayEvent> {
  const keys = generateUmmahTestKeys();
  const ummah = createUmmahDriver({
    secretKey: 'sk_test_example',
    brandId: 'brand-under-test',
    webhooks: { publicKeys: [keys.publicKey], fetchCompanyKey: false },
  });
  const rawBody = Buffer.from(
    JSON.stringify({
      id: 'evt-test-1',
      type: 'purchase.paid',
      created_on: 1700000000,
      object: { id: 'purchase-1', status: 'paid', purchase: { total: 2999, currency: 'MYR' } },
    }),
  );
  return ummah.verifyWebhook(rawBody, { 'x-signature': signUmmahPayload(rawBody, keys.privateKey) });
}
