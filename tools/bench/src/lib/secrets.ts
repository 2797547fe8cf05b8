/**
 * Secret scan over everything the runs wrote (child logs, caught errors): no API key, no private key, no card
 * number (however written), no value of a secret-named field, no password in a URL may appear anywhere. Literal
 * secrets of the run (the API key, the private key's base64 lines) are looked for verbatim; the rest by shape.
 * It is written apart from core's redaction on purpose: a gap in one is not repeated in the other.
 */
import { readFileSync } from 'node:fs';

export interface SecretFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  /** The matched text with its middle masked, so the report itself leaks nothing. */
  readonly excerpt: string;
}

/** Names of fields whose value is a secret wherever it appears. */
const SECRET_FIELD = String.raw`[\w-]*(?:cvc|cvv|security_?code|token|secret|passw(?:or)?d|api_?key)[\w-]*`;

const SHAPES: ReadonlyArray<[string, RegExp]> = [
  ['api key', /\b(sk|rk)_(test|live)_(?!\[REDACTED\])[A-Za-z0-9]{6,}/g],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/g],
  ['bearer token', /\bBearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/-]{12,}/g],
  ['url password', /:\/\/[^\s:/?#@"]*:(?!\[REDACTED\]@)[^\s/?#@"]+@/g],
  // `"card_cvc":"123"`, `"security_code": 987` (JSON, also escaped inside a JSON string) and `token=abc`.
  [
    'secret field',
    new RegExp(
      String.raw`\\?"${SECRET_FIELD}\\?"\s*:\s*(?!\\?"\[REDACTED\]|\\?""|null|false|true)(?:\\?"|-?\d)|` +
        String.raw`(?:^|[\s?&;,])${SECRET_FIELD}=(?!\[REDACTED\]|[&\s]|$)`,
      'gi',
    ),
  ],
];

/**
 * Card-number candidates: 13–19 digits, as one run or grouped by single spaces, dashes or dots, glued to letters
 * or not (`card4242…`, `pan_4242…`, `"card":4242…`). Not inside a UUID (`…-4760-9784-28444dca6027`), and not a
 * decimal number (one dot, two groups).
 */
const CARD_CANDIDATE = /(?<!\d)\d(?:[ .-]?\d){12,18}(?!\d)/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Luhn-valid with a card network prefix (Visa 4, Mastercard 51–55/22–27, Amex 34/37, Discover 6): a card number. */
export function looksLikeCard(candidate: string): boolean {
  if (/^\d+\.\d+$/.test(candidate)) return false;
  const digits = candidate.replace(/[ .-]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  if (!/^(4|5[1-5]|2[2-7]|3[47]|6)/.test(digits)) return false;
  return luhn(digits);
}

function mask(text: string): string {
  if (text.length <= 8) return '*'.repeat(text.length);
  return `${text.slice(0, 4)}…${text.slice(-2)}`;
}

export interface ScanOptions {
  /** Literal values that must never appear (API keys, private key material). */
  readonly literals?: readonly string[];
}

/** Break a PEM private key into the base64 lines worth looking for. */
export function pemSecretLines(pem: string): string[] {
  return pem
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 40 && !line.startsWith('-----'));
}

export function scanText(text: string, file: string, options: ScanOptions = {}): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const literals = (options.literals ?? []).filter((s) => s.length >= 8);
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    for (const literal of literals) {
      if (line.includes(literal))
        findings.push({ file, line: index + 1, kind: 'literal secret', excerpt: mask(literal) });
    }
    for (const [kind, pattern] of SHAPES) {
      for (const match of line.matchAll(pattern))
        findings.push({ file, line: index + 1, kind, excerpt: mask(match[0]) });
    }
    const ids = [...line.matchAll(UUID)].map((m) => [m.index, m.index + m[0].length] as const);
    for (const match of line.matchAll(CARD_CANDIDATE)) {
      const [start, end] = [match.index, match.index + match[0].length];
      if (ids.some(([from, to]) => start < to && end > from)) continue;
      if (looksLikeCard(match[0])) {
        findings.push({
          file,
          line: index + 1,
          kind: 'card number',
          excerpt: mask(match[0].replace(/[ .-]/g, '')),
        });
      }
    }
  });
  return findings;
}

export function scanFiles(
  files: readonly string[],
  options: ScanOptions = {},
): { scannedLines: number; findings: SecretFinding[] } {
  let scannedLines = 0;
  const findings: SecretFinding[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    scannedLines += text.split('\n').length;
    findings.push(...scanText(text, file, options));
  }
  return { scannedLines, findings };
}

/**
 * Every form a secret takes in the wild, for the scan to find in a planted sample (or the clean result would mean
 * nothing) and for the run to push through core's redaction (after which the scan must find none of them).
 */
export function plantedSecrets(
  apiKey: string,
  privateKeyPem: string,
): Array<{ kind: string; value: unknown }> {
  return [
    { kind: 'literal secret', value: `key ${apiKey}` },
    { kind: 'api key', value: 'sk_live_0123456789abcdefABCDEF' },
    { kind: 'private key', value: privateKeyPem },
    { kind: 'card number', value: 'card 4242 4242 4242 4242' },
    { kind: 'card number', value: { card: 4242424242424242 } },
    { kind: 'card number', value: 'card4242424242424242 exp' },
    { kind: 'card number', value: 'pan_4000000000000002' },
    { kind: 'card number', value: '5555.5555.5555.4444' },
    { kind: 'secret field', value: { card_cvc: '123' } },
    { kind: 'secret field', value: { security_code: 987 } },
    { kind: 'secret field', value: { recurring_token: 'c2a7e3f0-1b2c-4d5e-8000-000000000003' } },
    { kind: 'secret field', value: { webhookSecret: 'whs_9f8e7d6c5b' } },
    { kind: 'secret field', value: { db_password: 'hunter2' } },
    { kind: 'secret field', value: 'GET /orders?access_token=9f8e7d6c5b4a&page=2' },
    { kind: 'url password', value: 'https://merchant:hunter2pass@shop.example/hook' },
  ];
}

/** A planted value as it would reach a log file unredacted. */
export function plantedText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
