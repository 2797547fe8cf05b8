import { defineConfig, loadEnv } from '@medusajs/framework/utils';

loadEnv(process.env.NODE_ENV || 'development', process.cwd());

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS!,
      adminCors: process.env.ADMIN_CORS!,
      authCors: process.env.AUTH_CORS!,
      jwtSecret: process.env.JWT_SECRET!,
      cookieSecret: process.env.COOKIE_SECRET!,
    },
  },
  plugins: [{ resolve: '@tijara/medusa', options: {} }],
  modules: [
    {
      resolve: '@medusajs/medusa/payment',
      options: {
        providers: [
          {
            // Provider id pp_postpay_postpay; register a Postpay hook for POST /hooks/payment/postpay_postpay.
            resolve: '@tijara/medusa/providers/postpay',
            id: 'postpay',
            options: {
              merchantId: process.env.POSTPAY_MERCHANT_ID,
              secretKey: process.env.POSTPAY_SECRET_KEY, // sk_test_… talks to sandbox.postpay.io
              // The secret of the hook you registered (POST /hooks); old and new while rotating.
              hookSecrets: process.env.POSTPAY_HOOK_SECRET ? [process.env.POSTPAY_HOOK_SECRET] : [],
              returnUrl: 'https://shop.example/checkout/return',
              backendUrl: process.env.MEDUSA_BACKEND_URL,
            },
          },
        ],
      },
    },
  ],
});
