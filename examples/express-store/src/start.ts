/**
 * `npm start`: the local gateway sandbox and the store, wired together, with nothing to configure.
 * STORE_PORT (3000) and SANDBOX_PORT (4010) move them; HOST (127.0.0.1) changes the interface; ADMIN_PASSWORD
 * sets the admin's password (else one is generated and printed); UMMAH_WEBHOOK_PUBLIC_KEYS adds webhook keys to
 * trust; TIJARA_DATA_DIR (<repo>/.tijara) is where the SQLite files and the sandbox connection for the `tijara`
 * command live.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearSandboxStateIn, writeSandboxStateIn } from '@tijara/cli';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { createUmmahDriver, type UmmahDriver } from '@tijara/ummah';
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

/**
 * UMMAH_WEBHOOK_PUBLIC_KEYS: public keys (PEM) whose signatures the store accepts besides its own webhook's, e.g.
 * the one `tijara keys generate` made for `tijara webhooks trigger --key`. Comma-separated PEM files (relative to
 * where `npm start` was run) and/or PEM text.
 */
function extraWebhookKeys(): string[] {
  const raw = process.env.UMMAH_WEBHOOK_PUBLIC_KEYS ?? '';
  const pems: string[] = [...(raw.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [])];
  const files = raw
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g, '')
    .split(',')
    .map((file) => file.trim())
    .filter(Boolean);
  const from = process.env.INIT_CWD ?? process.cwd();
  for (const file of files) {
    try {
      pems.push(readFileSync(resolve(from, file), 'utf8'));
    } catch (error) {
      throw new Error(
        `UMMAH_WEBHOOK_PUBLIC_KEYS names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  return pems;
}

/**
 * The public keys of every webhook registered on the store's own gateway account: a webhook there was created
 * with the store's secret key, e.g. by `tijara webhooks listen`, which forwards its deliveries here.
 */
async function accountWebhookKeys(driver: UmmahDriver): Promise<string[]> {
  const keys: string[] = [];
  for await (const webhook of driver.client.webhooks.list())
    if (webhook.public_key) keys.push(webhook.public_key);
  return keys;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = process.env.TIJARA_DATA_DIR ?? join(repoRoot, '.tijara');
const host = process.env.HOST ?? '127.0.0.1';
const urlHost = host.includes(':') ? `[${host}]` : host;

let sandbox: RunningSandbox | undefined;
let store: StoreApp | undefined;
const server = createServer();

async function main(): Promise<void> {
  // Payment records and the sandbox's key are nobody else's business on a shared machine.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const generated = !process.env.ADMIN_PASSWORD;
  const adminPassword = process.env.ADMIN_PASSWORD || randomBytes(18).toString('base64url');
  const publicKeys = extraWebhookKeys();
  sandbox = await startSandbox({
    port: port('SANDBOX_PORT', 4010),
    host,
    dbFile: join(dataDir, 'sandbox.sqlite'),
    // The merchant's name on the sandbox's hosted checkout page.
    brandName: 'Souq Tijara',
    // Beyond loopback (HOST=0.0.0.0) the sandbox's control API needs a token, and refuses to start without one.
    ...(process.env.TIJARA_SANDBOX_TOKEN ? { controlToken: process.env.TIJARA_SANDBOX_TOKEN } : {}),
    logger: consoleLogger('sandbox'),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    const taken = port('SANDBOX_PORT', 4010);
    throw new Error(
      `Port ${taken} is in use. Stop what uses it, or pick another: SANDBOX_PORT=${taken + 1} npm start`,
    );
  });
  const running = sandbox;
  // The same file `tijara sandbox` writes: `npx tijara webhooks listen|trigger` run from the directory holding
  // the data directory find this sandbox and its key.
  writeSandboxStateIn(dataDir, {
    url: running.url,
    apiBase: running.apiBase,
    secretKey: running.secretKey,
    brandId: running.brandId,
    pid: process.pid,
  });
  const secrets = [sandbox.secretKey, adminPassword];
  const logger = consoleLogger('store', secrets);
  const driver: UmmahDriver = createUmmahDriver({
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
    baseUrl: sandbox.apiBase,
    logger: consoleLogger('ummah', secrets),
    webhooks: {
      publicKeys,
      // A signature no known key verifies makes the store look again (rate limited): a webhook registered since
      // start-up, such as the one `tijara webhooks listen` creates, is then trusted.
      refreshKeys: () => accountWebhookKeys(driver),
      minRefreshIntervalMs: 5_000,
    },
  });

  // Listen first: the store's public URL (with its real port) goes into every return URL.
  const storePort = await listen(server, port('STORE_PORT', 3000), host, 'STORE_PORT');
  const publicUrl = `http://${urlHost}:${storePort}`;
  store = await createStoreApp({
    driver,
    publicUrl,
    dataDir,
    adminPassword,
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
      `    Admin    ${publicUrl}/admin  user "admin", ${
        generated
          ? `password ${adminPassword}  (new at every start; set ADMIN_PASSWORD to choose your own)`
          : 'password from ADMIN_PASSWORD'
      }`,
      `    Sandbox  ${sandbox.url}  (the local test gateway)`,
      `    Data     ${dataDir}`,
      '',
      '  Test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 is declined · 4000 0000 0000 3220 asks for 3-D Secure',
      `  Webhooks:  npx tijara webhooks listen --forward-to ${publicUrl}/payments/webhook`,
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
  clearSandboxStateIn(dataDir);
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
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
