/** Postpay's fee terms for a merchant: a fixed fee, a rate and the tax on both (rates in hundredths of a percent). */
export interface FeeTerms {
  /** Fixed fee per order, minor units (seed 003's example: 100). */
  readonly feeAmount: number;
  /** Percentage fee in basis points (450 = 4.50 %). */
  readonly feeRate: number;
  /** Tax on the fees in basis points (500 = 5 % VAT). */
  readonly feeTaxRate: number;
}

/** The terms of seed 003's settlement example. */
export const SEED_FEE_TERMS: FeeTerms = Object.freeze({ feeAmount: 100, feeRate: 450, feeTaxRate: 500 });

/**
 * What an order pays out after fees, exactly: (fixed + amount × rate) × (1 + tax), rounded half up once, at the end.
 * The seed's own example holds: 81480 − (100 + 3666.6) × 1.05 = 81480 − 3955 = 77525.
 */
export function settledAmount(amount: number, terms: FeeTerms): number {
  const basis = 10_000n;
  const fees =
    (BigInt(terms.feeAmount) * basis + BigInt(amount) * BigInt(terms.feeRate)) *
    (basis + BigInt(terms.feeTaxRate));
  const scale = basis * basis;
  const rounded = (fees + scale / 2n) / scale;
  return amount - Number(rounded);
}

export function isFeeTerms(value: unknown): value is FeeTerms {
  if (typeof value !== 'object' || value === null) return false;
  const terms = value as Record<string, unknown>;
  return ['feeAmount', 'feeRate', 'feeTaxRate'].every(
    (key) => Number.isSafeInteger(terms[key]) && (terms[key] as number) >= 0,
  );
}
