import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigurationError, readHeader, SignatureVerificationError, type HeaderBag } from '@tijara/core';

export const SIGNATURE_HEADER = 'x-signature';

function fail(message: string, code: string): SignatureVerificationError {
  return new SignatureVerificationError(message, { gateway: 'numipay', code });
}

function digest(data: Buffer, secret: Buffer): Buffer {
  return createHash('sha1').update(data).update(secret).digest();
}

/** `x-signature`: uppercase hex SHA-1 of the JSON data + the signature password (seed 002). */
export function signNumipayPayload(payload: string | Buffer | object, signaturePassword: string): string {
  const data = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8');
  return digest(data, Buffer.from(signaturePassword, 'utf8')).toString('hex').toUpperCase();
}

/** Verifies over the raw bytes first, then over the body re-serialised as `JSON.stringify` does. */
export class NumipayWebhookVerifier {
  readonly #secrets: readonly Buffer[];

  constructor(signaturePasswords: readonly string[]) {
    for (const password of signaturePasswords) {
      if (typeof password !== 'string' || password.trim() === '') {
        throw new ConfigurationError('Numipay signature password is empty', {
          gateway: 'numipay',
          code: 'invalid_secret',
        });
      }
    }
    this.#secrets = signaturePasswords.map((p) => Buffer.from(p, 'utf8'));
  }

  async verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer> {
    let body: Buffer;
    if (Buffer.isBuffer(rawBody)) body = rawBody;
    else if (rawBody instanceof Uint8Array) body = Buffer.from(rawBody);
    else if (typeof rawBody === 'string') body = Buffer.from(rawBody, 'utf8');
    else throw fail('Pass the raw request body (a Buffer), not a parsed object', 'parsed_body');
    if (body.length === 0) throw fail('The webhook body is empty', 'empty_body');
    const text = readHeader(headers, SIGNATURE_HEADER)?.trim();
    if (!text)
      throw fail('Missing x-signature header: this request was not signed by Numipay', 'missing_signature');
    if (!/^[0-9a-fA-F]{40}$/.test(text))
      throw fail('x-signature is not a hex SHA-1 digest', 'malformed_signature');
    if (this.#secrets.length === 0) throw fail('No Numipay signature password configured', 'no_secret');
    const signature = Buffer.from(text, 'hex');
    let other: Buffer | undefined;
    try {
      const json = JSON.stringify(JSON.parse(body.toString('utf8')));
      if (json !== undefined && !Buffer.from(json).equals(body)) other = Buffer.from(json, 'utf8');
    } catch {
      other = undefined;
    }
    for (const secret of this.#secrets) {
      if (timingSafeEqual(digest(body, secret), signature)) return body;
      if (other && timingSafeEqual(digest(other, secret), signature)) return body;
    }
    throw fail(
      'x-signature does not match the body with any configured signature password',
      'invalid_signature',
    );
  }
}
