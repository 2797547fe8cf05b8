import '@shopify/shopify-api/adapters/node';
import { LogSeverity, shopifyApi, type Shopify } from '@shopify/shopify-api';
import { setAbstractFetchFunc } from '@shopify/shopify-api/runtime';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import { ConfigurationError, redactingLogger, silentLogger, type Logger } from '@tijara/core';
import { openLedger, type Ledger } from '@tijara/ledger';
import { BuyerTokens, ShopContexts, type AppCore, type ShopifyAlert } from './app-core.js';
import { handleCancel, handleGatewayWebhook, handleReturn } from './buyer-routes.js';
import { createDispatcher, settlementMessages } from './delivery.js';
import { validateGateways, type GatewayOption } from './gateways.js';
import { HttpError, json, readRawBody, writeResponse, type HandlerResponse } from './http/node-http.js';
import { CredentialBox } from './merchant/credential-box.js';
import { createMerchantRoutes, type NodeHandler } from './merchant/merchant-routes.js';
import { openPostgresSessionStorage } from './merchant/postgres-session-storage.js';
import { ShopStore } from './merchant/shop-store.js';
import { SqliteSessionStorage } from './merchant/sqlite-session-storage.js';
import { createMtlsVerifier, type MtlsOptions } from './mtls.js';
import { createPaymentsApiClient } from './payments-api/payments-api-client.js';
import { metaOf } from './records.js';
import { createSessionHandlers, type SessionHandlers } from './session-handlers.js';
import { assertApiVersion, assertShopDomain } from './shop-domain.js';
import { sqlClientFor } from './sql.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The Payments Apps / Admin API version the app uses when no Shopify request names one. */
export const DEFAULT_API_VERSION = '2026-07';
export const DEFAULT_DATABASE = 'sqlite:.tijara/shopify.sqlite';
/** Scopes a payments app needs. */
export const PAYMENTS_APP_SCOPES: readonly string[] = ['write_payment_gateways', 'write_payment_sessions'];

/** Every path the app answers, relative to `publicUrl` (where the app is mounted). */
export interface AppPaths {
  readonly paymentSession: string;
  readonly refundSession: string;
  readonly captureSession: string;
  readonly voidSession: string;
  readonly return: string;
  readonly cancel: string;
  readonly gatewayWebhook: string;
  readonly home: string;
  readonly auth: string;
  readonly authCallback: string;
  readonly settings: string;
  readonly webhooks: string;
}

export const DEFAULT_PATHS: AppPaths = {
  paymentSession: '/payments/sessions/payment',
  refundSession: '/payments/sessions/refund',
  captureSession: '/payments/sessions/capture',
  voidSession: '/payments/sessions/void',
  return: '/payments/return',
  cancel: '/payments/cancel',
  gatewayWebhook: '/payments/gateway',
  home: '/',
  auth: '/auth',
  authCallback: '/auth/callback',
  settings: '/settings',
  webhooks: '/webhooks',
};

export interface OutboxOptions {
  /** Failed deliveries before a mutation is set aside and `alert` runs (default 25: about 15 hours of backoff). */
  readonly maxAttempts?: number;
  /** First retry delay (default 2 s), doubling per failure. */
  readonly baseDelayMs?: number;
  /** Longest retry delay (default 1 h). */
  readonly maxDelayMs?: number;
  /** How long a process holds a message it is sending (default 30 s). */
  readonly leaseMs?: number;
  /** How often due messages are looked for (default 1 s). */
  readonly pollIntervalMs?: number;
}

export interface ShopifyPaymentsAppOptions {
  /** The app's client id and secret (Partner Dashboard or `shopify app env show`). */
  readonly apiKey: string;
  readonly apiSecretKey: string;
  /** Where Shopify and buyers reach the app, e.g. `https://pay.example.com` (the middleware is mounted there). */
  readonly publicUrl: string;
  /** The gateways a merchant may connect. */
  readonly gateways: readonly GatewayOption[];
  /** 32 random bytes (hex or base64) sealing merchants' gateway credentials at rest. */
  readonly encryptionKey: string;
  /** How Shopify's client certificate is checked on the session endpoints (see `MtlsOptions`). */
  readonly mtls: MtlsOptions;
  /** Test mode: allows `mtls: { mode: 'off' }` and plain-HTTP public URLs. Never in production. */
  readonly testMode?: boolean;
  /** `sqlite:<path>` (default `sqlite:.tijara/shopify.sqlite`) or `postgres://…` (several processes). */
  readonly database?: string;
  /** Where Shopify sessions (offline tokens) live; default: the same database. */
  readonly sessionStorage?: SessionStorage;
  /** Version for calls no Shopify request names (`paymentsAppConfigure`); default 2026-07. */
  readonly apiVersion?: string;
  readonly scopes?: readonly string[];
  /**
   * Replaces fetch for every call to Shopify (OAuth token exchange, Payments Apps API) — a local fake in tests.
   * For OAuth it is set process-wide (`@shopify/shopify-api`'s runtime has one fetch per process).
   */
  readonly fetch?: typeof fetch;
  readonly logger?: Logger;
  /** Literal values to scrub from every log line, besides the known secret shapes. */
  readonly secrets?: readonly string[];
  /** Told when a person must act (a mutation could not be delivered, Shopify disagrees, money after a reject). */
  readonly alert?: (alert: ShopifyAlert) => void | Promise<void>;
  readonly outbox?: OutboxOptions;
  /** Re-reading payments no webhook settled (default every 60 s, payments older than 2 minutes); `false` to stop. */
  readonly reconcile?:
    false | { readonly intervalMs?: number; readonly minAgeMs?: number; readonly maxAgeMs?: number };
  readonly paths?: Partial<AppPaths>;
  /** Largest request body (default 64 KiB). */
  readonly bodyLimitBytes?: number;
  /** Table prefix of the ledger (default `tijara_shopify_`). */
  readonly tablePrefix?: string;
}

export interface ShopifyPaymentsApp {
  /**
   * The Express binding (4 and 5), and a plain `node:http` handler too: `app.use(payments.middleware)` where
   * `publicUrl` points. Unknown paths go to `next()` (or 404 without one).
   */
  readonly middleware: (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;
  /** The four session handlers, framework-neutral (headers + raw body + socket in, status + body out). */
  readonly sessions: SessionHandlers;
  /** Absolute URLs to put in `shopify.app.toml` and the extension's toml. */
  readonly urls: Readonly<Record<keyof AppPaths, string>>;
  readonly ledger: Ledger;
  readonly shopify: Shopify;
  readonly sessionStorage: SessionStorage;
  /** Send what is due in the outbox now (the timer does it anyway). Resolves with the number handed over. */
  deliverDue(): Promise<number>;
  /** One reconcile pass now. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/** Create the app: validates every option at once, opens its storage, starts the outbox worker. */
export async function createShopifyPaymentsApp(
  options: ShopifyPaymentsAppOptions,
): Promise<ShopifyPaymentsApp> {
  const config = validate(options);
  const logger = redactingLogger(options.logger ?? silentLogger, [
    options.apiSecretKey,
    ...(options.secrets ?? []),
  ]);
  const testMode = options.testMode === true;
  const verifyClient = createMtlsVerifier(options.mtls, { testMode, logger });
  const gateways = validateGateways(options.gateways);
  const box = new CredentialBox(options.encryptionKey);
  const paths = { ...DEFAULT_PATHS, ...options.paths };
  const apiVersion = assertApiVersion(options.apiVersion ?? DEFAULT_API_VERSION);

  if (options.fetch) setAbstractFetchFunc(options.fetch);
  const shopify = shopifyApi({
    apiKey: options.apiKey,
    apiSecretKey: options.apiSecretKey,
    hostName: config.url.host,
    hostScheme: config.url.protocol === 'http:' ? 'http' : 'https',
    apiVersion: apiVersion as never,
    isEmbeddedApp: false,
    scopes: [...(options.scopes ?? PAYMENTS_APP_SCOPES)],
    logger: {
      level: LogSeverity.Info,
      log: async (severity, message) => {
        const line = { source: 'shopify-api' };
        if (severity === LogSeverity.Error) logger.error(line, message);
        else if (severity === LogSeverity.Warning) logger.warn(line, message);
        else logger.debug(line, message);
      },
    },
  });

  const database = options.database ?? DEFAULT_DATABASE;
  const outbox = options.outbox ?? {};
  let alert: (alert: ShopifyAlert) => void = () => undefined;
  const ledger = await openLedger({
    url: database,
    tablePrefix: options.tablePrefix ?? 'tijara_shopify_',
    logger,
    outbox: {
      maxAttempts: outbox.maxAttempts ?? 25,
      baseDelayMs: outbox.baseDelayMs ?? 2_000,
      maxDelayMs: outbox.maxDelayMs ?? 3_600_000,
      leaseMs: outbox.leaseMs ?? 30_000,
      onExhausted: (message, error) => {
        const shop = (message.payload as { shop?: unknown } | null)?.shop;
        alert({
          type: 'outbox_exhausted',
          shop: typeof shop === 'string' ? shop : undefined,
          topic: message.topic,
          messageId: message.id,
          error: error instanceof Error ? error.message : String(error),
        });
      },
    },
  });
  const opened: { close(): Promise<void> }[] = [];
  try {
    const sql = sqlClientFor(ledger);
    const shops = await ShopStore.open(sql);
    let sessionStorage = options.sessionStorage;
    if (!sessionStorage) {
      const storage = ledger.connection.sqlite
        ? new SqliteSessionStorage(ledger.connection.sqlite)
        : await openPostgresSessionStorage(database, { logger });
      opened.push(storage);
      sessionStorage = storage;
    }
    const openedLedger = ledger;
    const storage = sessionStorage;
    const urls = absoluteUrls(config.base, paths);
    const buyerToken = new BuyerTokens(options.apiSecretKey);
    const core: AppCore = {
      ledger: openedLedger,
      shops,
      gateways,
      sessionStorage: storage,
      offlineSessionId: (shop) => shopify.session.getOfflineId(shop),
      paymentsApi: (shop, accessToken, version) =>
        createPaymentsApiClient({
          shop,
          accessToken,
          apiVersion: version,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      logger,
      urls: {
        returnUrl: (shop, id) =>
          `${urls.return}/${encodeURIComponent(shop)}/${encodeURIComponent(id)}?t=${buyerToken.sign(shop, id)}`,
        cancelUrl: (shop, id) =>
          `${urls.cancel}/${encodeURIComponent(shop)}/${encodeURIComponent(id)}?t=${buyerToken.sign(shop, id)}`,
        gatewayWebhookUrl: (shop) => `${urls.gatewayWebhook}/${encodeURIComponent(shop)}`,
      },
      buyerToken,
      contexts: undefined as unknown as ShopContexts,
      deliver: async () => undefined,
      alert: (event) => {
        logger.error({ alert: event }, `ALERT ${event.type}`);
        Promise.resolve(options.alert?.(event)).catch((error: unknown) =>
          logger.error({ err: error }, 'alert hook failed'),
        );
      },
      holdMs: 10_000,
      settlementMessages: (settlement) => settlementMessages(core, settlement),
    };
    (core as { contexts: ShopContexts }).contexts = new ShopContexts(() => core, box);
    core.deliver = createDispatcher(core);
    alert = core.alert;

    const sessions = createSessionHandlers(core, verifyClient);
    const merchant = createMerchantRoutes({
      shopify,
      sessionStorage: storage,
      shops,
      box,
      gateways,
      paymentsApi: (shop, token) => core.paymentsApi(shop, token, apiVersion),
      apiSecretKey: options.apiSecretKey,
      paths: {
        home: urls.home,
        auth: `${config.basePath}${paths.auth}`,
        authCallback: `${config.basePath}${paths.authCallback}`,
        settings: `${config.basePath}${paths.settings}`,
        webhooks: urls.webhooks,
      },
      gatewayWebhookUrl: (shop) => core.urls.gatewayWebhookUrl(shop),
      onShopChanged: (shop) => core.contexts.forget(shop),
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
    });

    const worker = ledger
      .outboxWorker({ handle: core.deliver, intervalMs: outbox.pollIntervalMs ?? 1_000, logger })
      .start();
    const sweeper = options.reconcile === false ? undefined : startSweeper(core, options.reconcile ?? {});
    const middleware = createMiddleware({
      core,
      sessions,
      merchant,
      paths,
      bodyLimitBytes: config.bodyLimitBytes,
    });

    let closing: Promise<void> | undefined;
    return {
      middleware,
      sessions,
      urls,
      ledger: openedLedger,
      shopify,
      sessionStorage: storage,
      deliverDue: async () => (await worker.drain()).delivered,
      sweep: () => sweepOnce(core, options.reconcile || {}),
      close: () => {
        closing ??= (async () => {
          await worker.stop();
          await sweeper?.stop();
          for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
          await openedLedger.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
    await ledger.close().catch(() => undefined);
    throw error;
  }
}

interface ValidConfig {
  readonly url: URL;
  /** `publicUrl` without a trailing slash. */
  readonly base: string;
  readonly basePath: string;
  readonly bodyLimitBytes: number;
}

/** Every problem at once, the way `@shopify/shopify-api` lists its missing keys. */
function validate(options: ShopifyPaymentsAppOptions): ValidConfig {
  if (!options || typeof options !== 'object')
    throw new ConfigurationError('createShopifyPaymentsApp needs options');
  const missing: string[] = [];
  const invalid: string[] = [];
  const present = (key: keyof ShopifyPaymentsAppOptions) => {
    const value = options[key];
    const ok =
      value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
    if (!ok) missing.push(key);
    return ok;
  };
  present('apiKey');
  present('apiSecretKey');
  present('gateways');
  present('mtls');
  if (present('encryptionKey')) {
    try {
      new CredentialBox(options.encryptionKey);
    } catch (error) {
      invalid.push((error as Error).message);
    }
  }
  let url: URL | undefined;
  if (present('publicUrl')) {
    url = URL.canParse(options.publicUrl) ? new URL(options.publicUrl) : undefined;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:'))
      invalid.push('publicUrl must be an http(s) URL');
    else if (url.protocol === 'http:' && options.testMode !== true) {
      invalid.push('publicUrl must be https (Shopify calls only HTTPS URLs); plain http is for testMode');
    } else if (url.search || url.hash) invalid.push('publicUrl must not have a query or fragment');
  }
  if (options.apiVersion !== undefined) {
    try {
      assertApiVersion(options.apiVersion);
    } catch (error) {
      invalid.push((error as Error).message);
    }
  }
  const problems = [...(missing.length > 0 ? [`missing values for: ${missing.join(', ')}`] : []), ...invalid];
  if (problems.length > 0)
    throw new ConfigurationError(`Cannot create the Shopify payments app: ${problems.join('; ')}`);
  const parsed = url as URL;
  const basePath = parsed.pathname.replace(/\/+$/, '');
  return {
    url: parsed,
    base: `${parsed.origin}${basePath}`,
    basePath,
    bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024,
  };
}

function absoluteUrls(base: string, paths: AppPaths): Readonly<Record<keyof AppPaths, string>> {
  return Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, `${base}${path}`])) as Record<
    keyof AppPaths,
    string
  >;
}

interface Loop {
  tick(): Promise<number>;
  stop(): Promise<void>;
}

function loop(intervalMs: number, run: () => Promise<number>, onError: (error: unknown) => void): Loop {
  let running: Promise<number> | undefined;
  const tick = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    tick().catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    tick,
    stop: async () => {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

function startSweeper(
  core: AppCore,
  options: { intervalMs?: number; minAgeMs?: number; maxAgeMs?: number },
): Loop {
  return loop(
    options.intervalMs ?? 60_000,
    () => sweepOnce(core, options),
    (error) => core.logger.warn({ err: error }, 'reconcile pass failed'),
  );
}

/** Re-read payments still awaiting an outcome (a lost webhook, a buyer who closed the tab) and settle them. */
async function sweepOnce(core: AppCore, options: { minAgeMs?: number; maxAgeMs?: number }): Promise<number> {
  const now = Date.now();
  let settled = 0;
  for (const gateway of core.gateways.values()) {
    const payments = await core.ledger.payments.unsettled({
      gateway: gateway.name,
      captureOnApproval: gateway.capabilities.captureOnApproval,
      createdBefore: new Date(now - (options.minAgeMs ?? 120_000)),
      createdAfter: new Date(now - (options.maxAgeMs ?? 3 * 86_400_000)),
    });
    for (const payment of payments) {
      if (!payment.paymentId) continue;
      try {
        const context = await core.contexts.get(metaOf(payment).shop);
        const result = await context.pipeline.settlePayment(payment.paymentId, 'reconcile');
        if (result.outcome === 'settled') settled += 1;
      } catch (error) {
        core.logger.warn({ key: payment.key, err: error }, 'reconcile: could not settle a payment');
      }
    }
  }
  return settled;
}

interface MiddlewareParts {
  readonly core: AppCore;
  readonly sessions: SessionHandlers;
  readonly merchant: ReturnType<typeof createMerchantRoutes>;
  readonly paths: AppPaths;
  readonly bodyLimitBytes: number;
}

function createMiddleware(parts: MiddlewareParts): ShopifyPaymentsApp['middleware'] {
  const { core, sessions, merchant, paths, bodyLimitBytes } = parts;
  const sessionRoutes = new Map([
    [paths.paymentSession, sessions.payment],
    [paths.refundSession, sessions.refund],
    [paths.captureSession, sessions.capture],
    [paths.voidSession, sessions.void],
  ]);
  const get = new Map<string, NodeHandler>([
    [paths.home, merchant.home],
    [paths.auth, merchant.authBegin],
    [paths.authCallback, merchant.authCallback],
    [paths.settings, merchant.settings],
  ]);
  const post = new Map<string, NodeHandler>([
    [paths.settings, merchant.saveSettings],
    [paths.webhooks, merchant.webhooks],
  ]);
  const withParams = (prefix: string, path: string): [string, string] | undefined => {
    if (!path.startsWith(`${prefix}/`)) return undefined;
    const parts = path.slice(prefix.length + 1).split('/');
    if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
    try {
      return [assertShopDomain(decodeURIComponent(parts[0])), decodeURIComponent(parts[1])];
    } catch {
      return undefined;
    }
  };

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<HandlerResponse | undefined | 'next'> => {
    const url = new URL(req.url ?? '/', 'http://app.invalid');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    const session = sessionRoutes.get(path);
    if (session) {
      if (method !== 'POST') return json(405, { error: 'method_not_allowed' }, { allow: 'POST' });
      return session({
        headers: req.headers,
        rawBody: await readRawBody(req, bodyLimitBytes),
        socket: req.socket,
      });
    }
    if (method === 'GET' || method === 'HEAD') {
      const handler = get.get(path);
      if (handler) return handler(req, res);
      const query = Object.fromEntries(url.searchParams) as Record<string, string>;
      const back = withParams(paths.return, path);
      if (back) return handleReturn(core, { shop: back[0], id: back[1], query });
      const cancel = withParams(paths.cancel, path);
      if (cancel) return handleCancel(core, { shop: cancel[0], id: cancel[1], query });
    }
    if (method === 'POST') {
      const handler = post.get(path);
      if (handler) return handler(req, res);
      if (path.startsWith(`${paths.gatewayWebhook}/`)) {
        let shop: string;
        try {
          shop = assertShopDomain(decodeURIComponent(path.slice(paths.gatewayWebhook.length + 1)));
        } catch {
          return json(404, { error: 'not_found' });
        }
        return handleGatewayWebhook(core, shop, await readRawBody(req, bodyLimitBytes), req.headers);
      }
      // A gateway that posts the buyer back (a form) lands on the return route too.
      const back = withParams(paths.return, path);
      if (back) {
        const form = new URLSearchParams((await readRawBody(req, bodyLimitBytes)).toString('utf8'));
        const query = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(form) } as Record<
          string,
          string
        >;
        return handleReturn(core, { shop: back[0], id: back[1], query });
      }
    }
    return 'next';
  };

  return (req, res, next) => {
    route(req, res).then(
      (response) => {
        if (response === 'next') {
          if (next) next();
          else writeResponse(res, json(404, { error: 'not_found' }), () => undefined);
          return;
        }
        if (response === undefined || res.headersSent) {
          if (!res.writableEnded && !res.headersSent) res.end();
          return;
        }
        writeResponse(res, response, (error) =>
          core.logger.warn({ err: error }, 'work after the response failed'),
        );
      },
      (error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof HttpError) {
          writeResponse(
            res,
            json(error.status, { error: error.code, message: error.message }),
            () => undefined,
          );
          return;
        }
        core.logger.error({ err: error, path: req.url?.split('?')[0] }, 'request failed');
        writeResponse(res, json(500, { error: 'internal_error' }), () => undefined);
      },
    );
  };
}
