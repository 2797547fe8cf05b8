/**
 * The example store as `npm start` runs it, in-process: a real sandbox, the chosen gateway's driver configured
 * from it (Ummah by default), the store app on a loopback port and its webhook registered. Every log line is
 * captured for the no-secrets check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxState } from '@tijara/cli';
import type { Logger } from '@tijara/core';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { connectGateway, type ConnectedGateway, type GatewayName } from '../../src/gateways.js';
import { createStoreApp, type StoreApp } from '../../src/store-app.js';

export const capturedLogs: string[] = [];

/** The admin's password in these tests; the admin routes answer 401 without it. */
export const ADMIN_PASSWORD = 'test-admin-password-0f3c';

/** The `authorization` header of the admin. */
export const ADMIN_AUTHORIZATION = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;

function captureLogger(component: string): Logger {
  const write = (level: string) => (obj: object, msg?: string) => {
    const fields = Object.fromEntries(
      Object.entries(obj).map(([k, v]) => [
        k,
        v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v,
      ]),
    );
    capturedLogs.push(JSON.stringify({ component, level, msg, ...fields }));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export interface RunningStore {
  readonly url: string;
  readonly sandbox: RunningSandbox;
  readonly store: StoreApp;
  readonly gateway: ConnectedGateway;
  close(): Promise<void>;
}

/** A sandbox for several stores of one test file (every gateway is served by each sandbox). */
export function startTestSandbox(dataDir?: string): Promise<RunningSandbox> {
  return startSandbox({
    port: 0,
    webhookTimeScale: 0.001,
    ...(dataDir ? { dbFile: join(dataDir, 'sandbox.sqlite') } : {}),
    logger: captureLogger('sandbox'),
  });
}

export interface ExampleStoreOptions {
  readonly currency?: string;
  /** Default `ummah`. */
  readonly gateway?: GatewayName;
  /** A sandbox the test file shares (left running on close); default: a new one of this store's own. */
  readonly sandbox?: RunningSandbox;
}

export async function startExampleStore(options: ExampleStoreOptions = {}): Promise<RunningStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tijara-express-store-'));
  const sandbox = options.sandbox ?? (await startTestSandbox(dataDir));
  const gateway = connectGateway(options.gateway ?? 'ummah', sandboxState(sandbox), {
    logger: captureLogger,
  });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = await createStoreApp({
    driver: gateway.driver,
    publicUrl: url,
    dataDir,
    logger: captureLogger('store'),
    secrets: [sandbox.secretKey, ...gateway.secrets],
    adminPassword: ADMIN_PASSWORD,
    reconcile: false,
    ...(options.currency ? { currency: options.currency } : {}),
  });
  server.on('request', store.app);
  await gateway.registerWebhook(store.tijara.webhookUrl);
  return {
    url,
    sandbox,
    store,
    gateway,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      if (!options.sandbox) await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
