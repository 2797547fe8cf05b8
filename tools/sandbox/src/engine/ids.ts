import { randomBytes, randomUUID } from 'node:crypto';

/** Object ids are UUIDs, as on the real gateway. */
export function newId(): string {
  return randomUUID();
}

/** A test secret key in the gateway's `sk_test_…` shape. */
export function newSecretKey(): string {
  return `sk_test_${randomBytes(24).toString('base64url')}`;
}

/** Unguessable token for download links that are fetched without the API key. */
export function newToken(): string {
  return randomBytes(18).toString('base64url');
}
