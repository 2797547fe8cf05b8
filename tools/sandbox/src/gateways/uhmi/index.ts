import express from 'express';
import { defineGateway } from '../../engine/gateway-module.js';
import { esc } from '../../engine/html.js';
import { apiRouter, readApiBody } from './api.js';
import { loadConfig } from './config.js';
import { uhmiControl } from './control.js';
import { PaymentService } from './payments.js';
import { parseWidgetForm, widgetRouter } from './widget-page.js';

/** What `startSandbox()` hands back about Uhmi. */
export interface UhmiHandle {
  readonly apiKey: string;
  /** The API base under a sandbox root URL (`<root>/uhmi/api/v1/`). */
  apiBase(rootUrl: string): string;
  /** Widget.js under a sandbox root URL. */
  widgetScript(rootUrl: string): string;
  /** The widget page for one payment (`{payment_id}` replaced by the driver). */
  widgetPage(rootUrl: string): string;
}

/**
 * Uhmi (seed 001), mounted at `/uhmi`: payments CRUD and transactions under `/api/v1/` with Bearer
 * authentication, Uhmi's error bodies and its 415 for a body that is not UTF-8; a widget page (and a Widget.js
 * that embeds it) whose payment posts `transaction_id` to the payment's `success_url`. Uhmi sends no webhooks.
 */
export const uhmiGateway = defineGateway({
  name: 'uhmi',
  mount: '/uhmi',
  create(services, options) {
    const { objects, clock, urls, logger, meta } = services;
    const config = loadConfig(meta, options);
    services.protectSecret(config.apiKey);
    const payments = new PaymentService(objects, clock);

    const router = express.Router();
    router.use('/api/v1', apiRouter({ apiKey: config.apiKey, payments, logger }));
    router.use(widgetRouter({ payments, gatewayUrl: (req) => urls.gateway(req) }));

    return {
      router,
      // A latency fault reads the body early: the API's bytes or the widget's form, whichever the path is.
      parseBody: (req, res, next) =>
        req.path.includes('/api/v1/') ? readApiBody(req, res, next) : parseWidgetForm(req, res, next),
      control: uhmiControl({ payments, logger }),
      // No webhooks: nothing is ever delivered, so nothing is signed.
      sign: () => null,
      retryDelaysMinutes: [0],
      info: (req) => ({
        baseUrl: urls.gateway(req),
        apiBase: `${urls.gateway(req)}/api/v1/`,
        apiKey: config.apiKey,
        widgetScript: `${urls.gateway(req)}/widget.js`,
        widgetPage: `${urls.gateway(req)}/widget/{payment_id}`,
      }),
      // Served to browsers: URLs only, never the key.
      landing: (req) => `<h2>Uhmi</h2>
<p>API base: <code id="uhmi-api-base">${esc(`${urls.gateway(req)}/api/v1/`)}</code><br>Widget.js: <code id="uhmi-widget">${esc(`${urls.gateway(req)}/widget.js`)}</code></p>`,
      handle: {
        apiKey: config.apiKey,
        apiBase: (rootUrl: string) => `${rootUrl}/uhmi/api/v1/`,
        widgetScript: (rootUrl: string) => `${rootUrl}/uhmi/widget.js`,
        widgetPage: (rootUrl: string) => `${rootUrl}/uhmi/widget/{payment_id}`,
      } satisfies UhmiHandle,
    };
  },
});
