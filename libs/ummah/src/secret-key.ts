import { ConfigurationError } from '@tijara/core';

export type UmmahMode = 'test' | 'live';

/**
 * Checks a secret key for the mistakes that are easy to make and expensive to discover later (a public key, a
 * PEM, a pasted `Bearer` prefix), and reads the mode from its prefix. Keys without the `sk_test_`/`sk_live_`
 * prefix are accepted because CHIP-compatible deployments issue unprefixed keys; their mode comes from
 * `fallbackMode`. The key itself never appears in a message.
 */
export function parseSecretKey(secretKey: unknown, fallbackMode: UmmahMode = 'live'): UmmahMode {
  const fail = (why: string, code = 'invalid_secret_key') => {
    throw new ConfigurationError(`Ummah secretKey ${why}`, {
      gateway: 'ummah',
      code,
      secrets: typeof secretKey === 'string' ? [secretKey] : [],
    });
  };
  if (typeof secretKey !== 'string' || secretKey.trim() === '') {
    return fail('is missing: pass the secret API key (sk_test_… or sk_live_…)', 'missing_secret_key');
  }
  if (/PUBLIC KEY-----|PRIVATE KEY-----/.test(secretKey)) {
    return fail('is a PEM key; pass the secret API key (sk_test_… or sk_live_…), not a signing key');
  }
  if (/^\s*bearer\s/i.test(secretKey)) return fail('starts with "Bearer": pass the key alone');
  if (/^pk_/.test(secretKey)) {
    return fail('is a public (pk_…) key; pass the secret key (sk_test_… or sk_live_…)');
  }
  if (/^(rk|whsec)_/.test(secretKey)) {
    return fail('is not an API secret key; pass the secret key (sk_test_… or sk_live_…)');
  }
  if (/\s/.test(secretKey)) return fail('contains whitespace; check how it was copied');
  if (secretKey.startsWith('sk_test_')) return 'test';
  if (secretKey.startsWith('sk_live_')) return 'live';
  if (secretKey.startsWith('sk_')) return fail('has an unknown mode; expected sk_test_… or sk_live_…');
  return fallbackMode;
}
