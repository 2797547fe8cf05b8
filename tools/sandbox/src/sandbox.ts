import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '@tijara/core';
import type { Express } from 'express';
import { isLoopbackHost } from './engine/control-guard.js';
import { SandboxEngine } from './engine/engine.js';
import type { GatewayDefinition, GatewayHandles } from './engine/gateway-module.js';
import type { Resolver } from './engine/outbound.js';
import { GATEWAYS } from './gateways/index.js';
import type { UmmahHandle } from './gateways/ummah/index.js';

export interface SandboxOptions<D extends readonly GatewayDefinition[] = typeof GATEWAYS> {
  /** 0 = an ephemeral port; default 4010. */
  port?: number;
  /** Default 127.0.0.1. Anything but loopback needs a `controlToken`. */
  host?: string;
  /** Ummah: default remembered in the database, else a generated `sk_test_…`. */
  secretKey?: string;
  /** Ummah: default remembered in the database, else the reference's example brand `409eb80e-…`. */
  brandId?: string;
  /** Ummah: the merchant's name on hosted pages (`issuer_details.brand_name`); remembered. */
  brandName?: string;
  /** Ummah: brand currency for purchases that name none; default USD. */
  currency?: string;
  /** Ummah: `GET /public_key/` as a bare JSON string of PEM (default, CHIP) or `{"public_key": …}` (seed 000). */
  publicKeyShape?: 'string' | 'object';
  /** Options of each gateway by name (`{ postpay: { merchantId } }`); each gateway documents its own. */
  gatewayOptions?: Readonly<Record<string, unknown>>;
  /** SQLite file (created 0600, its new directory 0700); omit or ':memory:' for a throwaway sandbox. */
  dbFile?: string;
  /** Real-time factor for webhook retry backoff: 1 = the real schedule; tests use e.g. 0.001. */
  webhookTimeScale?: number;
  /** Public base URL for checkout/invoice links when the sandbox sits behind a proxy or tunnel. */
  publicUrl?: string;
  /**
   * Required by the control API (`Authorization: Bearer <token>`) and hosted-page test hooks when set; without
   * one the sandbox refuses to listen beyond loopback.
   */
  controlToken?: string;
  /** Host names besides loopback, the listening address and `publicUrl`'s host that the control API answers to. */
  allowedHosts?: readonly string[];
  /** DNS for webhook deliveries (default: the system's); every answer is checked before a connection is made. */
  resolver?: Resolver;
  /** The gateways to serve; default every gateway the sandbox has (`src/gateways/index.ts`). */
  modules?: D;
  logger?: Logger;
}

/** What both an embedded and a listening sandbox offer. */
export interface SandboxHandle<D extends readonly GatewayDefinition[] = typeof GATEWAYS> {
  /** Ummah's secret key ('' when Ummah is not served). */
  secretKey: string;
  /** Ummah's brand id. */
  brandId: string;
  /** Ummah's company callback public key (PEM) that signs `success_callback` deliveries (`GET /public_key/`). */
  publicKey: string;
  /** Each gateway's connection details, by name. */
  gateways: GatewayHandles<D>;
  /** Sandbox clock, epoch seconds. */
  now(): number;
  /** Same as `POST /__sandbox/clock/advance`: renewals, pending steps and webhook retries due on the way run. */
  advanceClock(seconds: number): Promise<void>;
  /** Resolves once no webhook or callback delivery is in flight or due right now. */
  settle(): Promise<void>;
  /** Same as `POST /__sandbox/reset`. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface RunningSandbox<
  D extends readonly GatewayDefinition[] = typeof GATEWAYS,
> extends SandboxHandle<D> {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Ummah's API base, `${url}/api/v1/` */
  apiBase: string;
  port: number;
  server: Server;
}

export interface EmbeddedSandbox<
  D extends readonly GatewayDefinition[] = typeof GATEWAYS,
> extends SandboxHandle<D> {
  /** Mount it anywhere; object URLs use `publicUrl`, else the origin (and mount path) requests arrive at. */
  app: Express;
}

export type SandboxAppOptions<D extends readonly GatewayDefinition[] = typeof GATEWAYS> = Omit<
  SandboxOptions<D>,
  'port' | 'host'
>;

/** Ummah's options: its top-level ones (from before there were several gateways), then `gatewayOptions.ummah`. */
function optionsFor(options: SandboxAppOptions<readonly GatewayDefinition[]>, name: string): unknown {
  const own = options.gatewayOptions?.[name];
  if (name !== 'ummah') return own;
  const legacy = Object.fromEntries(
    Object.entries({
      secretKey: options.secretKey,
      brandId: options.brandId,
      brandName: options.brandName,
      currency: options.currency,
      publicKeyShape: options.publicKeyShape,
    }).filter(([, value]) => value !== undefined),
  );
  return { ...legacy, ...(typeof own === 'object' && own !== null ? own : {}) };
}

async function openEngine(
  options: SandboxAppOptions<readonly GatewayDefinition[]>,
  bindHost?: string,
): Promise<SandboxEngine> {
  return SandboxEngine.open(
    {
      ...(options.dbFile === undefined ? {} : { dbFile: options.dbFile }),
      ...(options.webhookTimeScale === undefined ? {} : { webhookTimeScale: options.webhookTimeScale }),
      ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.controlToken === undefined ? {} : { controlToken: options.controlToken }),
      ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts }),
      ...(options.resolver === undefined ? {} : { resolver: options.resolver }),
      ...(bindHost === undefined ? {} : { bindHost }),
    },
    options.modules ?? GATEWAYS,
    (name) => optionsFor(options, name),
  );
}

function handle<D extends readonly GatewayDefinition[]>(engine: SandboxEngine): SandboxHandle<D> {
  const ummah = engine.gateways.get('ummah')?.handle as UmmahHandle | undefined;
  const gateways = Object.fromEntries([...engine.gateways].map(([name, module]) => [name, module.handle]));
  return {
    secretKey: ummah?.secretKey ?? '',
    brandId: ummah?.brandId ?? '',
    publicKey: ummah?.publicKey ?? '',
    gateways: gateways as GatewayHandles<D>,
    now: () => engine.clock.now(),
    advanceClock: (seconds) => engine.advanceClock(seconds),
    settle: () => engine.settle(),
    reset: async () => engine.reset(),
    close: () => engine.close(),
  };
}

/** An express app for embedding the sandbox in another server (tests, dev servers). */
export async function createSandboxApp<const D extends readonly GatewayDefinition[] = typeof GATEWAYS>(
  options: SandboxAppOptions<D> = {},
): Promise<EmbeddedSandbox<D>> {
  const engine = await openEngine(options);
  return { ...handle<D>(engine), app: engine.app };
}

/** Start a sandbox listening on `host:port`, serving every gateway at once. */
export async function startSandbox<const D extends readonly GatewayDefinition[] = typeof GATEWAYS>(
  options: SandboxOptions<D> = {},
): Promise<RunningSandbox<D>> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.controlToken) {
    throw new Error(
      `refusing to listen on ${host} without a control token: anyone who can reach it could drive the sandbox ` +
        '(pay, reset, read keys). Pass controlToken, or listen on 127.0.0.1.',
    );
  }
  const engine = await openEngine(options, host);
  const sockets = new Set<Socket>();
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const listening = engine.app.listen(options.port ?? 4010, host, (error?: Error) =>
        error ? reject(error) : resolve(listening),
      );
      listening.on('error', reject);
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  engine.urls.defaultTo(url);
  engine.logger.info(
    { url, gateways: [...engine.gateways.keys()], db: engine.database.file },
    'sandbox: listening',
  );
  const base = handle<D>(engine);
  return {
    ...base,
    url,
    apiBase: `${url}/api/v1/`,
    port,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await base.close();
    },
  };
}
