import express, { type Express, type Request, type Response } from 'express';
import { redactingLogger, silentLogger, type Logger } from '@tijara/core';
import { SandboxClock } from './clock.js';
import { controlGuard, testHookGuard, type ControlGuardOptions } from './control-guard.js';
import { controlRouter } from './control-api.js';
import { SandboxDatabase } from './database.js';
import { DeliveryEngine } from './deliveries.js';
import { FaultRegistry } from './faults.js';
import type { GatewayDefinition, GatewayModule, GatewayServices } from './gateway-module.js';
import { esc, FAVICON_SVG, page, sendHtml } from './html.js';
import { IdempotencyRecords } from './idempotency.js';
import { systemResolver, type Resolver } from './outbound.js';
import { PublicUrls } from './public-urls.js';
import { Scheduler } from './scheduler.js';

export interface EngineOptions {
  /** SQLite file; omit or ':memory:' for a throwaway sandbox. */
  readonly dbFile?: string;
  /** Real-time factor for webhook retry backoff: 1 = the real schedule; tests use e.g. 0.001. */
  readonly webhookTimeScale?: number;
  readonly publicUrl?: string;
  readonly logger?: Logger;
  /** Required from the control API (and hosted-page test hooks) when set. */
  readonly controlToken?: string;
  /** Names besides loopback, the listening address and the public URL's host that the control API answers to. */
  readonly allowedHosts?: readonly string[];
  /** The interface the sandbox listens on, when it does. */
  readonly bindHost?: string;
  /** DNS for outgoing deliveries (default: the system's). */
  readonly resolver?: Resolver;
}

/**
 * One sandbox: the engine (clock, scheduler, faults, state, idempotency records, delivery log, control API) and
 * the gateway modules it serves, each built with only the services it needs.
 */
export class SandboxEngine {
  readonly app: Express;
  readonly gateways: ReadonlyMap<string, GatewayModule>;
  readonly clock: SandboxClock;
  readonly urls: PublicUrls;
  readonly database: SandboxDatabase;
  readonly logger: Logger;
  private readonly scheduler: Scheduler;
  private readonly deliveries: DeliveryEngine;
  private readonly faults: FaultRegistry;

  private constructor(parts: {
    app: Express;
    gateways: ReadonlyMap<string, GatewayModule>;
    clock: SandboxClock;
    urls: PublicUrls;
    database: SandboxDatabase;
    logger: Logger;
    scheduler: Scheduler;
    deliveries: DeliveryEngine;
    faults: FaultRegistry;
  }) {
    this.app = parts.app;
    this.gateways = parts.gateways;
    this.clock = parts.clock;
    this.urls = parts.urls;
    this.database = parts.database;
    this.logger = parts.logger;
    this.scheduler = parts.scheduler;
    this.deliveries = parts.deliveries;
    this.faults = parts.faults;
  }

  /** Open the state, run every migration, build each gateway and the app, start the clock's work. */
  static async open(
    options: EngineOptions,
    definitions: readonly GatewayDefinition[],
    gatewayOptions: (name: string) => unknown,
  ): Promise<SandboxEngine> {
    checkDefinitions(definitions);
    const database = new SandboxDatabase(options.dbFile);
    try {
      return await SandboxEngine.build(options, definitions, gatewayOptions, database);
    } catch (error) {
      database.close();
      throw error;
    }
  }

  private static async build(
    options: EngineOptions,
    definitions: readonly GatewayDefinition[],
    gatewayOptions: (name: string) => unknown,
    database: SandboxDatabase,
  ): Promise<SandboxEngine> {
    const secrets: string[] = [];
    if (options.controlToken) secrets.push(options.controlToken);
    // Defence in depth: whatever a log line carries, registered secrets and key-shaped strings are scrubbed.
    const logger = options.logger ? redactingLogger(options.logger, secrets) : silentLogger;
    const engineMeta = database.meta('engine');
    const clock = new SandboxClock(Number(engineMeta.get('clock_offset_ms') ?? '0'), (offset) =>
      engineMeta.set('clock_offset_ms', String(offset)),
    );
    const urls = new PublicUrls(options.publicUrl);
    const faults = new FaultRegistry();
    const deliveries = new DeliveryEngine({
      store: database.objects('engine'),
      clock,
      faults,
      logger,
      timeScale: options.webhookTimeScale ?? 1,
      resolver: options.resolver ?? systemResolver,
    });
    const guardOptions: ControlGuardOptions = {
      ...(options.bindHost === undefined ? {} : { bindHost: options.bindHost }),
      ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts }),
      publicUrl: () => urls.publicUrl,
      ...(options.controlToken === undefined ? {} : { token: options.controlToken }),
    };
    const hookGuard = testHookGuard(guardOptions);

    const gateways = new Map<string, GatewayModule>();
    for (const definition of definitions) {
      database.migrate(definition.name, definition.migrations ?? []);
      const { name, mount } = definition;
      const services: GatewayServices = {
        name,
        mount,
        clock,
        objects: database.objects(name),
        meta: database.meta(name),
        db: database.sql,
        idempotency: new IdempotencyRecords(database.sql, name, clock),
        deliveries: {
          enqueue: (request) => deliveries.enqueue(name, request),
          list: (filter = () => true) => deliveries.list((d) => d.gateway === name && filter(d)),
        },
        urls: {
          base: (req) => urls.base(req),
          gateway: (req) => `${urls.base(req)}${mount}`,
          get publicUrl() {
            return urls.publicUrl === undefined ? undefined : `${urls.publicUrl}${mount}`;
          },
        },
        logger,
        protectSecret: (value) => {
          if (value && !secrets.includes(value)) secrets.push(value);
        },
        testHookGuard: hookGuard,
      };
      const module = await definition.create(services, gatewayOptions(name));
      deliveries.register(name, {
        sign: module.sign,
        retryDelaysMinutes: module.retryDelaysMinutes,
        userAgent: `Tijara-Sandbox/0.1 (${name} emulator)`,
      });
      gateways.set(name, module);
    }

    const timers = [...gateways.values()].flatMap((module) => (module.timer ? [module.timer] : []));
    const scheduler = new Scheduler(
      clock,
      [...timers, { nextDueMs: () => deliveries.nextClockDue(), runDue: () => deliveries.runDue() }],
      logger,
    );
    const app = buildApp({
      definitions,
      gateways,
      faults,
      urls,
      guard: guardOptions,
      control: controlRouter({
        clock,
        scheduler,
        faults,
        deliveries,
        gateways,
        webhookTimeScale: options.webhookTimeScale ?? 1,
        logger,
        baseUrl: (req) => urls.base(req),
        reset: () => engine.reset(),
      }),
    });
    const engine = new SandboxEngine({
      app,
      gateways,
      clock,
      urls,
      database,
      logger,
      scheduler,
      deliveries,
      faults,
    });
    scheduler.start();
    // Deliveries still pending from a previous run resume where they left off.
    deliveries.schedule();
    return engine;
  }

  /** Same as `POST /__sandbox/clock/advance`: work due on the way runs at its own instant. */
  advanceClock(seconds: number): Promise<void> {
    return this.scheduler.advance(seconds);
  }

  /** Resolves once no delivery is in flight or due right now. */
  settle(): Promise<void> {
    return this.deliveries.settle();
  }

  /** Forget every object, fault and idempotency record of every gateway and rewind the clock; keys stay. */
  reset(): void {
    this.faults.clear();
    this.database.clear();
    this.clock.reset();
    for (const module of this.gateways.values()) module.reset?.();
    this.deliveries.schedule();
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    await this.deliveries.close();
    for (const module of this.gateways.values()) await module.close?.();
    this.database.close();
  }
}

function checkDefinitions(definitions: readonly GatewayDefinition[]): void {
  const names = new Set<string>();
  const mounts = new Set<string>();
  for (const { name, mount } of definitions) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`sandbox: invalid gateway name "${name}"`);
    if (mount !== '' && mount !== `/${name}`) {
      throw new Error(`sandbox: gateway "${name}" must be mounted at /${name} (or at the root)`);
    }
    if (names.has(name)) throw new Error(`sandbox: gateway "${name}" is listed twice`);
    if (mounts.has(mount)) throw new Error(`sandbox: two gateways mounted at "${mount || '/'}"`);
    names.add(name);
    mounts.add(mount);
  }
}

interface AppParts {
  definitions: readonly GatewayDefinition[];
  gateways: ReadonlyMap<string, GatewayModule>;
  faults: FaultRegistry;
  urls: PublicUrls;
  guard: ControlGuardOptions;
  control: express.Router;
}

const notFound = (_req: Request, res: Response) => {
  res.status(404).json({ error: 'Not Found', detail: 'Not found.' });
};

/** Control API, favicon and landing page; then each gateway behind the fault layer, the root-mounted one last. */
function buildApp(parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  app.use('/__sandbox', controlGuard(parts.guard), parts.control);
  app.get('/favicon.ico', (_req, res) => {
    res
      .status(200)
      .set({ 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400' })
      .send(FAVICON_SVG);
  });
  app.get('/', (req, res) => {
    const sections = [...parts.gateways.values()].map((module) => module.landing?.(req) ?? '').join('\n');
    sendHtml(
      res,
      200,
      page(
        'Tijara gateway sandbox',
        `<h1>Tijara gateway sandbox</h1>
<p class="muted">A local, stateful emulator of payment gateways. Nothing here moves real money.</p>
${sections}
<p><a href="${esc(parts.urls.base(req))}/__sandbox/info">Sandbox info</a></p>`,
      ),
    );
  });

  const ordered = [...parts.definitions].sort((a, b) => b.mount.length - a.mount.length);
  for (const { name, mount } of ordered) {
    const module = parts.gateways.get(name)!;
    const faultBody = module.faultBody?.bind(module);
    app.use(
      mount || '/',
      parts.faults.middleware(name, mount, module.parseBody, faultBody),
      module.router,
      notFound,
    );
  }
  app.use(notFound);
  return app;
}
