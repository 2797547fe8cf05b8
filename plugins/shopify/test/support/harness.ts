/**
 * A real payments app around the plugin: Express 5 on a loopback port, the gateway sandbox, and a fake Shopify
 * that validates every GraphQL document against Shopify's published schema. Shops are installed through the real
 * OAuth round trip and configured through the real settings page. Nothing of the project is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Logger } from '@tijara/core';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import {
  createShopifyPaymentsApp,
  mtlsServerOptions,
  type GatewayOption,
  type ShopifyAlert,
  type ShopifyPaymentsApp,
  type ShopifyPaymentsAppOptions,
} from '../../src/index.js';
import { startFakeShopify, type FakeShopify } from '../../src/testing/fake-shopify.js';
import type { TestPki } from './certs.js';
import { ummahOnSandbox } from './gateways.js';

export const API_KEY = 'test-api-key';
export const API_SECRET = 'shpss_test_secret_0123456789abcdef';

/** Every log line of the run, as JSON text, for the no-secrets assertions. */
export const capturedLogs: string[] = [];

export function captureLogger(component: string): Logger {
  const write = (level: string) => (obj: object, msg?: string) => {
    capturedLogs.push(JSON.stringify({ component, level, msg, ...obj }));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export function startTestSandbox(): Promise<RunningSandbox> {
  return startSandbox({ port: 0, webhookTimeScale: 0.001, logger: captureLogger('sandbox') });
}

/** Ummah as a merchant would connect it, on the test's sandbox. */
export function ummahGateway(sandbox: RunningSandbox): GatewayOption {
  return ummahOnSandbox(sandbox.apiBase, captureLogger('ummah'));
}

export interface AppHarness {
  readonly url: string;
  readonly app: ShopifyPaymentsApp;
  readonly fake: FakeShopify;
  readonly alerts: ShopifyAlert[];
  readonly server: Server;
  close(): Promise<void>;
}

export interface AppHarnessOptions {
  readonly fake?: FakeShopify;
  readonly gateways: readonly GatewayOption[];
  readonly database?: string;
  readonly options?: Partial<ShopifyPaymentsAppOptions>;
  /** Serve HTTPS with mTLS in direct mode, trusting `pki.caCert`. */
  readonly tls?: TestPki;
}

let databaseSeq = 0;

export async function startApp(harness: AppHarnessOptions): Promise<AppHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'tijara-shopify-app-'));
  const fake = harness.fake ?? (await startFakeShopify({ apiKey: API_KEY, apiSecretKey: API_SECRET }));
  const web = express();
  const server = harness.tls
    ? createHttpsServer(
        mtlsServerOptions({
          key: harness.tls.serverKey,
          cert: harness.tls.serverCert,
          ca: harness.tls.caCert,
        }),
        web,
      )
    : createHttpServer(web);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${harness.tls ? 'https' : 'http'}://${harness.tls ? 'localhost' : '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  const alerts: ShopifyAlert[] = [];
  const cleanUp = async () => {
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!harness.fake) await fake.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const app = await createShopifyPaymentsApp({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    publicUrl: url,
    gateways: harness.gateways,
    encryptionKey: randomBytes(32).toString('hex'),
    mtls: harness.tls ? { mode: 'direct', ca: harness.tls.caCert } : { mode: 'off' },
    testMode: true,
    database: harness.database ?? `sqlite:${join(dir, `app-${++databaseSeq}.sqlite`)}`,
    fetch: fake.fetch,
    logger: captureLogger('app'),
    alert: (alert) => void alerts.push(alert),
    outbox: { baseDelayMs: 50, maxDelayMs: 200, pollIntervalMs: 50, leaseMs: 5_000 },
    reconcile: false,
    ...harness.options,
  }).catch(async (error: unknown) => {
    await cleanUp();
    throw error;
  });
  // Mounted once the app exists: its public URL needed the server's port first.
  web.use(app.middleware);
  return {
    url,
    app,
    fake,
    alerts,
    server,
    close: async () => {
      await app.close();
      await cleanUp();
    },
  };
}

/** OAuth's begin and callback answer 410 to what looks like a bot, and Node's fetch does. */
export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';

/** A tiny cookie jar for one browser-less merchant. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, ...value] = (pair as string).split('=');
      if (!name) continue;
      const text = value.join('=');
      if (text === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name.trim());
      else this.#cookies.set(name.trim(), text);
    }
  }
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * The merchant installs the app: `/auth` → Shopify's authorize page (the fake grants at once) → the app's
 * callback, which exchanges the code at the fake token endpoint. Returns the signed-in merchant's cookies.
 */
/** Where a merchant's browser goes: an app's base URL, and the fake Shopify it is installed from. */
export type MerchantTarget = Pick<AppHarness, 'url' | 'fake'>;

export async function installShop(harness: MerchantTarget, shop: string): Promise<CookieJar> {
  const jar = new CookieJar();
  const begin = await fetch(`${harness.url}/auth?shop=${shop}`, {
    redirect: 'manual',
    headers: { 'user-agent': BROWSER_UA },
  });
  jar.take(begin);
  const authorize = begin.headers.get('location') as string;
  if (begin.status !== 302 || !authorize.startsWith(`https://${shop}/admin/oauth/authorize`)) {
    throw new Error(`OAuth did not start: ${begin.status} ${authorize}`);
  }
  const granted = await harness.fake.fetch(authorize, { redirect: 'manual' });
  const callback = granted.headers.get('location') as string;
  const done = await fetch(callback, {
    redirect: 'manual',
    headers: { cookie: jar.header(), 'user-agent': BROWSER_UA },
  });
  jar.take(done);
  if (done.status !== 303) throw new Error(`OAuth callback answered ${done.status}: ${await done.text()}`);
  return jar;
}

/** The merchant saves gateway credentials on the settings page (which checks them against the gateway). */
export async function saveSettings(
  harness: MerchantTarget,
  jar: CookieJar,
  gateway: string,
  credentials: Record<string, string>,
  testMode = true,
): Promise<{ status: number; html: string }> {
  const page = await fetch(`${harness.url}/settings`, { headers: { cookie: jar.header() } });
  const html = await page.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const form = new URLSearchParams({ csrf, gateway, ...(testMode ? { test_mode: 'on' } : {}) });
  for (const [name, value] of Object.entries(credentials)) form.set(`${gateway}.${name}`, value);
  const saved = await fetch(`${harness.url}/settings`, {
    method: 'POST',
    headers: {
      cookie: jar.header(),
      'content-type': 'application/x-www-form-urlencoded',
      origin: harness.url,
    },
    body: form,
  });
  return { status: saved.status, html: await saved.text() };
}

/** Install and connect a shop to the sandbox's Ummah account. */
export async function connectUmmahShop(
  harness: MerchantTarget,
  sandbox: RunningSandbox,
  shop: string,
): Promise<void> {
  const jar = await installShop(harness, shop);
  const saved = await saveSettings(harness, jar, 'ummah', {
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
  });
  if (saved.status !== 200) throw new Error(`settings not saved: ${saved.status} ${saved.html}`);
}

export function uniqueShop(label: string): string {
  return `${label}-${process.pid}-${randomBytes(3).toString('hex')}.myshopify.com`;
}

export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'tijara-shopify-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A sandbox, the app on it and one shop installed and connected to Ummah, for one test file. */
export interface UmmahApp {
  readonly sandbox: RunningSandbox;
  readonly harness: AppHarness;
  readonly shop: string;
}

/** Registers the file's beforeAll/afterAll; read the fields inside tests. */
export function useUmmahApp(label: string, options: Partial<ShopifyPaymentsAppOptions> = {}): UmmahApp {
  const context = { shop: uniqueShop(label) } as {
    sandbox: RunningSandbox;
    harness: AppHarness;
    shop: string;
  };
  beforeAll(async () => {
    context.sandbox = await startTestSandbox();
    context.harness = await startApp({ gateways: [ummahGateway(context.sandbox)], options });
    await connectUmmahShop(context.harness, context.sandbox, context.shop);
  });
  afterAll(async () => {
    await context.harness?.close();
    await context.sandbox?.close();
  });
  return context;
}
