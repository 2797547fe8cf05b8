import { createNumipayDriver, type NumipayDriver } from '@tijara/numipay';

export function createDriver(env: NodeJS.ProcessEnv = process.env): NumipayDriver {
  return createNumipayDriver({
    apiKey: env.NUMIPAY_API_KEY ?? '', // back office → Settings → Credentials; a DEV key for test mode
    mode: env.NUMIPAY_MODE === 'live' ? 'live' : 'test',
    // The seed names no host and no paths: set what Numipay gave you (these defaults are unconfirmed).
    ...(env.NUMIPAY_BASE_URL ? { baseUrl: env.NUMIPAY_BASE_URL } : {}),
    paths: { depositCashier: env.NUMIPAY_CASHIER_PATH ?? 'api/v1/cashier/deposit' },
    ...(env.NUMIPAY_CASHIER_URL ? { cashierUrl: env.NUMIPAY_CASHIER_URL } : {}), // must contain {token}
    routingId: 210, // server-to-server card payments only
    webhooks: { signaturePasswords: [env.NUMIPAY_SIGNATURE_PASSWORD ?? ''].filter(Boolean) },
  });
}
