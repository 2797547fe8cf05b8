import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '@tijara/core';
import type { Express } from 'express';
import { buildApp } from './app.js';
import { SandboxContext } from './context.js';

export interface SandboxOptions {
  /** 0 = an ephemeral port; default 4010. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: remembered in the database, else a generated `sk_test_…`. */
  secretKey?: string;
  /** Default: remembered in the database, else the reference's example brand `409eb80e-…`. */
  brandId?: string;
  /** Brand currency for purchases that name none; default USD. */
  currency?: string;
  /** SQLite file; omit or ':memory:' for a throwaway sandbox. */
  dbFile?: string;
  /** Real-time factor for webhook retry backoff: 1 = the real schedule; tests use e.g. 0.001. */
  webhookTimeScale?: number;
  /** Public base URL for checkout/invoice links when the sandbox sits behind a proxy or tunnel. */
  publicUrl?: string;
  /** `GET /public_key/` as a bare JSON string of PEM (default, CHIP) or `{"public_key": …}` (seed 000). */
  publicKeyShape?: 'string' | 'object';
  logger?: Logger;
}

/** What both an embedded and a listening sandbox offer. */
export interface SandboxHandle {
  secretKey: string;
  brandId: string;
  /** Company callback public key (PEM) that signs `success_callback` deliveries (`GET /public_key/`). */
  publicKey: string;
  /** Sandbox clock, epoch seconds. */
  now(): number;
  /** Same as `POST /__sandbox/clock/advance`: renewals and webhook retries due on the way run. */
  advanceClock(seconds: number): Promise<void>;
  /** Resolves once no webhook or callback delivery is in flight or due right now. */
  settle(): Promise<void>;
  /** Same as `POST /__sandbox/reset`. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface RunningSandbox extends SandboxHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `${url}/api/v1/` */
  apiBase: string;
  port: number;
  server: Server;
}

export interface EmbeddedSandbox extends SandboxHandle {
  /** Mount it anywhere; object URLs use `publicUrl`, else the origin (and mount path) requests arrive at. */
  app: Express;
}

export type SandboxAppOptions = Omit<SandboxOptions, 'port' | 'host'>;

function handle(context: SandboxContext): SandboxHandle {
  return {
    secretKey: context.config.secretKey,
    brandId: context.config.brandId,
    publicKey: context.companyKeys.publicKey,
    now: () => context.clock.now(),
    advanceClock: (seconds) => context.scheduler.advance(seconds),
    settle: () => context.deliveries.settle(),
    reset: async () => context.reset(),
    close: () => context.close(),
  };
}

/** An express app for embedding the sandbox in another server (tests, dev servers). */
export async function createSandboxApp(options: SandboxAppOptions = {}): Promise<EmbeddedSandbox> {
  const context = await SandboxContext.open(options);
  return { ...handle(context), app: buildApp(context) };
}

/** Start a sandbox listening on `host:port`. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const context = await SandboxContext.open(options);
  const app = buildApp(context);
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(options.port ?? 4010, host, (error?: Error) =>
        error ? reject(error) : resolve(listening),
      );
      listening.on('error', reject);
    });
  } catch (error) {
    await context.close();
    throw error;
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  context.config.publicUrl ??= url;
  context.logger.info({ url, brandId: context.config.brandId, db: context.store.file }, 'sandbox: listening');
  const base = handle(context);
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
