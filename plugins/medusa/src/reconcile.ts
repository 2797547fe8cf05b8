import { createRequire } from 'node:module';
import path from 'node:path';
import type {
  ConfigModule,
  IPaymentModuleService,
  MedusaContainer,
  PaymentSessionDTO,
} from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { processPaymentWorkflow } from '@medusajs/medusa/core-flows';
import {
  MemoryEventStore,
  MemoryLockStore,
  Reconciler,
  SettlementPipeline,
  type DomainEvent,
  type GatewayDriver,
  type Logger,
  type SettlementRecord,
  type SweepReport,
} from '@tijara/core';
import { toMajor } from './amounts.js';
import { TijaraPaymentProvider, type GatewayDefinition } from './gateway-provider.js';
import { medusaLogger, type MedusaLikeLogger } from './logger.js';
import { secretValues } from './options.js';
import { storedPayment } from './session-data.js';
import { coreStatusOfSession, UNSETTLED_SESSION_STATUSES } from './session-status.js';

export interface ReconcileOptions {
  /** Only sessions at least this old are re-read (default 2 minutes: webhooks usually arrive first). */
  readonly minAgeMs?: number;
  /** Sessions older than this are left alone (default 48 hours: an abandoned cart stops being asked about). */
  readonly maxAgeMs?: number;
  /** At most this many sessions per provider and sweep, newest first (default 100). */
  readonly limit?: number;
}

export interface ProviderSweep extends SweepReport {
  /** `pp_<gateway>_<id>`. */
  readonly providerId: string;
}

/** A Tijara provider as medusa-config declares it, with the driver the job reads through. */
interface ConfiguredProvider {
  readonly providerId: string;
  readonly driver: GatewayDriver;
}

interface ProviderEntry {
  readonly resolve?: unknown;
  readonly id?: string;
  readonly options?: unknown;
}

type ProviderClass = { readonly identifier: string; readonly gateway: GatewayDefinition };

function isTijaraService(service: unknown): service is ProviderClass {
  const candidate = service as Partial<ProviderClass> | undefined;
  return typeof candidate?.identifier === 'string' && typeof candidate.gateway?.createDriver === 'function';
}

/** The provider classes a `resolve` (a package path or an imported ModuleProvider) exports. */
function servicesOf(resolve: unknown, projectDir: string, logger: Logger): unknown[] {
  let loaded = resolve;
  if (typeof resolve === 'string') {
    const requireFromProject = createRequire(path.join(projectDir, 'package.json'));
    try {
      loaded = requireFromProject(resolve);
    } catch (error) {
      // Medusa loaded it (or refused to start); from here it may resolve differently. Say so: its sessions
      // would otherwise silently go unreconciled.
      logger.warn(
        { resolve, projectDir, err: error },
        'payment provider not loadable from the project directory',
      );
      return [];
    }
  }
  const mod = (loaded as { default?: unknown })?.default ?? loaded;
  const services = (mod as { services?: unknown })?.services;
  return Array.isArray(services) ? services : [];
}

/** Every Tijara provider of the Payment module's configuration, with a driver of its own for the sweep. */
export function configuredProviders(
  configModule: ConfigModule,
  logger: MedusaLikeLogger | undefined,
  projectDir = process.cwd(),
): ConfiguredProvider[] {
  const modules = (configModule.modules ?? {}) as Record<string, unknown>;
  const payment = (modules[Modules.PAYMENT] ?? {}) as { options?: { providers?: ProviderEntry[] } };
  const out: ConfiguredProvider[] = [];
  const log = medusaLogger(logger, 'tijara:reconcile');
  for (const entry of payment.options?.providers ?? []) {
    for (const service of servicesOf(entry.resolve, projectDir, log)) {
      if (!isTijaraService(service)) continue;
      const gateway = service.gateway;
      const options = TijaraPaymentProvider.parseOptions(gateway, entry.options);
      const secrets = secretValues(entry.options, gateway.secretOptions);
      const driverLogger = medusaLogger(logger, `tijara:${gateway.name}:reconcile`, secrets);
      out.push({
        providerId: `pp_${service.identifier}${entry.id ? `_${entry.id}` : ''}`,
        driver: gateway.createDriver(options, driverLogger),
      });
    }
  }
  return out;
}

/**
 * Per app and provider: one lock store, so overlapping sweeps (a slow sweep and the next scheduled one, or the job
 * and a manual run) never settle one payment at the same time.
 */
const locksByApp = new WeakMap<object, Map<string, MemoryLockStore>>();

function locksFor(container: MedusaContainer, providerId: string): MemoryLockStore {
  let perApp = locksByApp.get(container);
  if (!perApp) locksByApp.set(container, (perApp = new Map()));
  let locks = perApp.get(providerId);
  if (!locks) perApp.set(providerId, (locks = new MemoryLockStore()));
  return locks;
}

interface SweepContext {
  readonly container: MedusaContainer;
  readonly payments: IPaymentModuleService;
  readonly logger: Logger;
  readonly options: Required<ReconcileOptions>;
  /** Gateway payment id → the session that points at it, for the sweep in progress. */
  readonly sessions: Map<string, PaymentSessionDTO>;
}

async function listUnsettled(
  context: SweepContext,
  provider: ConfiguredProvider,
  minAgeMs: number,
): Promise<string[]> {
  const now = Date.now();
  const sessions = await context.payments.listPaymentSessions(
    {
      provider_id: provider.providerId,
      status: [...UNSETTLED_SESSION_STATUSES],
      created_at: {
        $lte: new Date(now - minAgeMs).toISOString(),
        $gte: new Date(now - context.options.maxAgeMs).toISOString(),
      },
    } as Parameters<IPaymentModuleService['listPaymentSessions']>[0],
    {
      select: ['id', 'status', 'data', 'amount', 'currency_code', 'created_at'],
      order: { created_at: 'DESC' },
      take: context.options.limit,
    },
  );
  context.sessions.clear();
  for (const session of sessions) {
    const stored = safeStored(session, provider.driver.name);
    if (stored) context.sessions.set(stored.id, session);
  }
  return [...context.sessions.keys()];
}

function safeStored(session: PaymentSessionDTO, gateway: string) {
  try {
    return storedPayment(session.data, gateway);
  } catch {
    return undefined;
  }
}

function recordOf(session: PaymentSessionDTO, gateway: string): SettlementRecord | undefined {
  const stored = safeStored(session, gateway);
  if (!stored) return undefined;
  return {
    orderId: session.id,
    paymentId: stored.id,
    amount: stored.amount,
    currency: stored.currency,
    status: coreStatusOfSession(session.status),
    captureMode: stored.capture,
    refundedAmount: 0,
  };
}

/**
 * What a settlement means in Medusa. Money taken or held runs Medusa's own `processPaymentWorkflow` (what a
 * webhook would have run: authorize the session, capture, complete the cart). A payment that can no longer be
 * paid marks its session canceled, so the storefront starts a new one and the sweep stops asking.
 */
async function commit(
  context: SweepContext,
  record: SettlementRecord,
  events: readonly DomainEvent[],
): Promise<void> {
  const session = context.sessions.get(record.paymentId);
  if (!session) return;
  for (const event of events) {
    if (event.type === 'payment.authorized' || event.type === 'payment.paid') {
      const action = event.type === 'payment.paid' ? 'captured' : 'authorized';
      context.logger.info(
        { sessionId: session.id, paymentId: event.paymentId, action },
        'settling a payment session the webhook did not',
      );
      await processPaymentWorkflow(context.container).run({
        input: {
          action,
          data: { session_id: session.id, amount: toMajor(event.amount, event.currency) },
        },
        throwOnError: true,
      });
    } else if (event.type === 'payment.canceled') {
      await context.payments.updatePaymentSession({
        id: session.id,
        data: session.data,
        amount: session.amount,
        currency_code: session.currency_code,
        status: 'canceled',
      });
    }
  }
}

function reconcilerFor(context: SweepContext, provider: ConfiguredProvider): Reconciler {
  const gateway = provider.driver.name;
  const pipeline = new SettlementPipeline({
    driver: provider.driver,
    // Sweeps settle from the gateway's current state: no event ids to remember.
    events: new MemoryEventStore(),
    locks: locksFor(context.container, provider.providerId),
    load: async (paymentId) => {
      const session = context.sessions.get(paymentId);
      return session ? recordOf(session, gateway) : undefined;
    },
    commit: (next, events) => commit(context, next, events),
    logger: context.logger,
  });
  return new Reconciler({
    pipeline,
    minAgeMs: context.options.minAgeMs,
    listUnsettled: (minAgeMs) => listUnsettled(context, provider, minAgeMs),
    logger: context.logger,
  });
}

/**
 * Re-read, through core's reconciler, every payment session a Tijara provider left waiting (pending, requiring
 * the buyer, awaiting authorization) and settle what the gateway says happened. Medusa's webhook subscriber
 * drops failed and pending actions and its local event bus does not retry, so a lost delivery, a gateway without
 * webhooks or a crash would otherwise leave the order hanging. Safe to run concurrently with webhooks and the
 * storefront: Medusa's workflow locks the cart and authorization is idempotent.
 */
export async function reconcilePaymentSessions(
  container: MedusaContainer,
  options: ReconcileOptions = {},
): Promise<ProviderSweep[]> {
  const medusaLog = container.resolve<MedusaLikeLogger>(ContainerRegistrationKeys.LOGGER);
  const configModule = container.resolve<ConfigModule>(ContainerRegistrationKeys.CONFIG_MODULE);
  const payments = container.resolve<IPaymentModuleService>(Modules.PAYMENT);
  const resolved: Required<ReconcileOptions> = {
    minAgeMs: options.minAgeMs ?? 120_000,
    maxAgeMs: options.maxAgeMs ?? 48 * 3_600_000,
    limit: options.limit ?? 100,
  };
  const reports: ProviderSweep[] = [];
  for (const provider of providersOf(container, configModule, medusaLog)) {
    const context: SweepContext = {
      container,
      payments,
      logger: medusaLogger(medusaLog, `tijara:${provider.driver.name}:reconcile`),
      options: resolved,
      sessions: new Map(),
    };
    const report = await reconcilerFor(context, provider).sweep();
    reports.push({ providerId: provider.providerId, ...report });
  }
  return reports;
}

const providerCache = new WeakMap<object, ConfiguredProvider[]>();

function providersOf(
  container: MedusaContainer,
  configModule: ConfigModule,
  logger: MedusaLikeLogger,
): ConfiguredProvider[] {
  let providers = providerCache.get(container);
  if (!providers) providerCache.set(container, (providers = configuredProviders(configModule, logger)));
  return providers;
}
