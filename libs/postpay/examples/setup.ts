import { createPostpayDriver, type PostpayDriver } from '@tijara/postpay';

export function createDriver(env: NodeJS.ProcessEnv = process.env): PostpayDriver {
  return createPostpayDriver({
    merchantId: env.POSTPAY_MERCHANT_ID ?? '',
    secretKey: env.POSTPAY_SECRET_KEY ?? '', // sk_test_… talks to Postpay's sandbox, sk_live_… to the live API
    // Leave unset for the key's own API; set it to the local sandbox (http://127.0.0.1:4010/postpay) in development.
    ...(env.POSTPAY_BASE_URL ? { baseUrl: env.POSTPAY_BASE_URL } : {}),
    // The secret of each hook you created (POST /hooks): it signs X-Postpay-Signature.
    webhooks: { secrets: env.POSTPAY_HOOK_SECRET ? [env.POSTPAY_HOOK_SECRET] : [] },
  });
}
