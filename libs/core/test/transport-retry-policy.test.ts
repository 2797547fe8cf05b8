import {
  backoffDelayMs,
  decideRetry,
  isNotSentCode,
  isRetryableNetworkCode,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  statusMayHaveBeenProcessed,
} from '../src/retry-policy.js';

const fixed = (value: number) => () => value;
// The largest value Math.random can return.
const almostOne = 1 - Number.EPSILON;

describe('backoffDelayMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
  ])('retry %i waits %i ms without jitter', (retry, expected) => {
    expect(backoffDelayMs(retry, { baseMs: 1000, jitterMs: 200, random: fixed(0.5) })).toBe(expected);
  });

  it('moves each wait by at most the jitter, both ways', () => {
    expect(backoffDelayMs(1, { baseMs: 1000, jitterMs: 200, random: fixed(0) })).toBe(800);
    expect(backoffDelayMs(1, { baseMs: 1000, jitterMs: 200, random: fixed(almostOne) })).toBe(1200);
    expect(backoffDelayMs(3, { baseMs: 1000, jitterMs: 200, random: fixed(0) })).toBe(3800);
    expect(backoffDelayMs(3, { baseMs: 1000, jitterMs: 200, random: fixed(almostOne) })).toBe(4200);
  });

  it('stays within the bounds with the real random source and actually varies', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const wait = backoffDelayMs(2, { baseMs: 1000, jitterMs: 200 });
      expect(wait).toBeGreaterThanOrEqual(1800);
      expect(wait).toBeLessThanOrEqual(2200);
      seen.add(wait);
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('never waits a negative time when the jitter exceeds the base', () => {
    expect(backoffDelayMs(1, { baseMs: 10, jitterMs: 50, random: fixed(0) })).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it.each([
    ['1', 1000],
    ['0', 0],
    ['120', 120_000],
    ['1.5', 1500],
    [' 2 ', 2000],
  ])('reads delta-seconds %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('treats a date in the past as "now"', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', 'soon', '-1', '5 s', '2026-13-45'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it('reads the first of repeated headers', () => {
    expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
  });
});

describe('retryDelayMs', () => {
  const policy = { baseMs: 1000, jitterMs: 200, random: fixed(0.5), maxRetryAfterMs: 60_000 };

  it('uses the backoff when the server gave no Retry-After', () => {
    expect(retryDelayMs(2, { ...policy, retryAfterMs: undefined })).toBe(2000);
  });

  it("uses the server's Retry-After instead of the backoff, even when it is shorter", () => {
    expect(retryDelayMs(3, { ...policy, retryAfterMs: 1500 })).toBe(1500);
    expect(retryDelayMs(3, { ...policy, retryAfterMs: 0 })).toBe(0);
  });

  it('caps a long Retry-After', () => {
    expect(retryDelayMs(1, { ...policy, retryAfterMs: 3_600_000 })).toBe(60_000);
  });
});

describe('what is retried', () => {
  it.each([429, 500, 502, 503, 504])('status %i is retried', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([400, 401, 402, 403, 404, 409, 422, 501, 505])('status %i is not', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ERR_READING_RESPONSE_STREAM'])(
    'network error %s is retried',
    (code) => {
      expect(isRetryableNetworkCode(code)).toBe(true);
    },
  );

  it.each(['CERT_HAS_EXPIRED', 'ERR_INVALID_URL', 'ERR_ABORTED', undefined])('%s is not', (code) => {
    expect(isRetryableNetworkCode(code)).toBe(false);
  });

  it('knows which failures happen before anything is sent', () => {
    expect(isNotSentCode('ECONNREFUSED')).toBe(true);
    expect(isNotSentCode('ENOTFOUND')).toBe(true);
    expect(isNotSentCode('ECONNRESET')).toBe(false);
    expect(isNotSentCode('ETIMEDOUT')).toBe(false);
  });

  it('counts 500/502/504 as possibly acted on, but not refusals', () => {
    expect([500, 502, 504].map(statusMayHaveBeenProcessed)).toEqual([true, true, true]);
    expect([409, 429, 503].map(statusMayHaveBeenProcessed)).toEqual([false, false, false]);
  });
});

describe('decideRetry', () => {
  const base = { retryable: true, mayHaveActed: false, replaySafe: false, attempt: 1, maxAttempts: 3 };

  it('retries a refusal whatever the request, until the attempts run out', () => {
    expect(decideRetry(base)).toBe('retry');
    expect(decideRetry({ ...base, attempt: 3 })).toBe('fail');
  });

  it('re-reads instead of re-sending what may have been acted on when a re-send is not safe', () => {
    expect(decideRetry({ ...base, mayHaveActed: true })).toBe('recover');
    // Even on the last attempt: the result may still be recovered.
    expect(decideRetry({ ...base, mayHaveActed: true, attempt: 3 })).toBe('recover');
  });

  it('re-sends what may have been acted on when the request is idempotent or keyed', () => {
    expect(decideRetry({ ...base, mayHaveActed: true, replaySafe: true })).toBe('retry');
    expect(decideRetry({ ...base, mayHaveActed: true, replaySafe: true, attempt: 3 })).toBe('fail');
  });

  it('never retries what is not retryable', () => {
    expect(decideRetry({ ...base, retryable: false })).toBe('fail');
    expect(decideRetry({ ...base, retryable: false, mayHaveActed: true })).toBe('fail');
  });
});
