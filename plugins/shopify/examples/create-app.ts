import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import express from 'express';
import {
  createShopifyPaymentsApp,
  type GatewayOption,
  type ShopifyPaymentsApp,
  type ShopifyPaymentsAppOptions,
} from '@tijara/shopify';
import { createUmmahDriver, UMMAH_CAPABILITIES } from '@tijara/ummah';

/** What a merchant types into the settings page to connect Ummah. */
export function ummahGateway(baseUrl?: string): GatewayOption {
  return {
    name: 'ummah',
    label: 'Ummah',
    capabilities: UMMAH_CAPABILITIES,
    fields: [
      { name: 'secretKey', label: 'Secret key', secret: true },
      { name: 'brandId', label: 'Brand ID', help: 'Dashboard → Developers → Brands' },
    ],
    createDriver: (credentials) =>
      createUmmahDriver({
        secretKey: credentials.secretKey as string,
        brandId: credentials.brandId as string,
        ...(baseUrl ? { baseUrl } : {}),
      }),
    externalHandle: (credentials) => credentials.brandId,
  };
}

/**
 * The app behind a TLS-terminating proxy (nginx, a load balancer) that forwards Shopify's client certificate in
 * `X-Client-Cert`; every value comes from the environment (`overrides` is for tests: a fake Shopify's `fetch`).
 */
export async function startPaymentsApp(
  env: Record<string, string | undefined>,
  overrides: Partial<ShopifyPaymentsAppOptions> = {},
): Promise<{ app: ShopifyPaymentsApp; server: Server }> {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const app = await createShopifyPaymentsApp({
    apiKey: required('SHOPIFY_API_KEY'),
    apiSecretKey: required('SHOPIFY_API_SECRET'),
    publicUrl: required('APP_URL'),
    encryptionKey: required('ENCRYPTION_KEY'),
    // SQLite by default; postgres://… when several instances share the work.
    ...(env.DATABASE_URL ? { database: env.DATABASE_URL } : {}),
    gateways: [ummahGateway(env.UMMAH_BASE_URL)],
    mtls: {
      mode: 'proxy',
      ca: readFileSync(required('SHOPIFY_CA_FILE'), 'utf8'),
      trustedProxies: required('TRUSTED_PROXIES').split(','),
      header: 'x-client-cert',
    },
    alert: (alert) => console.error('payments alert', JSON.stringify(alert)),
    ...overrides,
  });
  const web = express();
  web.use(app.middleware);
  const server = createServer(web);
  await new Promise<void>((resolve) =>
    server.listen(Number(env.PORT ?? 3000), env.HOST ?? '127.0.0.1', resolve),
  );
  return { app, server };
}
