import { createPrivateKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export interface RsaKeyPair {
  /** SPKI PEM: what the API hands out (`GET /public_key/`, `Webhook.public_key`). */
  publicKey: string;
  /** PKCS#8 PEM: stays inside the sandbox (SQLite), never in an API response or a log line. */
  privateKey: string;
}

/** A fresh RSA-2048 pair, the size the gateway uses for its callback keys. */
export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  const { publicKey, privateKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey, privateKey };
}

const keyCache = new Map<string, KeyObject>();

/**
 * `X-Signature`: base64 of an RSA PKCS#1 v1.5 signature over the SHA-256 digest of the exact body bytes,
 * as the gateway's verification guide describes (no timestamp is signed).
 */
export function signBody(body: string | Buffer, privateKeyPem: string): string {
  let key = keyCache.get(privateKeyPem);
  if (!key) {
    key = createPrivateKey(privateKeyPem);
    keyCache.set(privateKeyPem, key);
  }
  return sign('sha256', typeof body === 'string' ? Buffer.from(body, 'utf8') : body, key).toString('base64');
}
