import { authenticate, defineMiddlewares } from '@medusajs/framework/http';

export default defineMiddlewares({
  routes: [
    {
      matcher: '/store/tijara/payment-methods*',
      middlewares: [authenticate('customer', ['session', 'bearer'])],
    },
  ],
});
