import express, { type Express } from 'express';
import { billingEndpoints } from './billing.js';
import { checkoutRouter } from './checkout-page.js';
import { clientEndpoints } from './clients.js';
import type { SandboxContext } from './context.js';
import { controlRouter } from './control-api.js';
import { buildApiRouter, resolveEndpoints, type Endpoint } from './endpoints.js';
import { esc, page, sendHtml } from './html.js';
import { buildOpenApi } from './openapi.js';
import { purchaseEndpoints } from './purchase-endpoints.js';
import { reportingEndpoints } from './reporting.js';
import { webhookEndpoints } from './webhooks.js';

/** Every endpoint of the driver's table, each with the sandbox's implementation. */
export function allEndpoints(): Endpoint[] {
  return resolveEndpoints([
    ...purchaseEndpoints(),
    ...billingEndpoints(),
    ...clientEndpoints(),
    ...reportingEndpoints(),
    ...webhookEndpoints(),
  ]);
}

/** The express app of one sandbox: control API, fault layer, `/api/v1`, hosted pages, downloads. */
export function buildApp(sandbox: SandboxContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const endpoints = allEndpoints();

  app.use('/__sandbox', controlRouter(sandbox));
  app.use(sandbox.faults.middleware());

  const open = express.Router();
  const openApiCache = new Map<string, unknown>();
  open.get('/openapi.json', (req, res) => {
    const apiBase = sandbox.apiBase(req);
    if (!openApiCache.has(apiBase)) openApiCache.set(apiBase, buildOpenApi(endpoints, apiBase));
    res.json(openApiCache.get(apiBase));
  });
  app.use('/api/v1', buildApiRouter(sandbox, endpoints, open));
  app.use(checkoutRouter(sandbox));

  app.get('/statements/:id/:file', (req, res) => {
    const match = /^(.+)\.csv$/.exec(String(req.params['file']));
    const csv = match ? sandbox.ledger.download(String(req.params['id']), match[1]!) : undefined;
    if (csv === undefined) {
      res.status(404).json({ error: 'Not Found', detail: 'Object with this ID does not exist.' });
      return;
    }
    res
      .status(200)
      .set('Content-Type', 'text/csv; charset=utf-8')
      .set('Content-Disposition', `attachment; filename="statement-${String(req.params['id'])}.csv"`)
      .send(csv);
  });

  app.get('/', (req, res) => {
    const base = sandbox.apiBase(req);
    sendHtml(
      res,
      200,
      page(
        'Ummah sandbox',
        `<h1>Ummah gateway sandbox</h1>
<p class="muted">A local, stateful emulator of the Ummah API by Tijara. Nothing here moves real money.</p>
<p>API base: <code id="api-base">${esc(base)}</code><br>Brand id: <code id="brand-id">${esc(sandbox.config.brandId)}</code></p>
<p><a href="${esc(base)}openapi.json">OpenAPI description</a> · <a href="${esc(sandbox.baseUrl(req))}/__sandbox/info">Sandbox info</a></p>`,
      ),
    );
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'Not Found', detail: 'Not found.' });
  });
  return app;
}
