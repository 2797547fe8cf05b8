import currencyCodes from 'currency-codes';
import { MoneyError } from './errors.js';

/**
 * Money in integer minor units. Exponents come from ISO 4217 (the `currency-codes` data set), so
 * JPY/KRW have 0 decimals, BHD/KWD/OMR/JOD/TND/IQD/LYD have 3, CLF has 4. No floats anywhere.
 */
export interface Money {
  /** Integer amount in minor units (fils, halalas, sen…). */
  readonly amount: number;
  /** ISO 4217 alphabetic code, upper case. */
  readonly currency: string;
}

const exponentCache = new Map<string, number>();

/** Normalize and validate an ISO 4217 code; throws MoneyError for anything unknown. */
export function assertCurrency(code: unknown): string {
  if (typeof code !== 'string' || !/^[A-Za-z]{3}$/.test(code)) {
    throw new MoneyError(`Invalid currency code ${JSON.stringify(code)}: expected a 3-letter ISO 4217 code`, {
      code: 'invalid_currency',
    });
  }
  const upper = code.toUpperCase();
  currencyExponent(upper);
  return upper;
}

/** Number of decimal places of a currency per ISO 4217. */
export function currencyExponent(code: string): number {
  const upper = code.toUpperCase();
  const cached = exponentCache.get(upper);
  if (cached !== undefined) return cached;
  const entry = currencyCodes.code(upper);
  if (!entry || typeof entry.digits !== 'number') {
    throw new MoneyError(`Unknown currency code "${code}" (not in ISO 4217)`, { code: 'invalid_currency' });
  }
  exponentCache.set(upper, entry.digits);
  return entry.digits;
}

/** Throw unless `amount` is a non-negative safe integer (minor units). */
export function assertMinorUnits(amount: unknown, what = 'amount'): number {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) {
    throw new MoneyError(`${what} must be a non-negative integer in minor units, got ${String(amount)}`, {
      code: 'invalid_amount',
    });
  }
  return amount;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parse a decimal string ("123.00", "0.005") into minor units, exactly. More fraction digits than the
 * currency has are accepted only when they are zeros; anything else is an error, never a rounding.
 */
export function toMinorUnits(decimal: string, currency: string): number {
  const exp = currencyExponent(assertCurrency(currency));
  if (typeof decimal !== 'string') {
    throw new MoneyError(`Amount must be a decimal string, got ${typeof decimal}`, {
      code: 'invalid_amount',
    });
  }
  const match = DECIMAL.exec(decimal.trim());
  if (!match) {
    throw new MoneyError(`Invalid amount "${decimal}": expected digits with an optional "." fraction`, {
      code: 'invalid_amount',
    });
  }
  const whole = match[1] as string;
  let fraction = match[2] ?? '';
  if (fraction.length > exp) {
    if (/[^0]/.test(fraction.slice(exp))) {
      throw new MoneyError(
        `Amount "${decimal}" has more precision than ${currency.toUpperCase()} allows (${exp} decimal places)`,
        { code: 'invalid_amount' },
      );
    }
    fraction = fraction.slice(0, exp);
  }
  const digits = (whole + fraction.padEnd(exp, '0')).replace(/^0+(?=\d)/, '');
  const value = BigInt(digits);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MoneyError(`Amount "${decimal}" is too large`, { code: 'invalid_amount' });
  }
  return Number(value);
}

/** Format minor units as a plain decimal string with the currency's exponent ("1234" KWD → "1.234"). */
export function fromMinorUnits(amount: number, currency: string): string {
  const exp = currencyExponent(assertCurrency(currency));
  assertMinorUnits(amount);
  const digits = String(amount).padStart(exp + 1, '0');
  return exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}

/**
 * Minor units from a decimal amount a gateway sends as a JSON number (`10.05`, `0.25`). The number is read through
 * its shortest decimal spelling, which is exactly what the sender wrote for any amount a gateway can send; an
 * exponent spelling (`1e-7`), a negative, a non-finite value or more precision than the currency has is refused,
 * never rounded. Decimal strings are accepted too.
 */
export function minorUnitsFromDecimal(value: number | string, currency: string): number {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new MoneyError(`Invalid amount ${String(value)}`, { code: 'invalid_amount' });
  }
  return toMinorUnits(typeof value === 'number' ? String(value) : value, currency);
}

/**
 * Minor units as the JSON number a gateway wants for a decimal amount (`1005` EUR → `10.05`). Refused when the
 * number could not spell the amount exactly (beyond ~15 significant digits), so what is sent is what was meant.
 */
export function decimalFromMinorUnits(amount: number, currency: string): number {
  const text = fromMinorUnits(amount, currency);
  const value = Number(text);
  if (minorUnitsFromDecimal(value, currency) !== amount) {
    throw new MoneyError(`Amount ${text} ${currency.toUpperCase()} cannot be sent exactly as a JSON number`, {
      code: 'invalid_amount',
    });
  }
  return value;
}

/** Build a validated Money value. */
export function money(amount: number, currency: string): Money {
  return { amount: assertMinorUnits(amount), currency: assertCurrency(currency) };
}

/** Sum of minor-unit amounts, checked to stay a safe integer. */
export function addMinor(...amounts: number[]): number {
  let total = 0;
  for (const a of amounts) {
    total += assertMinorUnits(a);
    if (!Number.isSafeInteger(total)) throw new MoneyError('Amount overflow', { code: 'invalid_amount' });
  }
  return total;
}
