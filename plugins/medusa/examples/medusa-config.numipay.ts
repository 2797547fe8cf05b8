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
            // Provider id pp_numipay_numipay; point Numipay's webhook at POST /hooks/payment/numipay_numipay.
            resolve: '@tijara/medusa/providers/numipay',
            id: 'numipay',
            options: {
              apiKey: process.env.NUMIPAY_API_KEY,
              mode: process.env.NUMIPAY_MODE === 'live' ? 'live' : 'test',
              // Numipay's documentation names no host, paths or cashier page: set the ones you were given.
              baseUrl: process.env.NUMIPAY_BASE_URL,
              cashierUrl: process.env.NUMIPAY_CASHIER_URL, // with {token}
              signaturePasswords: process.env.NUMIPAY_SIGNATURE_PASSWORD
                ? [process.env.NUMIPAY_SIGNATURE_PASSWORD]
                : [],
              returnUrl: 'https://shop.example/checkout/return',
              backendUrl: process.env.MEDUSA_BACKEND_URL,
            },
          },
        ],
      },
    },
  ],
});
