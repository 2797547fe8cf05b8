/**
 * `npm run start:shopify` (at the repository root).
 *
 * Local mode (no SHOPIFY_API_KEY): the gateway sandbox, a local fake Shopify and the app, wired together with
 * nothing to configure; `/dev/checkout` plays Shopify's checkout. APP_PORT (3001) and SANDBOX_PORT (4020, beside the Express store's 4010) move
 * them, HOST (127.0.0.1) changes the interface, TIJARA_DATA_DIR (<repo>/.tijara) holds the files.
 *
 * Live mode (SHOPIFY_API_KEY set): the app for real Shopify — see README.md for every variable.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import {
  createShopifyPaymentsApp,
  mtlsServerOptions,
  startFakeShopify,
  type FakeShopify,
  type MtlsOptions,
  type ShopifyPaymentsApp,
} from '@tijara/shopify';
import { consoleLogger } from './console-logger.js';
import { gateways } from './gateways.js';
import { connectLocalShop, devCheckout, LOCAL_SHOPS } from './local-shopify.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = process.env.TIJARA_DATA_DIR ?? join(repoRoot, '.tijara');
const host = process.env.HOST ?? '127.0.0.1';
const urlHost = host.includes(':') ? `[${host}]` : host;

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new Error(`${name} must be a port number, got "${raw}"`);
  return value;
}

function listen(server: Server, portNumber: number, envName: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${portNumber} is in use: pick another with ${envName}=${portNumber + 1}`)
          : error,
      ),
    );
    server.listen(portNumber, host, () => resolve((server.address() as AddressInfo).port));
  });
}

let sandbox: RunningSandbox | undefined;
let fake: FakeShopify | undefined;
let app: ShopifyPaymentsApp | undefined;
let server: Server | undefined;

async function local(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  // The fake Shopify keeps its sessions in memory: the app's records start fresh with it.
  const database = join(dataDir, 'shopify-local.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
  sandbox = await startSandbox({
    port: port('SANDBOX_PORT', 4020),
    host,
    dbFile: join(dataDir, 'sandbox.sqlite'),
  });
  const apiSecretKey = `shpss_local_${randomBytes(16).toString('hex')}`;
  fake = await startFakeShopify({ apiKey: 'local-app', apiSecretKey });
  const numipay = sandbox.gateways.numipay;
  const secrets = [
    sandbox.secretKey,
    sandbox.gateways.postpay.secretKey,
    numipay.apiKey,
    numipay.signaturePassword,
    apiSecretKey,
  ];
  const web = express();
  server = createHttpServer(web);
  const appPort = await listen(server, port('APP_PORT', 3001), 'APP_PORT');
  const publicUrl = `http://${urlHost}:${appPort}`;
  app = await createShopifyPaymentsApp({
    apiKey: 'local-app',
    apiSecretKey,
    publicUrl,
    encryptionKey: randomBytes(32).toString('hex'),
    gateways: gateways({
      ummahBaseUrl: sandbox.apiBase,
      postpayBaseUrl: `${sandbox.url}/postpay`,
      numipayBaseUrl: numipay.baseUrl(sandbox.url),
      numipayCashierUrl: numipay.cashierUrl(sandbox.url),
      logger: consoleLogger('gateway', secrets),
    }),
    mtls: { mode: 'off' },
    testMode: true,
    database: `sqlite:${database}`,
    fetch: fake.fetch,
    logger: consoleLogger('app', secrets),
    secrets,
  });
  web.use(devCheckout(app, fake));
  web.use(app.middleware);
  await connectLocalShop(publicUrl, fake, LOCAL_SHOPS.ummah, 'ummah', {
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
  });
  await connectLocalShop(publicUrl, fake, LOCAL_SHOPS.postpay, 'postpay', {
    merchantId: sandbox.gateways.postpay.merchantId,
    secretKey: sandbox.gateways.postpay.secretKey,
  });
  await connectLocalShop(publicUrl, fake, LOCAL_SHOPS.numipay, 'numipay', {
    apiKey: numipay.apiKey,
    signaturePassword: numipay.signaturePassword,
  });
  process.stdout.write(
    [
      '',
      '  Tijara Shopify payments app (local mode)',
      '',
      `    Try a checkout  ${publicUrl}/dev/checkout`,
      `    App             ${publicUrl}  (shops ${LOCAL_SHOPS.ummah} on Ummah, ${LOCAL_SHOPS.postpay} on Postpay, ${LOCAL_SHOPS.numipay} on Numipay; test mode)`,
      `    Shopify (fake)  ${fake.url}`,
      `    Sandbox         ${sandbox.url}`,
      '',
      '  Ummah test cards: 4242 4242 4242 4242 pays · 4000 0000 0000 0002 is declined · 4000 0000 0000 9995 has no funds',
      '  Postpay: any phone, its last 4 digits as the SMS code, card 4111 1111 1111 1111 approves',
      '  Numipay (GBP, EUR…): Pay or Simulate a declined payment at the cashier',
      '  Press Ctrl+C to stop.',
      '',
      `app listening on ${publicUrl}`,
      '',
    ].join('\n'),
  );
}

async function live(): Promise<void> {
  const env = process.env;
  const missing = [
    'SHOPIFY_API_KEY',
    'SHOPIFY_API_SECRET',
    'APP_URL',
    'ENCRYPTION_KEY',
    'SHOPIFY_CA_FILE',
  ].filter((name) => !env[name]);
  const direct = Boolean(env.TLS_CERT_FILE && env.TLS_KEY_FILE);
  if (!direct && !env.TRUSTED_PROXIES)
    missing.push('TLS_CERT_FILE + TLS_KEY_FILE (direct TLS) or TRUSTED_PROXIES (behind a proxy)');
  if (missing.length > 0) throw new Error(`Live mode needs: ${missing.join(', ')}`);
  const ca = readFileSync(env.SHOPIFY_CA_FILE as string, 'utf8');
  const mtls: MtlsOptions = direct
    ? { mode: 'direct', ca }
    : {
        mode: 'proxy',
        ca,
        trustedProxies: (env.TRUSTED_PROXIES as string).split(','),
        header: env.CLIENT_CERT_HEADER ?? 'x-client-cert',
      };
  const secrets = [env.SHOPIFY_API_SECRET as string, env.ENCRYPTION_KEY as string];
  const web = express();
  app = await createShopifyPaymentsApp({
    apiKey: env.SHOPIFY_API_KEY as string,
    apiSecretKey: env.SHOPIFY_API_SECRET as string,
    publicUrl: env.APP_URL as string,
    encryptionKey: env.ENCRYPTION_KEY as string,
    ...(env.DATABASE_URL
      ? { database: env.DATABASE_URL }
      : { database: `sqlite:${join(dataDir, 'shopify.sqlite')}` }),
    gateways: gateways({
      ...(env.UMMAH_BASE_URL ? { ummahBaseUrl: env.UMMAH_BASE_URL } : {}),
      ...(env.POSTPAY_BASE_URL ? { postpayBaseUrl: env.POSTPAY_BASE_URL } : {}),
      ...(env.NUMIPAY_BASE_URL ? { numipayBaseUrl: env.NUMIPAY_BASE_URL } : {}),
      ...(env.NUMIPAY_CASHIER_URL ? { numipayCashierUrl: env.NUMIPAY_CASHIER_URL } : {}),
      logger: consoleLogger('gateway', secrets),
    }),
    mtls,
    logger: consoleLogger('app', secrets),
    secrets,
    alert: (alert) => void process.stderr.write(`ALERT ${JSON.stringify(alert)}\n`),
  });
  web.use(app.middleware);
  server = direct
    ? createHttpsServer(
        mtlsServerOptions({
          key: readFileSync(env.TLS_KEY_FILE as string),
          cert: readFileSync(env.TLS_CERT_FILE as string),
          ca,
        }),
        web,
      )
    : createHttpServer(web);
  const listening = await listen(server, port('PORT', direct ? 443 : 3000), 'PORT');
  process.stdout.write(
    `\n  Tijara Shopify payments app on port ${listening} (${direct ? 'direct TLS' : 'behind a proxy'}), public URL ${env.APP_URL}\n`,
  );
  for (const [name, url] of Object.entries(app.urls)) process.stdout.write(`    ${name.padEnd(15)} ${url}\n`);
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await app?.close().catch(() => undefined);
  await fake?.close().catch(() => undefined);
  await sandbox?.close().catch(() => undefined);
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

(process.env.SHOPIFY_API_KEY ? live() : local()).catch((error: unknown) => {
  console.error(
    `\nCould not start the Shopify app: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  void stop(1);
});
