import type { BigNumberInput } from '@medusajs/framework/types';
import { MathBN } from '@medusajs/framework/utils';
import { currencyExponent, fromMinorUnits, MoneyError, toMinorUnits } from '@tijara/core';

/**
 * Medusa's amount as an exact decimal string. Medusa hands providers numbers, decimal strings, `BigNumber`s and
 * raw `{ value, precision }` objects (refunds arrive as the raw object, where `Number()` gives NaN);
 * `.toFixed()` on bignumber.js writes every digit without an exponent.
 */
export function medusaDecimal(amount: BigNumberInput | null | undefined, what = 'amount'): string {
  if (amount === null || amount === undefined) {
    throw new MoneyError(`The ${what} is missing`, { code: 'invalid_amount' });
  }
  const value = MathBN.convert(amount);
  if (!value.isFinite()) throw new MoneyError(`The ${what} is not a number`, { code: 'invalid_amount' });
  if (value.isNegative())
    throw new MoneyError(`The ${what} must not be negative`, { code: 'invalid_amount' });
  return value.toFixed();
}

/**
 * Exact conversion of a Medusa amount to minor units by the currency's ISO 4217 exponent (JPY 0, MYR 2, KWD 3).
 * An amount with more precision than the currency has is refused, never rounded: used for refunds, where the
 * merchant names the money to send back.
 */
export function toMinorExact(
  amount: BigNumberInput | null | undefined,
  currency: string,
  what = 'amount',
): number {
  return toMinorUnits(medusaDecimal(amount, what), currency);
}

/**
 * A Medusa total to charge, in minor units. Medusa keeps totals at full precision (a 6 % tax on 29.99 is
 * 31.7894) and its Payment module treats amounts as equal once both are rounded half-up to the currency's
 * precision; the buyer is charged that rounded amount, the one every Medusa page shows.
 */
export function toMinorForCharge(amount: BigNumberInput | null | undefined, currency: string): number {
  const decimal = medusaDecimal(amount);
  const rounded = MathBN.convert(decimal, currencyExponent(currency)).toFixed(currencyExponent(currency));
  return toMinorUnits(rounded, currency);
}

/** Minor units as the major-unit decimal string Medusa expects in webhook actions ("29.99", "1.234", "5000"). */
export function toMajor(minor: number, currency: string): string {
  return fromMinorUnits(minor, currency);
}
