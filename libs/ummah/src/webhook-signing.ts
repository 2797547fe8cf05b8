import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';

export interface UmmahTestKeys {
  /** PEM (SPKI): give it to the driver as a webhook public key. */
  readonly publicKey: string;
  /** PEM (PKCS#8): keep it in the test that signs payloads. */
  readonly privateKey: string;
}

/** A fresh RSA key pair for signing test deliveries, like the gateway's own (2048-bit). */
export function generateUmmahTestKeys(): UmmahTestKeys {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey, privateKey };
}

/**
 * The `X-Signature` value Ummah would send for these exact bytes: base64 RSA PKCS#1 v1.5 over SHA-256.
 * For your own tests (the role of stripe's generateTestHeaderString); sign the bytes you then post unchanged.
 */
export function signUmmahPayload(rawBody: Buffer | Uint8Array | string, privateKeyPem: string): string {
  const bytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return sign('sha256', bytes, createPrivateKey(privateKeyPem)).toString('base64');
}

/** Headers for a signed test delivery: `{ 'content-type', 'x-signature' }`. */
export function ummahTestWebhookHeaders(
  rawBody: Buffer | Uint8Array | string,
  privateKeyPem: string,
): Record<string, string> {
  return { 'content-type': 'application/json', 'x-signature': signUmmahPayload(rawBody, privateKeyPem) };
}
