/**
 * Lease-lock machinery shared by the polling lock stores (SQLite, Redis, PostgreSQL): argument checks, the
 * acquire loop with jittered backoff, and the always-release wrapper.
 */
import { randomUUID } from 'node:crypto';
import { ConfigurationError, LockTimeoutError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { LockOptions, LockPollingOptions } from './types.js';

const DEFAULT_POLL_MIN_MS = 5;
const DEFAULT_POLL_MAX_MS = 50;

/** A ttl must be a positive, finite number of milliseconds; zero would make a lock or record useless. */
export function assertTtl(ttlMs: number, operation: string): void {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new ConfigurationError(
      `${operation}: ttlMs must be a positive number of milliseconds, got ${ttlMs}`,
    );
  }
}

export function assertKey(key: string, operation: string): void {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ConfigurationError(`${operation}: key must be a non-empty string`);
  }
}

/** The wait budget: `options.waitMs`, else the ttl (by then a crashed holder's lease has expired). */
export function resolveWaitMs(ttlMs: number, options: LockOptions | undefined): number {
  const waitMs = options?.waitMs ?? ttlMs;
  if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0) {
    throw new ConfigurationError(
      `withLock: waitMs must be a non-negative number of milliseconds, got ${waitMs}`,
    );
  }
  return waitMs;
}

/** Redis and the SQL stores want whole milliseconds. */
export function wholeMs(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

export function newLockToken(): string {
  return randomUUID();
}

export function lockTimeout(key: string, waitMs: number): LockTimeoutError {
  return new LockTimeoutError(`Timed out after ${waitMs} ms waiting for the lock on "${key}"`, {
    code: 'lock_timeout',
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One backend's two lease primitives; each must be a single atomic operation on the shared backend. */
export interface LeaseBackend {
  /** Take `key` for `token` if it is free or its lease has expired. */
  tryAcquire(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Drop `key` only if `token` still owns it; false when the lease had expired and was taken over. */
  release(key: string, token: string): Promise<boolean>;
}

export interface LeaseSettings extends LockPollingOptions {
  readonly logger?: Logger;
  /** Names the store in log lines. */
  readonly storeName: string;
}

/**
 * Poll until the lease is ours or `waitMs` has passed. Waits between attempts double from `pollMinMs` to
 * `pollMaxMs`, each jittered to 50–100 % so waiters that started together do not stay in lockstep; the last
 * attempt is made at the deadline so a lock freed just in time is still taken.
 */
export async function acquireLease(
  backend: LeaseBackend,
  key: string,
  token: string,
  ttlMs: number,
  waitMs: number,
  settings: LockPollingOptions = {},
): Promise<void> {
  const minDelay = Math.max(1, settings.pollMinMs ?? DEFAULT_POLL_MIN_MS);
  const maxDelay = Math.max(minDelay, settings.pollMaxMs ?? DEFAULT_POLL_MAX_MS);
  const deadline = Date.now() + waitMs;
  let delay = minDelay;
  for (;;) {
    if (await backend.tryAcquire(key, token, ttlMs)) return;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockTimeout(key, waitMs);
    await sleep(Math.min(remaining, delay * (0.5 + Math.random() * 0.5)));
    delay = Math.min(maxDelay, delay * 2);
  }
}

/**
 * `withLock` for lease backends. A failed release is logged, not thrown: `fn` has already run, and throwing
 * would make the caller believe it had not (and perhaps repeat it); the lease expires by itself.
 */
export async function withLease<T>(
  backend: LeaseBackend,
  key: string,
  ttlMs: number,
  fn: () => Promise<T>,
  options: LockOptions | undefined,
  settings: LeaseSettings,
): Promise<T> {
  assertKey(key, 'withLock');
  assertTtl(ttlMs, 'withLock');
  const waitMs = resolveWaitMs(ttlMs, options);
  const token = newLockToken();
  await acquireLease(backend, key, token, ttlMs, waitMs, settings);
  try {
    return await fn();
  } finally {
    await releaseLease(backend, key, token, ttlMs, settings);
  }
}

async function releaseLease(
  backend: LeaseBackend,
  key: string,
  token: string,
  ttlMs: number,
  settings: LeaseSettings,
): Promise<void> {
  const logger = settings.logger ?? silentLogger;
  try {
    const owned = await backend.release(key, token);
    if (!owned) {
      logger.warn(
        { store: settings.storeName, key, ttlMs },
        'lock lease expired before the critical section finished; another holder may have run concurrently',
      );
    }
  } catch (error) {
    logger.warn(
      { store: settings.storeName, key, err: error },
      'could not release lock; it expires with its ttl',
    );
  }
}
