import {
  ConfigurationError,
  redactingLogger,
  silentLogger,
  type GatewayDriver,
  type SettlementPipeline,
  type Stores,
  type SweepReport,
} from '@tijara/core';
import type { Ledger, LedgerSavedMethod } from '@tijara/ledger';
import { openBackends } from './backends.js';
import { errorAwareLogger } from './log.js';
import { PaymentService } from './payment-service.js';
import { DEFAULT_RAW_BODY_PROPERTY } from './raw-body.js';
import { reviveEvent } from './records.js';
import { createRouter, type TijaraRouter } from './router.js';
import type {
  CheckoutOptions,
  CheckoutResult,
  LedgerPayment,
  LedgerRefund,
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
  /** Absolute URL of the (default gateway's) webhook route, to register with the gateway. */
  readonly webhookUrl: string;
  /** Every gateway's webhook URL, by gateway name (`<mountPath>/webhook/<name>`). */
  readonly webhookUrls: Readonly<Record<string, string>>;
  /** The default gateway's settlement pipeline, for stores that receive gateway events some other way. */
  readonly pipeline: SettlementPipeline;
  /** Each gateway's settlement pipeline, by name. */
  readonly pipelines: Readonly<Record<string, SettlementPipeline>>;
  /** The payment records (`@tijara/ledger`): payments, refunds, saved cards, the queue of store events. */
  readonly ledger: Ledger;
  /** Dedupe and locks. Without a `stores` option, dedupe is the ledger's own (`ledger.events`). */
  readonly stores: Stores;

  /** Start a payment on the gateway's page or widget; see `CheckoutResult`. The router's `POST /checkout` calls this. */
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
  const { publicUrl, origin, basePath, drivers, defaultGateway } = validate(options);
  const logger = errorAwareLogger(redactingLogger(options.logger ?? silentLogger, options.secrets ?? []));
  const mountPath = normalizeMountPath(options.mountPath ?? '/payments');
  const onExhausted = options.deliveries?.onExhausted;
  const backends = await openBackends({
    database: options.database ?? DEFAULT_DATABASE,
    ...(options.stores === undefined ? {} : { stores: options.stores }),
    ...(options.storeOptions === undefined ? {} : { storeOptions: options.storeOptions }),
    outbox: {
      ...(options.deliveries?.maxAttempts === undefined
        ? {}
        : { maxAttempts: options.deliveries.maxAttempts }),
      ...(onExhausted
        ? { onExhausted: (message, error) => onExhausted(reviveEvent(message.payload), error) }
        : {}),
    },
    logger,
  });
  const { ledger, stores } = backends;

  const routeBase = `${publicUrl}${mountPath === '/' ? '' : mountPath}`;
  const reconcile = options.reconcile === false ? {} : (options.reconcile ?? {});
  const service = new PaymentService({
    drivers,
    defaultGateway,
    ledger,
    externalEvents: backends.shared ? undefined : stores.events,
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
  if (options.reconcile !== false) service.startReconciling();

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
    actionPage: options.actionPage,
    logger,
  });

  const names = [...drivers.keys()];
  let closed: Promise<void> | undefined;
  return {
    router,
    webhookUrl: `${routeBase}/webhook`,
    webhookUrls: Object.fromEntries(names.map((name) => [name, `${routeBase}/webhook/${name}`])),
    pipeline: service.pipeline(),
    pipelines: Object.fromEntries(names.map((name) => [name, service.pipeline(name)])),
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
        await service.stopReconciling();
        await backends.close();
      })();
      return closed;
    },
  };
}

interface Validated {
  readonly publicUrl: string;
  readonly origin: string;
  readonly basePath: string;
  readonly drivers: ReadonlyMap<string, GatewayDriver>;
  readonly defaultGateway: string;
}

const GATEWAY_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function validate(options: TijaraExpressOptions): Validated {
  const problems: string[] = [];
  if (!options || typeof options !== 'object')
    throw new ConfigurationError('createTijaraExpress needs options');
  const drivers = new Map<string, GatewayDriver>();
  const isDriver = (driver: unknown): driver is GatewayDriver =>
    typeof (driver as GatewayDriver | undefined)?.createPayment === 'function';
  if (options.driver !== undefined && options.gateways !== undefined) {
    problems.push('either driver or gateways, not both');
  } else if (options.gateways !== undefined) {
    for (const [name, driver] of Object.entries(options.gateways)) {
      if (!GATEWAY_NAME.test(name))
        problems.push(`gateway name "${name}" (lower-case letters, digits, - and _)`);
      else if (!isDriver(driver)) problems.push(`gateways.${name} (a GatewayDriver)`);
      else drivers.set(name, driver);
    }
    if (Object.keys(options.gateways).length === 0) problems.push('gateways (at least one GatewayDriver)');
  } else if (isDriver(options.driver)) {
    drivers.set(options.driver.name, options.driver);
  } else {
    problems.push('driver (a GatewayDriver)');
  }
  const defaultGateway = options.defaultGateway ?? [...drivers.keys()][0] ?? '';
  if (drivers.size > 0 && !drivers.has(defaultGateway)) {
    problems.push(`defaultGateway "${defaultGateway}" (one of ${[...drivers.keys()].join(', ')})`);
  }
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
  return { publicUrl: `${url.origin}${basePath}`, origin: url.origin, basePath, drivers, defaultGateway };
}

function normalizeMountPath(path: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new ConfigurationError(`mountPath must start with "/", got ${JSON.stringify(path)}`);
  }
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
