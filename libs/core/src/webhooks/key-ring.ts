import { GatewayError, type SignatureVerificationError, TijaraError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { gatewayIdOf, signatureError, SIGNATURE_ERROR_CODES, type GatewayLabel } from './signed-webhook.js';

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
        SIGNATURE_ERROR_CODES.mismatch,
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
      SIGNATURE_ERROR_CODES.mismatch,
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
    return this.#options.noKeyCode ?? SIGNATURE_ERROR_CODES.noKey;
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
      { gateway: gatewayIdOf(gateway), keys: found.length, failures: errors.length },
      'webhook keys refreshed',
    );
    if (found.length === 0 && errors.length > 0) {
      const first = errors[0];
      const error =
        first instanceof TijaraError
          ? first
          : new GatewayError(`Refreshing the ${this.#options.names.key}s failed`, {
              gateway: gatewayIdOf(gateway),
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
