import { ConfigurationError } from '@tijara/core';

export type PostpayMode = 'test' | 'live';

export interface PostpayCredentials {
  readonly merchantId: string;
  readonly secretKey: string;
}

function fail(why: string, code: string, secretKey: unknown): never {
  throw new ConfigurationError(`Postpay ${why}`, {
    gateway: 'postpay',
    code,
    secrets: typeof secretKey === 'string' && secretKey !== '' ? [secretKey] : [],
  });
}

/**
 * Checks the credentials for the mistakes that are easy to make and expensive to find later, and reads the mode
 * from the key: `sk_test_…` talks to Postpay's sandbox, `sk_live_…` takes real money. The key never appears in a
 * message.
 */
export function parseCredentials(credentials: Partial<PostpayCredentials>): PostpayMode {
  const { merchantId, secretKey } = credentials;
  if (typeof merchantId !== 'string' || merchantId.trim() === '') {
    fail('merchantId is missing (dashboard → Settings → API keys)', 'missing_merchant_id', secretKey);
  }
  // HTTP Basic joins the two with a colon, so a colon in the id would move part of it into the password.
  if (merchantId.includes(':') || /\s/.test(merchantId)) {
    fail('merchantId may not contain a colon or whitespace', 'invalid_merchant_id', secretKey);
  }
  if (typeof secretKey !== 'string' || secretKey.trim() === '') {
    fail(
      'secretKey is missing: pass the secret key (sk_test_… or sk_live_…)',
      'missing_secret_key',
      secretKey,
    );
  }
  if (/^\s*basic\s/i.test(secretKey))
    fail('secretKey starts with "Basic": pass the key alone', 'invalid_secret_key', secretKey);
  if (/^pk_/.test(secretKey)) {
    fail(
      'secretKey is a public (pk_…) key; pass the secret key (sk_test_… or sk_live_…)',
      'invalid_secret_key',
      secretKey,
    );
  }
  if (/\s/.test(secretKey))
    fail('secretKey contains whitespace; check how it was copied', 'invalid_secret_key', secretKey);
  if (secretKey.startsWith('sk_test_')) return 'test';
  if (secretKey.startsWith('sk_live_')) return 'live';
  return fail('secretKey must start with sk_test_ or sk_live_', 'invalid_secret_key', secretKey);
}
