/**
 * Cards on the hosted checkout. Seed 003's four test cards approve; two more play the failures the seed's errors
 * describe: a credit decision that denies the buyer, and an approval whose instalment payment is declined at
 * capture (402 `capture_error`). Any other valid card number is denied, as an unknown buyer would be.
 */
export const TEST_CARDS: Readonly<Record<string, string>> = {
  '4111111111111111': 'VISA',
  '5555555555554444': 'MasterCard',
  '378282246310005': 'American Express',
  '6011111111111117': 'Discover',
};
export const DENIED_CARD = '4000000000000002';
export const CAPTURE_DECLINED_CARD = '4000000000000341';

export type CardOutcome = 'approve' | 'approve_capture_declines' | 'deny';

export function normalizeCardNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

/** The Luhn check every card number passes. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** What the credit decision says for a card; undefined when it is not a card number at all. */
export function cardOutcome(input: string): CardOutcome | undefined {
  const digits = normalizeCardNumber(input);
  if (!isLuhnValid(digits)) return undefined;
  if (TEST_CARDS[digits]) return 'approve';
  if (digits === CAPTURE_DECLINED_CARD) return 'approve_capture_declines';
  return 'deny';
}

/** MM/YY in the future (this month included), as "Any future date" in the seed's table. */
export function isFutureExpiry(input: string, nowMs: number): boolean {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input);
  if (!match) return false;
  const month = Number(match[1]);
  const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) return false;
  const now = new Date(nowMs);
  return year > now.getUTCFullYear() || (year === now.getUTCFullYear() && month >= now.getUTCMonth() + 1);
}
