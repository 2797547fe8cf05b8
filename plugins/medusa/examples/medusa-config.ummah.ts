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
  // The plugin itself: the saved-cards store route and the reconcile job.
  plugins: [{ resolve: '@tijara/medusa', options: {} }],
  modules: [
    {
      resolve: '@medusajs/medusa/payment',
      options: {
        providers: [
          {
            // Provider id pp_ummah_ummah; Ummah calls back POST /hooks/payment/ummah_ummah.
            resolve: '@tijara/medusa/providers/ummah',
            id: 'ummah',
            options: {
              secretKey: process.env.UMMAH_SECRET_KEY, // sk_test_… or sk_live_…
              brandId: process.env.UMMAH_BRAND_ID,
              // The public key of each webhook you created in Ummah's dashboard for the hook URL (optional).
              webhookPublicKeys: process.env.UMMAH_WEBHOOK_PUBLIC_KEY
                ? [process.env.UMMAH_WEBHOOK_PUBLIC_KEY]
                : [],
              capture: 'automatic', // or 'manual': hold at checkout, capture from the admin
              returnUrl: 'https://shop.example/checkout/return', // your storefront's return page
              backendUrl: process.env.MEDUSA_BACKEND_URL, // where Ummah reaches /hooks/payment/ummah_ummah
            },
          },
        ],
      },
    },
  ],
});
