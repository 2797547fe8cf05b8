import { createHash } from 'node:crypto';
import type { SandboxClock } from './clock.js';
import type { SqlDatabase } from './database.js';

/** A kept answer: what a repeated request gets again. */
export interface StoredAnswer {
  readonly status: number;
  /** JSON text of the body; null for an empty answer. */
  readonly body: string | null;
}

export type IdempotentResult<R> =
  | { readonly kind: 'fresh'; readonly result: R }
  | { readonly kind: 'replayed'; readonly answer: StoredAnswer }
  /** The key was used with a different request. */
  | { readonly kind: 'mismatch' }
  /** A request with this key is still running. */
  | { readonly kind: 'in_use' };

const DEFAULT_TTL_MS = 24 * 3600 * 1000;

/** Canonical JSON (sorted keys) so the same body with different key order or spacing fingerprints alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** A fingerprint of a request's parts (method, route, params, body…), insensitive to key order and spacing. */
export function fingerprint(parts: unknown): string {
  return createHash('sha256').update(canonical(parts)).digest('hex');
}

/**
 * Idempotency records of one gateway: the first answer to a key is kept (in SQLite, for `ttlMs` of sandbox time)
 * and given again for the same request; a different request with the same key is a mismatch. What the answers
 * look like (status codes, error bodies) is the gateway's business, not the engine's.
 */
export class IdempotencyRecords {
  private readonly db: SqlDatabase;
  private readonly gateway: string;
  private readonly clock: SandboxClock;
  private readonly ttlMs: number;
  private readonly inFlight = new Set<string>();

  constructor(db: SqlDatabase, gateway: string, clock: SandboxClock, ttlMs = DEFAULT_TTL_MS) {
    this.db = db;
    this.gateway = gateway;
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  /**
   * Run `work` once per key. `keep` decides which results are remembered (and as what): a result it maps to
   * `undefined` leaves no record, so the same key may be tried again (e.g. after a validation error or a 5xx).
   */
  async run<R>(
    key: string,
    requestFingerprint: string,
    work: () => Promise<R>,
    keep: (result: R) => StoredAnswer | undefined,
  ): Promise<IdempotentResult<R>> {
    const now = this.clock.nowMs();
    const stored = this.db
      .prepare('SELECT fingerprint, status, body, created_ms FROM idempotency WHERE gateway = ? AND key = ?')
      .get(this.gateway, key) as
      { fingerprint: string; status: number; body: string | null; created_ms: number } | undefined;
    if (stored && stored.created_ms > now - this.ttlMs) {
      if (stored.fingerprint !== requestFingerprint) return { kind: 'mismatch' };
      return { kind: 'replayed', answer: { status: Number(stored.status), body: stored.body } };
    }
    if (this.inFlight.has(key)) return { kind: 'in_use' };
    this.inFlight.add(key);
    try {
      const result = await work();
      const answer = keep(result);
      if (answer) {
        this.db
          .prepare(
            `INSERT INTO idempotency (gateway, key, fingerprint, status, body, created_ms) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (gateway, key) DO UPDATE SET fingerprint = excluded.fingerprint, status = excluded.status,
               body = excluded.body, created_ms = excluded.created_ms`,
          )
          .run(this.gateway, key, requestFingerprint, answer.status, answer.body, now);
      }
      return { kind: 'fresh', result };
    } finally {
      this.inFlight.delete(key);
    }
  }
}
