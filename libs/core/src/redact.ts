/**
 * Redaction of secrets from anything that may reach a log line, an error message or a snapshot.
 * Keys are matched by name (authorization, secret, password, private key, card data) and strings by shape
 * (API keys, PEM private keys, Bearer tokens, card numbers), so a secret is caught wherever it hides.
 */
const SECRET_KEY_NAME =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|secret|secret[-_]?key|client[-_]?secret|password|passwd|private[-_]?key|signature[-_]?password|webhook[-_]?secret|card[-_]?number|cvc|cvv|cvv2|pan|access[-_]?token|refresh[-_]?token)$/i;

const STRING_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    '[REDACTED PRIVATE KEY]',
  ],
  [/\b(sk|rk|pk_secret|whsec)_(test|live)_[A-Za-z0-9_-]+/g, '$1_$2_[REDACTED]'],
  [/\b(sk|rk|whsec)_[A-Za-z0-9]{16,}/g, '$1_[REDACTED]'],
  // Credentials after an auth scheme; case-sensitive and long enough that prose ("token is invalid") stays.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  // After "token", only a credential-looking word (8+ characters with a digit): "token is invalid" stays.
  [/\b(Token)\s+(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [REDACTED]'],
];

// Card numbers: 13–19 digits, optionally grouped by spaces or dashes, that pass the Luhn check (so
// timestamps and order numbers stay readable); the last four are kept.
const CARD_NUMBER = /\b(?:\d[ -]?){12,18}\d\b/g;

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// Ids such as UUIDs hold digit runs that can look like a card number; they are not secrets.
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

function maskCardNumbers(input: string): string {
  const ids: Array<[number, number]> = [];
  for (const m of input.matchAll(UUID)) ids.push([m.index, m.index + m[0].length]);
  return input.replace(CARD_NUMBER, (match, offset: number) => {
    if (ids.some(([start, end]) => offset < end && offset + match.length > start)) return match;
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !passesLuhn(digits)) return match;
    return `**** ${digits.slice(-4)}`;
  });
}

export const REDACTED = '[REDACTED]';

/** Redact every known secret shape from a string, plus any extra literal secrets given. */
export function redactString(input: string, extraSecrets: readonly string[] = []): string {
  let out = input;
  for (const secret of extraSecrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of STRING_PATTERNS) out = out.replace(pattern, replacement);
  return maskCardNumbers(out);
}

/** Deep copy of a value with secret-named fields replaced and secret-shaped strings redacted. */
export function redact<T>(value: T, extraSecrets: readonly string[] = []): T {
  return walk(value, extraSecrets, new WeakMap(), 0) as T;
}

/** Deeper than any real payload; a hostile, deeply nested body must not exhaust the stack. */
const MAX_DEPTH = 32;

function walk(
  value: unknown,
  extra: readonly string[],
  seen: WeakMap<object, unknown>,
  depth: number,
): unknown {
  if (typeof value === 'string') return redactString(value, extra);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[Too deep]';
  if (Buffer.isBuffer(value)) return redactString(value.toString('utf8'), extra);
  if (value instanceof Date) return new Date(value.getTime());
  // An Error's message and stack are not own enumerable properties; keep them (redacted) when logging one.
  if (value instanceof Error && !seen.has(value)) {
    const error = value as Error & { toJSON?: () => unknown };
    const base =
      typeof error.toJSON === 'function' ? (error.toJSON() as Record<string, unknown>) : { ...error };
    return walk(
      { name: error.name, message: error.message, ...base, stack: error.stack },
      extra,
      seen,
      depth + 1,
    );
  }
  // `seen` holds the ancestors only: a repeated but non-circular object is copied again.
  if (seen.has(value)) return '[Circular]';
  seen.set(value, true);
  try {
    if (Array.isArray(value)) return value.map((item) => walk(item, extra, seen, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        SECRET_KEY_NAME.test(key) && item != null && item !== ''
          ? REDACTED
          : walk(item, extra, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** True when the header name carries credentials. */
export function isSecretHeader(name: string): boolean {
  return SECRET_KEY_NAME.test(name);
}
