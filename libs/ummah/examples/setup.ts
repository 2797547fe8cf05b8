import { createUmmahDriver, type UmmahDriver } from '@tijara/ummah';

export function createDriver(env: NodeJS.ProcessEnv = process.env): UmmahDriver {
  return createUmmahDriver({
    secretKey: env.UMMAH_SECRET_KEY ?? '', // sk_test_… in development, sk_live_… in production
    brandId: env.UMMAH_BRAND_ID ?? '',
    // Leave unset for https://gate.ummah.com/api/v1/; set it for the sandbox or a CHIP-compatible deployment.
    ...(env.UMMAH_BASE_URL ? { baseUrl: env.UMMAH_BASE_URL } : {}),
    // Webhook.public_key of each webhook you created; the GET /public_key/ callback key is fetched when needed.
    webhooks: { publicKeys: env.UMMAH_WEBHOOK_PUBLIC_KEY ? [env.UMMAH_WEBHOOK_PUBLIC_KEY] : [] },
  });
}
