import { createServer } from 'node:net';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';

/** A port the OS just gave out: Medusa's test runner takes PORT from the environment, not a listening socket. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** What the store runs against in the tests: the gateway sandbox, and where Medusa will listen. */
export interface StoreWorld {
  readonly sandbox: RunningSandbox;
  readonly backendUrl: string;
  close(): Promise<void>;
}

/** Start the sandbox and point the store's configuration (read when Medusa boots) at it. */
export async function startStoreWorld(): Promise<StoreWorld> {
  const sandbox = await startSandbox({ port: 0 });
  const port = await freePort();
  const backendUrl = `http://localhost:${port}`;
  const postpay = sandbox.gateways.postpay;
  const postpayHookSecret = 'postpay-hook-secret-for-the-store-tests';
  await fetch(`${postpay.baseUrl(sandbox.url)}/hooks`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${postpay.merchantId}:${postpay.secretKey}`).toString('base64')}`,
      accept: 'application/vnd.postpay+json; version=v1',
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      events: ['order'],
      url: `${backendUrl}/hooks/payment/postpay_postpay`,
      secret: postpayHookSecret,
    }),
  }).then((r) => {
    if (!r.ok) throw new Error(`postpay hook: ${r.status}`);
  });
  Object.assign(process.env, {
    PORT: String(port),
    MEDUSA_BACKEND_URL: backendUrl,
    UMMAH_SECRET_KEY: sandbox.secretKey,
    UMMAH_BRAND_ID: sandbox.brandId,
    UMMAH_BASE_URL: sandbox.apiBase,
    // Manual capture, so the test captures from the admin as a merchant does.
    UMMAH_CAPTURE: 'manual',
    POSTPAY_MERCHANT_ID: postpay.merchantId,
    POSTPAY_SECRET_KEY: postpay.secretKey,
    POSTPAY_BASE_URL: postpay.baseUrl(sandbox.url),
    POSTPAY_HOOK_SECRET: postpayHookSecret,
    MEDUSA_WEBHOOK_DELAY_MS: '500',
    JWT_SECRET: 'test-jwt-secret',
    COOKIE_SECRET: 'test-cookie-secret',
  });
  return { sandbox, backendUrl, close: () => sandbox.close() };
}
