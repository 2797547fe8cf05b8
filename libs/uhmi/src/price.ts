import { decimalFromMinorUnits, MoneyError, minorUnitsFromDecimal } from '@tijara/core';

/** Uhmi charges in euros only; its prices are decimal euros (`0.25` is €0,25). */
export const UHMI_CURRENCY = 'EUR';

/** The seed's price limits, in euro cents: 0 (free), else 0.01 to 150. */
export const MIN_PAID_PRICE = 1;
export const MAX_PRICE = 15_000;

/**
 * Euro cents from a Uhmi price (`0.25` or `"0.25"`). A price with more than two decimals, an exponent spelling or a
 * negative is refused with MoneyError, never rounded.
 */
export function priceToMinorUnits(price: number | string): number {
  return minorUnitsFromDecimal(price, UHMI_CURRENCY);
}

/** The decimal euro price Uhmi wants for an amount in cents (`25` → `0.25`). */
export function minorUnitsToPrice(amount: number): number {
  return decimalFromMinorUnits(amount, UHMI_CURRENCY);
}

/** Whether cents are a price Uhmi accepts: 0 (free) or 1 to 15 000. */
export function isValidPrice(amount: number): boolean {
  return Number.isSafeInteger(amount) && (amount === 0 || (amount >= MIN_PAID_PRICE && amount <= MAX_PRICE));
}

/** Cents of a price, or undefined when it is not an exact euro amount. */
export function tryPriceToMinorUnits(price: unknown): number | undefined {
  if (typeof price !== 'number' && typeof price !== 'string') return undefined;
  try {
    return priceToMinorUnits(price);
  } catch (error) {
    if (error instanceof MoneyError) return undefined;
    throw error;
  }
}
