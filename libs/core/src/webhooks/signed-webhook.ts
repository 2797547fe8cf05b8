import { getHashes } from 'node:crypto';
import { ConfigurationError, SignatureVerificationError } from '../errors.js';
import { readHeader, type HeaderBag } from '../gateway.js';

/** Authenticates a webhook delivery over its exact raw bytes. */
export interface WebhookSignatureVerifier {
  /** Resolves with the verified bytes; rejects with SignatureVerificationError saying what is wrong. */
  verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer>;
}

/**
 * The gateway a verifier works for. A string is both the `gateway` of its errors and the name in their
 * messages; give `{ id, name }` when they differ (`{ id: 'ummah', name: 'Ummah' }`).
 */
export type GatewayLabel = string | { readonly id: string; readonly name: string };

export const gatewayIdOf = (gateway: GatewayLabel): string =>
  typeof gateway === 'string' ? gateway : gateway.id;
export const gatewayNameOf = (gateway: GatewayLabel): string =>
  typeof gateway === 'string' ? gateway : gateway.name;

/**
 * The codes a SignatureVerificationError carries, whatever the scheme, so a caller can tell a forgery from a
 * misconfiguration or a clock problem without parsing messages.
 */
export const SIGNATURE_ERROR_CODES = {
  /** No body at all (the framework consumed it?). */
  missingBody: 'missing_body',
  emptyBody: 'empty_body',
  /** A parsed object instead of the raw bytes. */
  parsedBody: 'parsed_body',
  /** No signature header. */
  missing: 'missing_signature',
  /** A signature header that is not in the scheme's format. */
  malformed: 'malformed_signature',
  /** A genuine signature whose timestamp is too far from now, either way (a replay, or a wrong clock). */
  expired: 'timestamp_out_of_tolerance',
  /** No key verifies the signature. */
  mismatch: 'invalid_signature',
  /** No key to verify with (the default; a verifier may name its own, e.g. `no_secret`). */
  noKey: 'no_key',
} as const;
export type SignatureErrorCode = (typeof SIGNATURE_ERROR_CODES)[keyof typeof SIGNATURE_ERROR_CODES];

export function signatureError(
  gateway: GatewayLabel,
  message: string,
  code: SignatureErrorCode | (string & {}),
): SignatureVerificationError {
  return new SignatureVerificationError(message, { gateway: gatewayIdOf(gateway), code });
}

/** The exact bytes to verify; a parsed object is refused with the usual fix spelled out. */
export function rawBodyBytes(rawBody: unknown, gateway: GatewayLabel): Buffer {
  if (Buffer.isBuffer(rawBody)) return rawBody;
  if (rawBody instanceof Uint8Array)
    return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (rawBody === undefined || rawBody === null) {
    throw signatureError(
      gateway,
      'No request body to verify: pass the raw request body (a Buffer), e.g. express.raw({ type: "application/json" })',
      SIGNATURE_ERROR_CODES.missingBody,
    );
  }
  throw signatureError(
    gateway,
    `The webhook body is a parsed ${Array.isArray(rawBody) ? 'array' : typeof rawBody}, not bytes: pass the raw ` +
      'request body, e.g. express.raw({ type: "application/json" }) instead of express.json(); re-serialized JSON ' +
      'never matches the signature',
    SIGNATURE_ERROR_CODES.parsedBody,
  );
}

/**
 * The non-empty raw body and the trimmed signature header of a delivery, or the error saying which is missing.
 * The first step of every verifier, whatever the signature scheme.
 */
export function readSignedWebhook(
  rawBody: unknown,
  headers: HeaderBag | undefined,
  gateway: GatewayLabel,
  header: string,
): { readonly body: Buffer; readonly signature: string } {
  const body = rawBodyBytes(rawBody, gateway);
  if (body.length === 0) {
    throw signatureError(
      gateway,
      'The webhook body is empty; nothing was signed',
      SIGNATURE_ERROR_CODES.emptyBody,
    );
  }
  const signature = headers ? readHeader(headers, header)?.trim() : undefined;
  if (!signature) {
    throw signatureError(
      gateway,
      `Missing ${header} header: this request was not signed by ${gatewayNameOf(gateway)}`,
      SIGNATURE_ERROR_CODES.missing,
    );
  }
  return { body, signature };
}

/**
 * Refuse a hash name node does not know, at construction: verify() treats a throw as a mismatch, so a typo would
 * otherwise refuse every delivery as forged.
 */
export function assertDigestAlgorithm(algorithm: string, gateway: GatewayLabel): void {
  if (!getHashes().includes(algorithm.toLowerCase())) {
    throw new ConfigurationError(
      `${gatewayNameOf(gateway)} signature digest "${algorithm}" is not supported`,
      {
        gateway: gatewayIdOf(gateway),
        code: 'invalid_digest',
      },
    );
  }
}
