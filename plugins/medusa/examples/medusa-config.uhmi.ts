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
            // Provider id pp_uhmi_uhmi (EUR). Uhmi sends no webhooks: the widget posts a transaction_id to the
            // return page, which hands it to POST /store/tijara/payment-sessions/:id/return.
            resolve: '@tijara/medusa/providers/uhmi',
            id: 'uhmi',
            options: {
              apiKey: process.env.UHMI_API_KEY,
              returnUrl: 'https://shop.example/checkout/return',
            },
          },
        ],
      },
    },
  ],
});
