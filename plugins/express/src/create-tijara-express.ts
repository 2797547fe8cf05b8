import {
  ConfigurationError,
  createStores,
  redactingLogger,
  silentLogger,
  type SettlementPipeline,
  type Stores,
  type SweepReport,
} from '@tijara/core';
import { openBackends } from './ledger/open-backends.js';
import type { LedgerPayment, LedgerRefund, LedgerSavedMethod, PaymentLedger } from './ledger/types.js';
import { errorAwareLogger } from './log.js';
import { PaymentService } from './payment-service.js';
import { DEFAULT_RAW_BODY_PROPERTY } from './raw-body.js';
import { createRouter, type TijaraRouter } from './router.js';
import type {
  CheckoutOptions,
  CheckoutResult,
  RefundRequest,
  ReturnContext,
  TijaraExpressOptions,
} from './types.js';

export const DEFAULT_DATABASE = 'sqlite:.tijara/payments.sqlite';
const DEFAULT_WEBHOOK_LIMIT_BYTES = 256 * 1024;

/** The plugin, created once per app. */
export interface TijaraExpress {
  /** Mount it: `app.use('/payments', tijara.router)` (the path must equal `mountPath`). */
  readonly router: TijaraRouter;
  /** Absolute URL of the webhook route, to register with the gateway. */
  readonly webhookUrl: string;
  /** Core's settlement pipeline, for stores that receive gateway events some other way. */
  readonly pipeline: SettlementPipeline;
  readonly ledger: PaymentLedger;
  readonly stores: Stores;

  /** Start a hosted-page payment; see `CheckoutResult`. The router's `POST /checkout` calls this. */
  checkout(orderId: string, options?: CheckoutOptions): Promise<CheckoutResult>;
  /** One-click: charge a saved card, no redirect. */
  chargeSavedMethod(orderId: string, methodId: string, options?: CheckoutOptions): Promise<CheckoutResult>;
  /** Capture a held (manual-capture) payment, fully or partly. */
  capture(orderId: string, amount?: number): Promise<LedgerPayment>;
  /** Release a hold. */
  release(orderId: string): Promise<LedgerPayment>;
  /** Refund all or part; RefundLimitError beyond what is left, with nothing changed. */
  refund(orderId: string, request?: RefundRequest): Promise<LedgerRefund>;
  /** A customer's saved cards (display data; the token stays on the server). */
  listSavedMethods(customerId: string): Promise<LedgerSavedMethod[]>;
  /** Detach a saved card; with `customerId`, only if it is that customer's. */
  deleteSavedMethod(methodId: string, customerId?: string): Promise<void>;
  /** The order's payment attempts, oldest first. */
  listPayments(orderId: string): Promise<LedgerPayment[]>;
  listRefunds(orderId: string): Promise<LedgerRefund[]>;
  /** Re-read the order's unfinished payments from the gateway and settle them now. */
  settleOrder(orderId: string): Promise<LedgerPayment[]>;
  /** One reconcile sweep now (the timer runs them anyway unless `reconcile: false`). */
  reconcile(): Promise<SweepReport>;
  /** Stop the reconciler and close what the plugin opened. */
  close(): Promise<void>;
}

/** Create the plugin: opens the ledger and stores, builds the router, starts the reconciler. */
export async function createTijaraExpress(options: TijaraExpressOptions): Promise<TijaraExpress> {
  const { publicUrl, origin, basePath } = validate(options);
  const logger = errorAwareLogger(redactingLogger(options.logger ?? silentLogger, options.secrets ?? []));
  const mountPath = normalizeMountPath(options.mountPath ?? '/payments');

  let ledger: PaymentLedger;
  let stores: Stores;
  let closeBackends: () => Promise<void>;
  if (typeof options.database === 'object') {
    if (options.stores === undefined) {
      throw new ConfigurationError(
        'With an open PaymentLedger as `database`, pass `stores` too (a URL or Stores)',
      );
    }
    ledger = options.database;
    const opened =
      typeof options.stores === 'string'
        ? createStores(options.stores, { logger, ...options.storeOptions })
        : undefined;
    stores = opened ?? (options.stores as Stores);
    closeBackends = async () => {
      await opened?.close();
    };
  } else {
    const backends = await openBackends({
      database: options.database ?? DEFAULT_DATABASE,
      ...(options.stores === undefined ? {} : { stores: options.stores }),
      ...(options.storeOptions === undefined ? {} : { storeOptions: options.storeOptions }),
      logger,
    });
    ledger = backends.ledger;
    stores = backends.stores;
    closeBackends = () => backends.close();
  }

  const routeBase = `${publicUrl}${mountPath === '/' ? '' : mountPath}`;
  const reconcile = options.reconcile === false ? {} : (options.reconcile ?? {});
  const service = new PaymentService({
    driver: options.driver,
    ledger,
    events: stores.events,
    locks: stores.locks,
    getOrder: options.getOrder,
    on: options.on ?? {},
    returnRoute: (orderId, attempt, outcome) =>
      `${routeBase}/return/${encodeURIComponent(orderId)}/${attempt}/${outcome}`,
    reconcile: {
      intervalMs: reconcile.intervalMs ?? 60_000,
      minAgeMs: reconcile.minAgeMs ?? 120_000,
      maxAgeMs: reconcile.maxAgeMs ?? 24 * 3_600_000,
    },
    logger,
    ...(options.replayWindowMs === undefined ? {} : { replayWindowMs: options.replayWindowMs }),
  });
  if (options.reconcile !== false) service.reconciler.start();

  const defaultReturnUrl = (context: ReturnContext) =>
    context.outcome === 'cancel'
      ? `${basePath}/cart`
      : `${basePath}/orders/${encodeURIComponent(context.orderId)}`;
  const router = createRouter({
    service,
    origin,
    mountPath,
    returnUrl: options.returnUrl ?? defaultReturnUrl,
    webhookLimitBytes: options.webhook?.limitBytes ?? DEFAULT_WEBHOOK_LIMIT_BYTES,
    rawBodyProperty: options.webhook?.rawBodyProperty ?? DEFAULT_RAW_BODY_PROPERTY,
    rawBodyConfigured: options.webhook?.rawBodyProperty !== undefined,
    admin: options.admin,
    logger,
  });

  let closed: Promise<void> | undefined;
  return {
    router,
    webhookUrl: `${routeBase}/webhook`,
    pipeline: service.pipeline,
    ledger,
    stores,
    checkout: (orderId, checkoutOptions) => service.checkout(orderId, checkoutOptions),
    chargeSavedMethod: (orderId, methodId, checkoutOptions) =>
      service.chargeSavedMethod(orderId, methodId, checkoutOptions),
    capture: (orderId, amount) => service.capture(orderId, amount),
    release: (orderId) => service.release(orderId),
    refund: (orderId, request) => service.refund(orderId, request),
    listSavedMethods: (customerId) => service.listSavedMethods(customerId),
    deleteSavedMethod: (methodId, customerId) => service.deleteSavedMethod(methodId, customerId),
    listPayments: (orderId) => service.listPayments(orderId),
    listRefunds: (orderId) => service.listRefunds(orderId),
    settleOrder: (orderId) => service.settleOrder(orderId),
    reconcile: () => service.reconcile(),
    close: () => {
      closed ??= (async () => {
        await service.reconciler.stop();
        await closeBackends();
      })();
      return closed;
    },
  };
}

function validate(options: TijaraExpressOptions): { publicUrl: string; origin: string; basePath: string } {
  const problems: string[] = [];
  if (!options || typeof options !== 'object')
    throw new ConfigurationError('createTijaraExpress needs options');
  if (!options.driver || typeof options.driver.createPayment !== 'function')
    problems.push('driver (a GatewayDriver)');
  if (typeof options.getOrder !== 'function') problems.push('getOrder(orderId) → order');
  let parsed: URL | undefined;
  if (typeof options.publicUrl === 'string' && URL.canParse(options.publicUrl))
    parsed = new URL(options.publicUrl);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    problems.push('publicUrl (where buyers reach the app, e.g. https://shop.example)');
  }
  if (problems.length > 0)
    throw new ConfigurationError(`createTijaraExpress is missing: ${problems.join('; ')}`);
  const url = parsed as URL;
  const basePath = url.pathname.replace(/\/+$/, '');
  return { publicUrl: `${url.origin}${basePath}`, origin: url.origin, basePath };
}

function normalizeMountPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ConfigurationError(`mountPath must start with "/", got ${JSON.stringify(path)}`);
  }
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
