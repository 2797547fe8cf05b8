/**
 * `npm start`: the local gateway sandbox and the store, wired together, with nothing to configure.
 * TIJARA_GATEWAY (ummah) picks the gateway: ummah, postpay, uhmi or numipay, each configured from the sandbox's
 * connection settings. STORE_PORT (3000) and SANDBOX_PORT (4010) move them; HOST (127.0.0.1) changes the
 * interface; ADMIN_PASSWORD sets the admin's password (else one is generated and printed);
 * UMMAH_WEBHOOK_PUBLIC_KEYS adds webhook keys to trust (Ummah); TIJARA_DATA_DIR (<repo>/.tijara) is where the
 * SQLite files and the sandbox connection for the `tijara` command live.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearSandboxStateIn, sandboxState, writeSandboxStateIn } from '@tijara/cli';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { consoleLogger } from './console-logger.js';
import { connectGateway, GATEWAY_NAMES, isGatewayName, type GatewayName } from './gateways.js';
import { createStoreApp, type StoreApp } from './store-app.js';

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

/** TIJARA_GATEWAY: the gateway the store takes payments on (default Ummah). */
function chosenGateway(): GatewayName {
  const raw = (process.env.TIJARA_GATEWAY ?? '').trim().toLowerCase();
  if (raw === '') return 'ummah';
  if (isGatewayName(raw)) return raw;
  console.error(
    `TIJARA_GATEWAY must be one of ${GATEWAY_NAMES.join(', ')}, got "${process.env.TIJARA_GATEWAY}"`,
  );
  process.exit(1);
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = process.env.TIJARA_DATA_DIR ?? join(repoRoot, '.tijara');
const host = process.env.HOST ?? '127.0.0.1';
const urlHost = host.includes(':') ? `[${host}]` : host;

let sandbox: RunningSandbox | undefined;
let store: StoreApp | undefined;
const server = createServer();

async function main(): Promise<void> {
  const gatewayName = chosenGateway();
  // Payment records and the sandbox's key are nobody else's business on a shared machine.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const generated = !process.env.ADMIN_PASSWORD;
  const adminPassword = process.env.ADMIN_PASSWORD || randomBytes(18).toString('base64url');
  const publicKeys = gatewayName === 'ummah' ? extraWebhookKeys() : [];
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
  // Every gateway's connection, as `tijara sandbox` writes it: `npx tijara webhooks listen|trigger` run from the
  // directory holding the data directory find this sandbox and its keys. The store's driver is configured from it.
  const connection = sandboxState(sandbox);
  writeSandboxStateIn(dataDir, connection);
  // Filled below with the gateway's keys; the loggers read it at every line.
  const secrets = [sandbox.secretKey, adminPassword];
  const logger = consoleLogger('store', secrets);
  const controlToken = process.env.TIJARA_SANDBOX_TOKEN || undefined;
  const gateway = connectGateway(gatewayName, connection, {
    logger: (component) => consoleLogger(component, secrets),
    ...(controlToken ? { controlToken } : {}),
    ummahPublicKeys: publicKeys,
  });
  secrets.push(...gateway.secrets);
  const { profile } = gateway;

  // Listen first: the store's public URL (with its real port) goes into every return URL.
  const storePort = await listen(server, port('STORE_PORT', 3000), host, 'STORE_PORT');
  const publicUrl = `http://${urlHost}:${storePort}`;
  store = await createStoreApp({
    driver: gateway.driver,
    publicUrl,
    dataDir,
    adminPassword,
    logger,
    secrets,
  });
  server.on('request', store.app);
  await gateway.registerWebhook(store.tijara.webhookUrl);

  const others = GATEWAY_NAMES.filter((name) => name !== gatewayName).join('|');
  const webhooks: Record<GatewayName, string> = {
    ummah: `npx tijara webhooks listen --forward-to ${store.tijara.webhookUrl}`,
    postpay: `Postpay's hooks reach ${store.tijara.webhookUrl}, signed with a secret made at start-up`,
    uhmi: "none: Uhmi's widget posts the transaction id back to the store, which reads it from Uhmi",
    numipay: `npx tijara webhooks listen --gateway numipay --forward-to ${store.tijara.webhookUrl}`,
  };
  process.stdout.write(
    [
      '',
      `  Souq Tijara is running on ${profile.title}, prices in ${profile.currency}`,
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
      `  Gateway:   ${profile.title} (TIJARA_GATEWAY=${gatewayName}); another: TIJARA_GATEWAY=${others} npm start`,
      `  Testing:   ${profile.testHint.replaceAll('`', '')}`,
      `  Webhooks:  ${webhooks[gatewayName]}`,
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
