/**
 * The example store as `npm start` runs it, in-process: a real sandbox, the Ummah driver, the store app on a
 * loopback port and its webhook registered. Every log line is captured for the no-secrets check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@tijara/core';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { createUmmahDriver } from '@tijara/ummah';
import { createStoreApp, type StoreApp } from '../../src/store-app.js';
import { registerStoreWebhook } from '../../src/webhook-registration.js';

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
  close(): Promise<void>;
}

export async function startExampleStore(options: { currency?: string } = {}): Promise<RunningStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tijara-express-store-'));
  const sandbox = await startSandbox({
    port: 0,
    webhookTimeScale: 0.001,
    dbFile: join(dataDir, 'sandbox.sqlite'),
    logger: captureLogger('sandbox'),
  });
  const driver = createUmmahDriver({
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
    baseUrl: sandbox.apiBase,
    logger: captureLogger('ummah'),
  });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = await createStoreApp({
    driver,
    publicUrl: url,
    dataDir,
    logger: captureLogger('store'),
    secrets: [sandbox.secretKey],
    adminPassword: ADMIN_PASSWORD,
    reconcile: false,
    ...(options.currency ? { currency: options.currency } : {}),
  });
  server.on('request', store.app);
  await registerStoreWebhook(driver, store.tijara.webhookUrl);
  return {
    url,
    sandbox,
    store,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
