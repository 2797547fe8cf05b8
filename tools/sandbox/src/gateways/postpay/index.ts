import express, { type NextFunction, type Request, type Response } from 'express';
import { defineGateway } from '../../engine/gateway-module.js';
import { esc } from '../../engine/html.js';
import { apiRouter, parseApiBody } from './api.js';
import { faultError } from './api-errors.js';
import { checkoutPageRouter, parsePageForm } from './checkout-page.js';
import { loadConfig } from './config.js';
import { postpayControl } from './control.js';
import { HOOK_RETRY_DELAYS_MINUTES, HookService } from './hooks.js';
import { OrderService } from './orders.js';

/** What `startSandbox()` hands back about Postpay (and `tijara sandbox` prints). */
export interface PostpayHandle {
  readonly merchantId: string;
  readonly secretKey: string;
  /** The API base under a sandbox root URL (`<root>/postpay`). */
  baseUrl(rootUrl: string): string;
}

/**
 * Postpay (seed 003), mounted at `/postpay`: checkouts with a hosted page, orders, capture of approvals within a
 * window, refunds under merchant ids, settlement lines with fees, hooks signed with `X-Postpay-Signature` per
 * attempt, the versioned media type and HTTP Basic authentication.
 */
export const postpayGateway = defineGateway({
  name: 'postpay',
  mount: '/postpay',
  create(services, options) {
    const { objects: store, clock, urls, logger, meta, deliveries } = services;
    const config = loadConfig(meta, options);
    services.protectSecret(config.secretKey);
    services.protectSecret(Buffer.from(`${config.merchantId}:${config.secretKey}`).toString('base64'));

    const hooks = new HookService({
      store,
      clock,
      deliveries,
      protectSecret: (secret) => services.protectSecret(secret),
    });
    const orders = new OrderService({ store, clock, config, hooks });
    const gatewayUrl = (req: Request) => urls.gateway(req);

    const router = express.Router();
    router.use(checkoutPageRouter({ orders, config, clock }));
    router.use(apiRouter({ config, orders, hooks, logger, gatewayUrl }));

    return {
      router,
      // A latency fault reads the body early: the page's form or the API's JSON, whichever the request carries.
      parseBody: (req: Request, res: Response, next: NextFunction) =>
        parsePageForm(req, res, (error?: unknown) => (error ? next(error) : parseApiBody(req, res, next))),
      control: postpayControl({ orders, logger }),
      faultBody: (status) => faultError(status).body,
      sign: hooks.sign,
      retryDelaysMinutes: HOOK_RETRY_DELAYS_MINUTES,
      timer: { nextDueMs: () => orders.nextDueMs(), runDue: () => orders.runDue() },
      info: (req) => ({
        baseUrl: urls.gateway(req),
        merchantId: config.merchantId,
        secretKey: config.secretKey,
      }),
      // The landing page is served to browsers: the merchant id and URL only, never the key.
      landing: (req) => `<h2>Postpay</h2>
<p>API base: <code id="postpay-base">${esc(urls.gateway(req))}</code><br>Merchant id: <code id="postpay-merchant-id">${esc(config.merchantId)}</code></p>`,
      handle: {
        merchantId: config.merchantId,
        secretKey: config.secretKey,
        baseUrl: (rootUrl: string) => `${rootUrl}/postpay`,
      } satisfies PostpayHandle,
      reset: () => orders.reset(),
    };
  },
});
