/**
 * Lease-lock machinery shared by the lock stores: argument checks, the polling acquire loop with jittered
 * backoff (SQLite, Redis, PostgreSQL), and `holdLease`, which every store uses while `fn` runs: it renews the
 * lease, aborts the holder's signal before the lease could expire under it, enforces the deadline and always
 * releases.
 */
import { randomUUID } from 'node:crypto';
import { ConfigurationError, LockLostError, LockTimeoutError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Lease, LockOptions, LockPollingOptions } from './types.js';

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

/** Every argument check `withLock` makes before it touches the backend. */
export function checkLockArguments(key: string, ttlMs: number, options: LockOptions | undefined): number {
  assertKey(key, 'withLock');
  assertTtl(ttlMs, 'withLock');
  const deadlineMs = options?.deadlineMs;
  if (
    deadlineMs !== undefined &&
    (typeof deadlineMs !== 'number' || !Number.isFinite(deadlineMs) || deadlineMs <= 0)
  ) {
    throw new ConfigurationError(
      `withLock: deadlineMs must be a positive number of milliseconds, got ${deadlineMs}`,
    );
  }
  return resolveWaitMs(ttlMs, options);
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

/** One backend's lease primitives; each must be a single atomic operation on the shared backend. */
export interface LeaseBackend {
  /**
   * Take `key` for `token` if it is free or its lease has expired; the fence of the new lease when taken. The
   * fence must exceed that of every earlier lease on `key`, so it is taken in the same atomic step.
   */
  tryAcquire(key: string, token: string, ttlMs: number): Promise<number | undefined>;
  /** Extend the lease to `ttlMs` from now if `token` still owns `key`; false when it does not. */
  renew(key: string, token: string, ttlMs: number): Promise<boolean>;
  /** Whether `token` owns `key` and its lease has not expired. */
  isCurrent(key: string, token: string): Promise<boolean>;
  /** Drop `key` only if `token` still owns it; false when the lease had expired and was taken over. */
  release(key: string, token: string): Promise<boolean>;
}

export interface LeaseSettings extends LockPollingOptions {
  readonly logger?: Logger;
  /** Names the store in log lines. */
  readonly storeName: string;
}

/** A lease that was just granted: its fence, and when the request that took it was sent (a safe lower bound). */
export interface GrantedLease {
  readonly fence: number;
  readonly grantedAt: number;
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
): Promise<GrantedLease> {
  const minDelay = Math.max(1, settings.pollMinMs ?? DEFAULT_POLL_MIN_MS);
  const maxDelay = Math.max(minDelay, settings.pollMaxMs ?? DEFAULT_POLL_MAX_MS);
  const deadline = Date.now() + waitMs;
  let delay = minDelay;
  for (;;) {
    const sentAt = Date.now();
    const fence = await backend.tryAcquire(key, token, ttlMs);
    if (fence !== undefined) return { fence, grantedAt: sentAt };
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockTimeout(key, waitMs);
    await sleep(Math.min(remaining, delay * (0.5 + Math.random() * 0.5)));
    delay = Math.min(maxDelay, delay * 2);
  }
}

/** `withLock` for the polling backends. */
export async function withLease<T>(
  backend: LeaseBackend,
  key: string,
  ttlMs: number,
  fn: (lease: Lease) => Promise<T>,
  options: LockOptions | undefined,
  settings: LeaseSettings,
): Promise<T> {
  const waitMs = checkLockArguments(key, ttlMs, options);
  const token = newLockToken();
  const granted = await acquireLease(backend, key, token, ttlMs, waitMs, settings);
  return holdLease(
    {
      renew: () => backend.renew(key, token, ttlMs),
      isCurrent: () => backend.isCurrent(key, token),
      release: () => backend.release(key, token),
    },
    { key, ttlMs, ...granted },
    fn,
    options,
    settings,
  );
}

/** The held lease as `holdLease` sees it: its own token is already bound in. */
export interface HeldLease {
  renew(): Promise<boolean>;
  isCurrent(): Promise<boolean>;
  release(): Promise<boolean>;
}

function lost(key: string, code: string, why: string): LockLostError {
  return new LockLostError(`The lock on "${key}" ${why}`, { code });
}

/**
 * Run `fn` under a granted lease and release it afterwards. The lease is renewed every third of its ttl; the
 * signal is aborted at the deadline, when a renewal finds another owner, and when no renewal has been confirmed
 * for five sixths of the ttl (it may expire soon, and the holder must stop before it does). Renewal stops at the
 * deadline, so a holder that ignores its signal loses the lock one ttl later.
 *
 * A failed release is logged, not thrown: `fn` has already run, and throwing would make the caller believe it
 * had not (and perhaps repeat it); the lease expires by itself.
 */
export async function holdLease<T>(
  held: HeldLease,
  granted: GrantedLease & { readonly key: string; readonly ttlMs: number },
  fn: (lease: Lease) => Promise<T>,
  options: LockOptions | undefined,
  settings: LeaseSettings,
): Promise<T> {
  const { key, ttlMs, fence } = granted;
  const logger = settings.logger ?? silentLogger;
  const controller = new AbortController();
  const stop = (error: LockLostError): void => {
    if (!controller.signal.aborted) controller.abort(error);
  };
  const renewEveryMs = ttlMs / 3;
  const safetyMs = ttlMs / 6;
  let finished = false;
  let renewing = true;
  let renewalTimer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;

  // The lease lasts at least until `confirmedAt + ttl` (the request that took or renewed it was sent then).
  const armExpiry = (confirmedAt: number): void => {
    clearTimeout(expiryTimer);
    expiryTimer = setTimeout(
      () => stop(lost(key, 'lock_not_renewed', 'could not be renewed in time and may expire')),
      Math.max(0, confirmedAt + ttlMs - safetyMs - Date.now()),
    );
    expiryTimer.unref();
  };
  const scheduleRenewal = (fromMs: number): void => {
    if (finished || !renewing) return;
    renewalTimer = setTimeout(renew, Math.max(0, fromMs + renewEveryMs - Date.now()));
    renewalTimer.unref();
  };
  const renew = (): void => {
    const sentAt = Date.now();
    held.renew().then(
      (owned) => {
        if (finished) return;
        if (owned) {
          if (renewing) armExpiry(sentAt);
          scheduleRenewal(sentAt);
        } else {
          renewing = false;
          stop(lost(key, 'lock_taken_over', 'was taken over by another holder'));
        }
      },
      (error: unknown) => {
        if (finished) return;
        logger.warn({ store: settings.storeName, key, err: error }, 'could not renew lock lease; retrying');
        // Sooner than usual: the lease is running out. The expiry timer stops the holder if this keeps failing.
        scheduleRenewal(sentAt - renewEveryMs / 2);
      },
    );
  };

  armExpiry(granted.grantedAt);
  scheduleRenewal(granted.grantedAt);
  if (options?.deadlineMs !== undefined) {
    deadlineTimer = setTimeout(
      () => {
        renewing = false;
        clearTimeout(renewalTimer);
        stop(lost(key, 'lock_deadline', `was held past its deadline of ${options.deadlineMs} ms`));
      },
      Math.max(0, granted.grantedAt + options.deadlineMs - Date.now()),
    );
    deadlineTimer.unref();
  }

  const lease: Lease = {
    key,
    fence,
    signal: controller.signal,
    assertHeld: async () => {
      if (await held.isCurrent()) return;
      renewing = false;
      const error = lost(key, 'lock_taken_over', 'is no longer held by this holder');
      stop(error);
      throw error;
    },
  };
  try {
    return await fn(lease);
  } finally {
    finished = true;
    clearTimeout(renewalTimer);
    clearTimeout(expiryTimer);
    clearTimeout(deadlineTimer);
    await releaseHeld(held, key, ttlMs, settings);
  }
}

async function releaseHeld(
  held: HeldLease,
  key: string,
  ttlMs: number,
  settings: LeaseSettings,
): Promise<void> {
  const logger = settings.logger ?? silentLogger;
  try {
    const owned = await held.release();
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
