import { DigestSignatureVerifier, generateDigestTestHeader, type Logger } from '@tijara/core';

export const SIGNATURE_HEADER = 'x-signature';

/**
 * Numipay's `x-signature`: uppercase hex SHA-1 of `JSON.stringify(data) + signature_password` (seed 002). Core's
 * digest verifier checks the raw bytes first and the body re-serialised the way `JSON.stringify` does second,
 * in constant time, against every configured password (old and new during a rotation).
 */
export function createNumipayWebhookVerifier(
  signaturePasswords: readonly string[],
  logger?: Logger,
): DigestSignatureVerifier {
  return new DigestSignatureVerifier({
    gateway: { id: 'numipay', name: 'Numipay' },
    header: SIGNATURE_HEADER,
    algorithm: 'sha1',
    secrets: signaturePasswords,
    configureHint: 'set webhooks.signaturePasswords from the back office (Credentials)',
    ...(logger ? { logger } : {}),
  });
}

/** The `x-signature` Numipay would send for a payload (bytes as sent, or an object serialised as Numipay does). */
export function signNumipayPayload(payload: string | Buffer | object, signaturePassword: string): string {
  return generateDigestTestHeader({ payload, secret: signaturePassword, algorithm: 'sha1' });
}
