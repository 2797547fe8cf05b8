/**
 * `npm start`: the local gateway sandbox and the store, wired together, with nothing to configure.
 * STORE_PORT (3000) and SANDBOX_PORT (4010) move them; HOST (127.0.0.1) changes the interface; ADMIN_PASSWORD
 * protects /admin; TIJARA_DATA_DIR (<repo>/.tijara) is where the SQLite files live.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { createUmmahDriver } from '@tijara/ummah';
import { consoleLogger } from './console-logger.js';
import { createStoreApp, type StoreApp } from './store-app.js';
import { registerStoreWebhook } from './webhook-registration.js';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    console.error(`${name} must be a port number (0–65535), got "${raw}"`);
    process.exit(1);
  }
  return value;
}

function listen(server: Server, portNumber: number, host: string, envName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(
            `Port ${portNumber} is in use. Stop what uses it, or pick another: ${envName}=${portNumber + 1} npm start`,
          ),
        );
      } else reject(error);
    });
    server.listen(portNumber, host, () => resolve((server.address() as AddressInfo).port));
  });
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = process.env.TIJARA_DATA_DIR ?? join(repoRoot, '.tijara');
const host = process.env.HOST ?? '127.0.0.1';
const urlHost = host.includes(':') ? `[${host}]` : host;

let sandbox: RunningSandbox | undefined;
let store: StoreApp | undefined;
const server = createServer();

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  sandbox = await startSandbox({
    port: port('SANDBOX_PORT', 4010),
    host,
    dbFile: join(dataDir, 'sandbox.sqlite'),
    // The merchant's name on the sandbox's hosted checkout page.
    brandName: 'Souq Tijara',
    logger: consoleLogger('sandbox'),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    const taken = port('SANDBOX_PORT', 4010);
    throw new Error(
      `Port ${taken} is in use. Stop what uses it, or pick another: SANDBOX_PORT=${taken + 1} npm start`,
    );
  });
  const secrets = [sandbox.secretKey];
  const logger = consoleLogger('store', secrets);
  const driver = createUmmahDriver({
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
    baseUrl: sandbox.apiBase,
    logger: consoleLogger('ummah', secrets),
  });

  // Listen first: the store's public URL (with its real port) goes into every return URL.
  const storePort = await listen(server, port('STORE_PORT', 3000), host, 'STORE_PORT');
  const publicUrl = `http://${urlHost}:${storePort}`;
  store = await createStoreApp({
    driver,
    publicUrl,
    dataDir,
    ...(process.env.ADMIN_PASSWORD ? { adminPassword: process.env.ADMIN_PASSWORD } : {}),
    logger,
    secrets,
  });
  server.on('request', store.app);
  await registerStoreWebhook(driver, store.tijara.webhookUrl);

  process.stdout.write(
    [
      '',
      '  Souq Tijara is running',
      '',
      `    Store    ${publicUrl}`,
      `    Admin    ${publicUrl}/admin${process.env.ADMIN_PASSWORD ? ' (user "admin", password from ADMIN_PASSWORD)' : ''}`,
      `    Sandbox  ${sandbox.url}  (the local test gateway)`,
      `    Data     ${dataDir}`,
      '',
      '  Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 is declined · 4000 0000 0000 3220 asks for 3-D Secure',
      '  Press Ctrl+C to stop.',
      '',
      `store listening on ${publicUrl}`,
      '',
    ].join('\n'),
  );
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store?.close().catch(() => undefined);
  await sandbox?.close().catch(() => undefined);
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

main().catch((error: unknown) => {
  console.error(`\nCould not start the store: ${error instanceof Error ? error.message : String(error)}\n`);
  void stop(1);
});
