/**
 * Secret scan over everything the runs wrote (child logs, caught errors): no API key, no private key, no card
 * number may appear anywhere. Literal secrets of the run (the API key, the private key's base64 lines) are
 * looked for verbatim; the rest by shape.
 */
import { readFileSync } from 'node:fs';

export interface SecretFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
  /** The matched text with its middle masked, so the report itself leaks nothing. */
  readonly excerpt: string;
}

const SHAPES: ReadonlyArray<[string, RegExp]> = [
  ['api key', /\b(sk|rk)_(test|live)_(?!\[REDACTED\])[A-Za-z0-9]{6,}/g],
  ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/g],
  ['bearer token', /\bBearer\s+(?!\[REDACTED\])[A-Za-z0-9._~+/-]{12,}/g],
];

/**
 * Card-number candidates: 13–19 digits, optionally grouped by single spaces or dashes, standing alone — not part
 * of a longer token such as a UUID (`…-4760-9784-28444dca6027`) or a decimal.
 */
const CARD_CANDIDATE = /(?<![\w.-])(?:\d[ -]?){12,18}\d(?!\w|\.\d|-\w)/g;

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
  const digits = candidate.replace(/[ -]/g, '');
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
    for (const match of line.matchAll(CARD_CANDIDATE)) {
      if (looksLikeCard(match[0])) {
        findings.push({
          file,
          line: index + 1,
          kind: 'card number',
          excerpt: mask(match[0].replace(/[ -]/g, '')),
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
