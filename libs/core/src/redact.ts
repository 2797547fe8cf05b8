/**
 * Redaction of secrets from anything that may reach a log line, an error message or a snapshot.
 * Keys are matched by name (any name containing authorization, secret, password, token, api key, private key,
 * card number, security code, cvc/cvv, or a part named pan/pin) and strings by shape (API keys, PEM private keys,
 * Bearer tokens, credentials in URLs, `name=value` and `"name": value` pairs with such a name, card numbers
 * however they are written), so a secret is caught wherever it hides.
 */

/** Names holding any of these (after camelCase and separators are normalized to `_`) are secret. */
const SECRET_NAME =
  /authori[sz]ation|cookie|secret|passw(or)?d|passphrase|token|api_?key|private_?key|signing_?key|card_?number|security_?code|cvc|cvv/;
/** Short words that are secret only as a whole part of the name (`card_pan`, not `company`). */
const SECRET_NAME_PARTS: ReadonlySet<string> = new Set(['pan', 'pin', 'csc', 'cvn']);

const nameCache = new Map<string, boolean>();

/** Whether a field, header or parameter of this name holds a secret. */
export function isSecretName(name: string): boolean {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  const normal = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_');
  const secret = SECRET_NAME.test(normal) || normal.split('_').some((part) => SECRET_NAME_PARTS.has(part));
  // Names come from code and payload schemas, a small set; the bound only guards against hostile input.
  if (nameCache.size >= 2_000) nameCache.clear();
  nameCache.set(name, secret);
  return secret;
}

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
  // The password of a URL's user info: postgres://app:s3cret@db, https://user:pass@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s/?#@]+@/gi, '$1:[REDACTED]@'],
];

/** `name=value` in query strings, form bodies and connection strings (`?token=…&`, `password=… host=…`). */
const NAME_VALUE = /(^|[\s?&;,(])([A-Za-z_][\w.-]*)=([^\s&;,)#]+)/g;
/** `"name": value` in JSON kept as text (a raw body, an echoed payload). */
const JSON_NAME_VALUE = /("([^"\\]{1,100})"\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false)/g;

function redactPairs(input: string): string {
  let out = input;
  if (out.includes('=')) {
    out = out.replace(NAME_VALUE, (match, before: string, name: string) =>
      isSecretName(name) ? `${before}${name}=${REDACTED}` : match,
    );
  }
  if (out.includes('"')) {
    out = out.replace(JSON_NAME_VALUE, (match, head: string, name: string) =>
      isSecretName(name) ? `${head}"${REDACTED}"` : match,
    );
  }
  return out;
}

// Card numbers: 13–19 digits, written as one run or in groups split by spaces, dashes or dots, glued to letters
// or not (`card4242…`, `pan_4242…`), that pass the Luhn check (so order numbers and most ids stay readable); the
// last four are kept. A 13-digit one must start with 4 (the only 13-digit cards are Visa's), which keeps
// millisecond timestamps readable.
const DIGIT_GROUPS = /(?<!\d)\d+(?:[ .-]\d+)*(?!\d)/g;

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

function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  if (digits.length === 13 && digits[0] !== '4') return false;
  return passesLuhn(digits);
}

const maskedCard = (digits: string): string => `**** ${digits.slice(-4)}`;

/**
 * The card number in a run of digit groups, masked: the whole run, or the groups at its start or its end that
 * make one, so "4242 4242 4242 4242 12/34" loses the card and keeps the expiry, and "qty 2 4000 0000 0000 0002"
 * keeps the quantity. Windows in the middle of a longer run (a list of amounts) are not tried: they would turn
 * up false matches, and trying them all costs quadratic time.
 */
function maskGroups(run: string): string {
  const digits = run.replace(/[ .-]/g, '');
  if (digits.length < 13) return run;
  if (isCardNumber(digits)) return maskedCard(digits);
  const parts = run.split(/([ .-])/);
  if (parts.length === 1) return run;
  const groups = parts.filter((_, i) => i % 2 === 0);
  const head = cardWindow(groups, 0, 1);
  if (head !== undefined) {
    return `${maskedCard(groups.slice(0, head + 1).join(''))}${parts.slice(head * 2 + 1).join('')}`;
  }
  const tail = cardWindow(groups, groups.length - 1, -1);
  if (tail !== undefined)
    return `${parts.slice(0, tail * 2).join('')}${maskedCard(groups.slice(tail).join(''))}`;
  return run;
}

/**
 * The far end of the longest window of whole groups that starts at `from` (going `step` 1 or -1) and holds a
 * card number, if any.
 */
function cardWindow(groups: readonly string[], from: number, step: 1 | -1): number | undefined {
  const ends: number[] = [];
  let length = 0;
  for (let i = from; i >= 0 && i < groups.length && length + groups[i]!.length <= 19; i += step) {
    length += groups[i]!.length;
    if (length >= 13) ends.push(i);
  }
  for (const end of ends.reverse()) {
    const window = step === 1 ? groups.slice(from, end + 1) : groups.slice(end, from + 1);
    if (isCardNumber(window.join(''))) return end;
  }
  return undefined;
}

// Ids such as UUIDs hold digit runs that can look like a card number; they are not secrets.
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

function maskCardNumbers(input: string): string {
  if (!/\d{4}/.test(input)) return input;
  const ids: Array<[number, number]> = [];
  for (const m of input.matchAll(UUID)) ids.push([m.index, m.index + m[0].length]);
  return input.replace(DIGIT_GROUPS, (match, offset: number) => {
    if (match.length < 13) return match;
    if (ids.some(([start, end]) => offset < end && offset + match.length > start)) return match;
    return maskGroups(match);
  });
}

/** A card number given as a JSON number (or bigint) rather than a string. */
function maskCardNumberValue(value: number | bigint): number | bigint | string {
  if (typeof value === 'number' && (!Number.isSafeInteger(value) || value < 1e12)) return value;
  const digits = value.toString();
  return isCardNumber(digits) ? maskedCard(digits) : value;
}

export const REDACTED = '[REDACTED]';

/** Redact every known secret shape from a string, plus any extra literal secrets given. */
export function redactString(input: string, extraSecrets: readonly string[] = []): string {
  let out = input;
  for (const secret of extraSecrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of STRING_PATTERNS) out = out.replace(pattern, replacement);
  return maskCardNumbers(redactPairs(out));
}

/**
 * Field-level error details (field path → messages): the messages are redacted as strings, the field names kept
 * as they are, since they name a field rather than hold its value (`token_id: ['This field may not be blank.']`).
 */
export function redactFieldDetails(
  details: Readonly<Record<string, readonly string[]>>,
  extraSecrets: readonly string[] = [],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(details)) {
    out[field] = Array.isArray(messages)
      ? messages.map((message) => redactString(String(message), extraSecrets))
      : [REDACTED];
  }
  return out;
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
  if (typeof value === 'number' || typeof value === 'bigint') return maskCardNumberValue(value);
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
        isSecretName(key) && item != null && item !== '' ? REDACTED : walk(item, extra, seen, depth + 1);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** True when the header name carries credentials. */
export function isSecretHeader(name: string): boolean {
  return isSecretName(name);
}
