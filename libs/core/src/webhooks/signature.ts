import { createHash, createPublicKey, getHashes, verify as verifyWithKey, type KeyObject } from 'node:crypto';
import {
  ConfigurationError,
  GatewayError,
  SignatureVerificationError,
  TijaraError,
  type TijaraErrorOptions,
} from '../errors.js';
import { readHeader, type HeaderBag } from '../gateway.js';
import { silentLogger, type Logger } from '../logger.js';

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

const idOf = (gateway: GatewayLabel) => (typeof gateway === 'string' ? gateway : gateway.id);
const nameOf = (gateway: GatewayLabel) => (typeof gateway === 'string' ? gateway : gateway.name);

function signatureError(gateway: GatewayLabel, message: string, code: string): SignatureVerificationError {
  return new SignatureVerificationError(message, { gateway: idOf(gateway), code });
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
      'missing_body',
    );
  }
  throw signatureError(
    gateway,
    `The webhook body is a parsed ${Array.isArray(rawBody) ? 'array' : typeof rawBody}, not bytes: pass the raw ` +
      'request body, e.g. express.raw({ type: "application/json" }) instead of express.json(); re-serialized JSON ' +
      'never matches the signature',
    'parsed_body',
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
    throw signatureError(gateway, 'The webhook body is empty; nothing was signed', 'empty_body');
  }
  const signature = headers ? readHeader(headers, header)?.trim() : undefined;
  if (!signature) {
    throw signatureError(
      gateway,
      `Missing ${header} header: this request was not signed by ${nameOf(gateway)}`,
      'missing_signature',
    );
  }
  return { body, signature };
}

/** A public key as PEM text (real newlines or escaped `\n`, optionally JSON-quoted) or a parsed KeyObject. */
export type PublicKeyInput = string | KeyObject;

/** PEM text as gateways hand it out: maybe JSON-quoted, maybe with literal `\n` escapes. */
export function normalizePem(text: string): string {
  let pem = text.trim();
  if (pem.startsWith('"')) {
    try {
      pem = String(JSON.parse(pem));
    } catch {
      // Not JSON after all; keep the text as it is.
    }
  }
  return pem
    .replace(/\\r\\n|\\n/g, '\n')
    .replace(/\r\n/g, '\n')
    .trim();
}

/** Parse a public key once; a private key or garbage is a configuration mistake, reported without echoing it. */
export function parsePublicKey(input: PublicKeyInput, gateway: GatewayLabel): KeyObject {
  const invalid = (message: string, extra: TijaraErrorOptions) =>
    new ConfigurationError(`${nameOf(gateway)} ${message}`, {
      gateway: idOf(gateway),
      code: 'invalid_public_key',
      ...extra,
    });
  if (typeof input !== 'string') {
    if (input.type !== 'public') {
      throw invalid('webhook keys must be public keys; a private key was given', {});
    }
    return input;
  }
  const pem = normalizePem(input);
  if (/PRIVATE KEY/.test(pem)) {
    throw invalid('webhook keys must be public keys; a private key was given', { secrets: [input] });
  }
  try {
    return createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    // The cause is node's parse error, which names the format, never the key's bytes.
    throw invalid('webhook public key is not a valid PEM public key', { cause: error });
  }
}

/** Identifies a public key by a hash of its SPKI encoding, so the same key in two spellings is one key. */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Where fresh keys come from (an API call, a re-read of webhook objects…); its failure is reported as such. */
export type KeySource<I> = () => Promise<readonly I[]>;

export interface KeyRingOptions<K, I> {
  readonly gateway: GatewayLabel;
  /** Turns a configured or refreshed input into a key; throws ConfigurationError (never echoing it) when invalid. */
  readonly parse: (input: I) => K;
  /** A stable id for a key that reveals nothing of it (a hash), used to deduplicate. */
  readonly fingerprint: (key: K) => string;
  /** Accepted from the start: give old and new during a rotation; any one verifying is enough. */
  readonly keys?: readonly I[];
  /** Asked for fresh keys, all at once, when no key verifies a signature. */
  readonly sources?: readonly KeySource<I>[];
  /**
   * At most one refresh per this many ms (default 60 000), so a flood of forged signatures cannot turn into a
   * flood of requests to the gateway. Concurrent failures share one refresh.
   */
  readonly minRefreshIntervalMs?: number;
  /** Keys learned by refreshing are kept up to this many (default 8); the one a source returned longest ago goes first. */
  readonly maxRefreshedKeys?: number;
  /** How messages name the signature (`X-Signature`) and one key (`Ummah public key`, `Postpay hook secret`). */
  readonly names: { readonly signature: string; readonly key: string };
  /** How to configure a key, appended to the error when there is none. */
  readonly configureHint?: string;
  /** The error code when there is no key at all (default `no_key`). */
  readonly noKeyCode?: string;
  readonly logger?: Logger;
  /** Clock, injectable so the refresh limit is testable without waiting. */
  readonly now?: () => number;
}

const DEFAULT_MIN_REFRESH_INTERVAL_MS = 60_000;
// Enough for a rotation's overlap (old and new, per webhook) without growing forever under churn.
const DEFAULT_MAX_REFRESHED_KEYS = 8;

/**
 * The keys a webhook signature may be made with, whatever the scheme: public keys for RSA, secrets for HMAC.
 * Keys are parsed once. When none verifies, the ring refreshes once from its sources (rate limited, shared by
 * concurrent failures) and tries again: that is how a rotation is picked up without a restart.
 */
export class KeyRing<K, I = K> {
  readonly #options: KeyRingOptions<K, I>;
  readonly #configured = new Map<string, K>();
  readonly #refreshed = new Map<string, K>();
  readonly #sources: readonly KeySource<I>[];
  readonly #logger: Logger;
  readonly #now: () => number;
  #lastRefreshAt: number | undefined;
  #inflight: Promise<void> | undefined;
  // Reported instead of "no key" while the rate limit holds back a retry of a source that failed.
  #lastFailure: { readonly error: unknown } | undefined;

  constructor(options: KeyRingOptions<K, I>) {
    this.#options = options;
    this.#sources = options.sources ?? [];
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    for (const input of options.keys ?? []) this.add(input);
  }

  /** Number of distinct keys accepted now (configured + learned by refreshing). */
  get size(): number {
    return this.#configured.size + this.#refreshed.size;
  }

  get canRefresh(): boolean {
    return this.#sources.length > 0;
  }

  /** Accept a key from now on (e.g. that of a webhook you just created); it is never evicted. */
  add(input: I): void {
    const key = this.#options.parse(input);
    const id = this.#options.fingerprint(key);
    this.#refreshed.delete(id);
    this.#configured.set(id, key);
  }

  /**
   * Resolves with the first key `check` accepts, refreshing once if none does. Rejects with
   * SignatureVerificationError when none verifies, or with the source's own error when a refresh that was
   * needed could not learn any key (gateway down?), so the delivery is retried rather than refused as forged.
   */
  async verify(check: (key: K) => boolean): Promise<K> {
    const { names, configureHint } = this.#options;
    const matched = this.#find(check);
    if (matched !== undefined) return matched;
    if (!this.canRefresh) {
      if (this.size === 0) {
        throw this.#fail(
          `No ${names.key} configured${configureHint ? `: ${configureHint}` : ''}`,
          this.#noKey,
        );
      }
      throw this.#fail(
        `${names.signature} does not match the body with any configured ${names.key}`,
        'invalid_signature',
      );
    }
    const refreshed = await this.refresh();
    if (this.size === 0) {
      if (this.#lastFailure) throw this.#lastFailure.error;
      throw this.#fail(`No ${names.key} available: none configured and the refresh found none`, this.#noKey);
    }
    const retried = refreshed ? this.#find(check) : undefined;
    if (retried !== undefined) return retried;
    throw this.#fail(
      refreshed
        ? `${names.signature} does not match the body with any ${names.key}, even after refreshing the keys`
        : `${names.signature} does not match the body with any ${names.key} (keys were refreshed recently; not again yet)`,
      'invalid_signature',
    );
  }

  /**
   * Ask every source for fresh keys, unless a refresh ran less than `minRefreshIntervalMs` ago. True when a
   * refresh ran (now or concurrently); false when the rate limit skipped it. Rejects like `verify` when the
   * sources failed and no key was learned.
   */
  async refresh(): Promise<boolean> {
    if (this.#inflight) {
      await this.#inflight;
      return true;
    }
    const now = this.#now();
    const interval = this.#options.minRefreshIntervalMs ?? DEFAULT_MIN_REFRESH_INTERVAL_MS;
    if (this.#lastRefreshAt !== undefined && now - this.#lastRefreshAt < interval) return false;
    this.#lastRefreshAt = now;
    this.#inflight = this.#load().finally(() => {
      this.#inflight = undefined;
    });
    await this.#inflight;
    return true;
  }

  get #noKey(): string {
    return this.#options.noKeyCode ?? 'no_key';
  }

  #find(check: (key: K) => boolean): K | undefined {
    for (const keys of [this.#configured, this.#refreshed]) {
      for (const key of keys.values()) if (check(key)) return key;
    }
    return undefined;
  }

  async #load(): Promise<void> {
    const { parse, fingerprint, gateway } = this.#options;
    const found: K[] = [];
    const errors: unknown[] = [];
    // An async wrapper, so a source that throws synchronously counts as a failed source too.
    const results = await Promise.allSettled(this.#sources.map(async (source) => source()));
    for (const result of results) {
      if (result.status === 'rejected') {
        errors.push(result.reason);
        continue;
      }
      for (const input of result.value) {
        try {
          found.push(parse(input));
        } catch (error) {
          errors.push(error);
        }
      }
    }
    for (const key of found) {
      const id = fingerprint(key);
      if (this.#configured.has(id)) continue;
      // Re-inserting moves a key seen again to the newest end, so the cap evicts keys no source returns anymore.
      this.#refreshed.delete(id);
      this.#refreshed.set(id, key);
    }
    const cap = this.#options.maxRefreshedKeys ?? DEFAULT_MAX_REFRESHED_KEYS;
    for (const id of this.#refreshed.keys()) {
      if (this.#refreshed.size <= cap) break;
      this.#refreshed.delete(id);
    }
    this.#logger.info(
      { gateway: idOf(gateway), keys: found.length, failures: errors.length },
      'webhook keys refreshed',
    );
    if (found.length === 0 && errors.length > 0) {
      const first = errors[0];
      const error =
        first instanceof TijaraError
          ? first
          : new GatewayError(`Refreshing the ${this.#options.names.key}s failed`, {
              gateway: idOf(gateway),
              code: 'key_refresh_failed',
              cause: first,
            });
      this.#lastFailure = { error };
      throw error;
    }
    this.#lastFailure = undefined;
  }

  #fail(message: string, code: string): SignatureVerificationError {
    return signatureError(this.#options.gateway, message, code);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

export interface RsaSignatureVerifierOptions {
  readonly gateway: GatewayLabel;
  /** The header carrying the signature, as messages name it (`X-Signature`); read case-insensitively. */
  readonly header: string;
  /** How the header encodes the signature (default base64). */
  readonly encoding?: 'base64' | 'hex';
  /** The digest signed with RSA PKCS#1 v1.5 (default sha256). */
  readonly digest?: string;
  readonly publicKeys?: readonly PublicKeyInput[];
  readonly sources?: readonly KeySource<PublicKeyInput>[];
  readonly minRefreshIntervalMs?: number;
  readonly maxRefreshedKeys?: number;
  /** How to configure a key, appended to the error when there is none. */
  readonly configureHint?: string;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/** Verifies an RSA PKCS#1 v1.5 signature over the raw body, carried in one header, against a KeyRing of public keys. */
export class RsaSignatureVerifier implements WebhookSignatureVerifier {
  readonly keys: KeyRing<KeyObject, PublicKeyInput>;
  readonly #gateway: GatewayLabel;
  readonly #header: string;
  readonly #encoding: 'base64' | 'hex';
  readonly #digest: string;

  constructor(options: RsaSignatureVerifierOptions) {
    const { gateway } = options;
    this.#gateway = gateway;
    this.#header = options.header;
    this.#encoding = options.encoding ?? 'base64';
    this.#digest = options.digest ?? 'sha256';
    // Checked here because verify() treats a throw as a mismatch: a typo would refuse every delivery as forged.
    if (!getHashes().includes(this.#digest.toLowerCase())) {
      throw new ConfigurationError(`${nameOf(gateway)} signature digest "${this.#digest}" is not supported`, {
        gateway: idOf(gateway),
        code: 'invalid_digest',
      });
    }
    this.keys = new KeyRing<KeyObject, PublicKeyInput>({
      gateway,
      parse: (input) => parsePublicKey(input, gateway),
      fingerprint: publicKeyFingerprint,
      names: { signature: options.header, key: `${nameOf(gateway)} public key` },
      noKeyCode: 'no_public_key',
      keys: options.publicKeys,
      sources: options.sources,
      minRefreshIntervalMs: options.minRefreshIntervalMs,
      maxRefreshedKeys: options.maxRefreshedKeys,
      configureHint: options.configureHint,
      logger: options.logger,
      now: options.now,
    });
  }

  async verify(rawBody: unknown, headers: HeaderBag): Promise<Buffer> {
    const { body, signature: text } = readSignedWebhook(rawBody, headers, this.#gateway, this.#header);
    if (!(this.#encoding === 'hex' ? HEX : BASE64).test(text)) {
      throw signatureError(
        this.#gateway,
        `${this.#header} is not valid ${this.#encoding}`,
        'malformed_signature',
      );
    }
    const signature = Buffer.from(text, this.#encoding);
    await this.keys.verify((key) => {
      try {
        return verifyWithKey(this.#digest, body, key, signature);
      } catch {
        // A configured key of another kind (Ed25519 takes no digest) did not make this signature.
        return false;
      }
    });
    return body;
  }
}
