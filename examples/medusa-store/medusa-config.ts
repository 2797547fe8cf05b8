import { defineConfig, loadEnv } from '@medusajs/framework/utils';

loadEnv(process.env.NODE_ENV || 'development', process.cwd());

const backendUrl = process.env.MEDUSA_BACKEND_URL || 'http://localhost:9000';
const storefrontUrl = process.env.STOREFRONT_URL || 'http://localhost:8000';
/**
 * Where the gateways send the buyer back: a page that completes the cart. This example serves a small one at
 * `/checkout/return` (src/api/checkout/return); point it at your storefront's own return page instead.
 */
const returnUrl = process.env.TIJARA_RETURN_URL || `${backendUrl}/checkout/return`;

/** A gateway is offered when its keys are set (`npm run start:medusa` sets the sandbox's). */
const providers: Array<{ resolve: string; id: string; options: Record<string, unknown> }> = [];
if (process.env.UMMAH_SECRET_KEY) {
  providers.push({
    resolve: '@tijara/medusa/providers/ummah',
    id: 'ummah',
    options: {
      secretKey: process.env.UMMAH_SECRET_KEY,
      brandId: process.env.UMMAH_BRAND_ID,
      ...(process.env.UMMAH_BASE_URL ? { baseUrl: process.env.UMMAH_BASE_URL } : {}),
      ...(process.env.UMMAH_WEBHOOK_PUBLIC_KEY
        ? { webhookPublicKeys: [process.env.UMMAH_WEBHOOK_PUBLIC_KEY] }
        : {}),
      capture: process.env.UMMAH_CAPTURE === 'manual' ? 'manual' : 'automatic',
      returnUrl,
      backendUrl,
    },
  });
}

if (process.env.POSTPAY_SECRET_KEY) {
  providers.push({
    resolve: '@tijara/medusa/providers/postpay',
    id: 'postpay',
    options: {
      merchantId: process.env.POSTPAY_MERCHANT_ID,
      secretKey: process.env.POSTPAY_SECRET_KEY,
      ...(process.env.POSTPAY_BASE_URL ? { baseUrl: process.env.POSTPAY_BASE_URL } : {}),
      ...(process.env.POSTPAY_HOOK_SECRET ? { hookSecrets: [process.env.POSTPAY_HOOK_SECRET] } : {}),
      returnUrl,
      backendUrl,
    },
  });
}

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS || storefrontUrl,
      adminCors: process.env.ADMIN_CORS || backendUrl,
      authCors: process.env.AUTH_CORS || `${storefrontUrl},${backendUrl}`,
      jwtSecret: process.env.JWT_SECRET || 'supersecret',
      cookieSecret: process.env.COOKIE_SECRET || 'supersecret',
    },
  },
  admin: {
    disable: process.env.MEDUSA_ADMIN_DISABLED === 'true',
    backendUrl,
  },
  plugins: [{ resolve: '@tijara/medusa', options: {} }],
  modules: [
    {
      resolve: '@medusajs/medusa/payment',
      options: {
        // Medusa processes a webhook this long after answering it (default 5 s), so the storefront's own
        // completion usually wins the race; the plugin is safe either way.
        ...(process.env.MEDUSA_WEBHOOK_DELAY_MS
          ? { webhook_delay: Number(process.env.MEDUSA_WEBHOOK_DELAY_MS) }
          : {}),
        providers,
      },
    },
  ],
});
