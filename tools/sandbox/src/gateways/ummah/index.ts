import express, { type NextFunction, type Request, type Response } from 'express';
import type { Migration } from '../../engine/database.js';
import { defineGateway } from '../../engine/gateway-module.js';
import { esc } from '../../engine/html.js';
import { billingEndpoints, BillingService } from './billing.js';
import { checkoutRouter, parsePageForm } from './checkout-page.js';
import { clientEndpoints, ClientService } from './clients.js';
import { loadConfig } from './config.js';
import { ummahControl } from './control.js';
import { buildApiRouter, parseApiBody, resolveEndpoints, type Endpoint } from './endpoints.js';
import { RETRY_DELAYS_MINUTES, UmmahEvents, ummahSigner } from './events.js';
import { PurchaseLifecycle } from './lifecycle.js';
import { buildOpenApi } from './openapi.js';
import { purchaseEndpoints } from './purchase-endpoints.js';
import { PurchaseService } from './purchases.js';
import { Ledger, reportingEndpoints } from './reporting.js';
import { SavedCards } from './saved-cards.js';
import { webhookEndpoints, WebhookService } from './webhooks.js';

/** What `startSandbox()` hands back about Ummah (and `tijara sandbox` prints). */
export interface UmmahHandle {
  readonly secretKey: string;
  readonly brandId: string;
  /** Company callback public key (PEM) that signs `success_callback` deliveries (`GET /public_key/`). */
  readonly publicKey: string;
  /** The API base under a sandbox root URL. */
  apiBase(rootUrl: string): string;
}

const LEGACY_KINDS = [
  'purchase',
  'refund',
  'client',
  'recurring_token',
  'billing_template',
  'subscriber',
  'webhook',
  'event',
  'statement',
  'ledger',
  'challenge',
];
const LEGACY_META = [
  'secret_key',
  'brand_id',
  'company_id',
  'currency',
  'company_public_key',
  'company_private_key',
  'purchase_seq',
];

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'adopt the state of a sandbox file written before the engine (Ummah was the only gateway)',
    up(db) {
      const kinds = LEGACY_KINDS.map((kind) => `'${kind}'`).join(', ');
      db.exec(`UPDATE objects SET kind = 'ummah/' || kind WHERE kind IN (${kinds})`);
      // Deliveries were signed once when queued; now the gateway's signer signs each attempt by key reference.
      db.exec(`UPDATE objects SET kind = 'engine/delivery', data = json_remove(json_set(data,
          '$.gateway', 'ummah',
          '$.signer', CASE json_extract(data, '$.kind')
            WHEN 'webhook' THEN 'webhook:' || json_extract(data, '$.webhook_id') ELSE 'company' END),
          '$.signature') WHERE kind = 'delivery'`);
      const meta = LEGACY_META.map((key) => `'${key}'`).join(', ');
      db.exec(`UPDATE meta SET key = 'ummah:' || key WHERE key IN (${meta})`);
      const legacy = db
        .prepare(`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'legacy_idempotency'`)
        .get();
      if (legacy) {
        db.exec(`INSERT OR IGNORE INTO idempotency (gateway, key, fingerprint, status, body, created_ms)
          SELECT 'ummah', key, fingerprint, status, body, created_ms FROM legacy_idempotency;
          DROP TABLE legacy_idempotency;`);
      }
    },
  },
];

/**
 * Ummah (the CHIP Collect API family): every documented endpoint under `/api/v1/`, hosted checkout, invoice and
 * 3-D Secure pages, statements, RSA-signed webhooks and success callbacks. Mounted at the sandbox's root, where it
 * has always been.
 */
export const ummahGateway = defineGateway({
  name: 'ummah',
  mount: '',
  migrations: MIGRATIONS,
  async create(services, options) {
    const { objects: store, clock, urls, logger, meta } = services;
    const config = await loadConfig(meta, options);
    services.protectSecret(config.secretKey);

    const events = new UmmahEvents(store, clock, services.deliveries);
    const clients = new ClientService(store, clock, config);
    const ledger = new Ledger(store, clock, urls);
    const webhooks = new WebhookService(store, clock, config);
    const purchases = new PurchaseService({ store, meta, clock, config, urls, clients, ledger, events });
    const savedCards = new SavedCards(purchases, clients);
    const lifecycle = new PurchaseLifecycle(purchases, clock, logger);
    const billing = new BillingService({
      store,
      clock,
      config,
      urls,
      purchases,
      clients,
      savedCards,
      events,
    });

    const endpoints: Endpoint[] = resolveEndpoints([
      ...purchaseEndpoints(purchases, config),
      ...billingEndpoints(billing),
      ...clientEndpoints(clients, savedCards),
      ...reportingEndpoints(ledger),
      ...webhookEndpoints(webhooks, services.deliveries, config),
    ]);

    const router = express.Router();
    const open = express.Router();
    const openApiCache = new Map<string, unknown>();
    open.get('/openapi.json', (req, res) => {
      const apiBase = `${urls.gateway(req)}/api/v1/`;
      if (!openApiCache.has(apiBase)) openApiCache.set(apiBase, buildOpenApi(endpoints, apiBase));
      res.json(openApiCache.get(apiBase));
    });
    router.use(
      '/api/v1',
      buildApiRouter(
        { secretKey: config.secretKey, idempotency: services.idempotency, logger, baseUrl: urls.gateway },
        endpoints,
        open,
      ),
    );
    router.use(checkoutRouter(purchases));
    router.get('/statements/:id/:file', (req, res) => {
      const match = /^(.+)\.csv$/.exec(String(req.params['file']));
      const csv = match ? ledger.download(String(req.params['id']), match[1]!) : undefined;
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

    const { control, legacyControl } = ummahControl({
      purchases,
      lifecycle,
      events,
      config,
      clock,
      logger,
      saveBrandName: (name) => meta.set('brand_name', name),
    });

    const apiBase = (req: Request) => `${urls.gateway(req)}/api/v1/`;
    return {
      router,
      parseBody: (req: Request, res: Response, next: NextFunction) =>
        parseApiBody(req, res, (error?: unknown) => (error ? next(error) : parsePageForm(req, res, next))),
      control,
      legacyControl,
      sign: ummahSigner(store, config.companyKeys.privateKey),
      retryDelaysMinutes: RETRY_DELAYS_MINUTES,
      timer: {
        nextDueMs: () => {
          const renewal = billing.nextDue();
          const times = [renewal === undefined ? undefined : renewal * 1000, lifecycle.nextDueMs()];
          const due = times.filter((t): t is number => t !== undefined);
          return due.length === 0 ? undefined : Math.min(...due);
        },
        runDue: () => {
          purchases.refreshDue();
          lifecycle.runDue();
          billing.runDue();
        },
      },
      info: (req) => ({
        baseUrl: urls.gateway(req),
        apiBase: apiBase(req),
        brandId: config.brandId,
        brandName: config.brandName,
        currency: config.currency,
      }),
      legacyInfo: (req) => ({ brand_id: config.brandId, api_base: apiBase(req), currency: config.currency }),
      landing: (req) => `<h2>Ummah</h2>
<p>API base: <code id="api-base">${esc(apiBase(req))}</code><br>Brand id: <code id="brand-id">${esc(config.brandId)}</code></p>
<p><a href="${esc(apiBase(req))}openapi.json">OpenAPI description</a></p>`,
      handle: {
        secretKey: config.secretKey,
        brandId: config.brandId,
        publicKey: config.companyKeys.publicKey,
        apiBase: (rootUrl: string) => `${rootUrl}/api/v1/`,
      } satisfies UmmahHandle,
    };
  },
});
