import type { FieldDetails } from './api-errors.js';

/** What the buyer typed, as the checkout form and the Direct Post fields name it. */
export interface CardInput {
  card_number: string;
  /** `MM/YY` (Direct Post's `expires`); `MM/YYYY` is accepted too. */
  expires: string;
  cvc: string;
  cardholder_name: string;
}

/** Card display data, exactly what lands in `transaction_data.extra`. Never holds the full number. */
export interface CardExtra {
  masked_pan: string;
  card_brand: string;
  card_type: 'credit' | 'debit';
  expiry_month: number;
  expiry_year: number;
  cardholder_name: string;
  card_issuer_country: string;
}

/** How a saved card behaves when charged again without the buyer. */
export type RecurringBehaviour = 'approve' | 'decline';

/** A card as the sandbox remembers it for recurring charges: display data and a behaviour tag. */
export interface SavedCard {
  extra: CardExtra;
  recurring: RecurringBehaviour;
}

export interface Decline {
  /** Error code from the seed's table: card_declined, insufficient_funds, invalid_card, expired_card… */
  code: string;
  message: string;
  declineCode?: string;
}

export type CardCheck =
  | { kind: 'invalid_input'; details: FieldDetails }
  | { kind: 'approve'; card: SavedCard }
  | { kind: 'challenge'; card: SavedCard }
  | { kind: 'decline'; card: SavedCard | null; decline: Decline };

interface TestCard {
  result: 'approve' | 'decline' | 'challenge';
  recurring?: RecurringBehaviour;
  decline?: Decline;
  /** CHIP's test card only passes with this CVC. */
  cvc?: string;
}

const DECLINED: Decline = {
  code: 'card_declined',
  message: 'The card was declined by the issuing bank.',
  declineCode: 'generic_decline',
};

/**
 * The documented test cards (seed 000 and CHIP's 4444 3333 2222 1111), plus two Stripe-style extras the
 * README lists: a card with insufficient funds and one that saves fine but declines every later charge.
 */
export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  '4242424242424242': { result: 'approve' },
  '4444333322221111': { result: 'approve', cvc: '123' },
  '5555555555554444': { result: 'approve' },
  '4000000000000002': { result: 'decline', decline: DECLINED },
  '4000000000003220': { result: 'challenge' },
  '4000000000009995': {
    result: 'decline',
    decline: {
      code: 'insufficient_funds',
      message: 'The card or account has insufficient funds to complete the transaction.',
      declineCode: 'insufficient_funds',
    },
  },
  '4000000000000341': { result: 'approve', recurring: 'decline' },
};

const HOLDER_NAME = /^[A-Za-z][A-Za-z '.-]{0,29}$/;

export function normalizeCardNumber(value: string): string {
  return value.replace(/[\s-]/g, '');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function cardBrand(digits: string): string {
  if (digits.startsWith('4')) return 'visa';
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'mastercard';
  if (two === 34 || two === 37) return 'amex';
  return 'unknown';
}

export function maskPan(digits: string): string {
  return `${digits.slice(0, 6)}${'*'.repeat(Math.max(digits.length - 10, 0))}${digits.slice(-4)}`;
}

const BRAND_NAMES: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
};

/** "Visa **** 4242", the description the gateway gives a saved card. */
export function describeCard(extra: CardExtra): string {
  return `${BRAND_NAMES[extra.card_brand] ?? 'Card'} **** ${extra.masked_pan.slice(-4)}`;
}

function parseExpiry(value: string): { month: number; year: number } | undefined {
  const match = /^(\d{2})\s*\/\s*(\d{2}|\d{4})$/.exec(value.trim());
  if (!match) return undefined;
  const month = Number(match[1]);
  const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) return undefined;
  return { month, year };
}

/** A card is valid through the last day of its expiry month, on the sandbox clock. */
export function isExpired(month: number, year: number, nowMs: number): boolean {
  const now = new Date(nowMs);
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  return year * 12 + (month - 1) < current;
}

/**
 * Decide what a card payment does. Malformed input is a form error (no payment attempt, nothing changes),
 * like the hosted page's own client-side checks; everything else is a payment attempt that succeeds,
 * needs a 3-D Secure challenge, or fails.
 */
export function checkCard(input: CardInput, nowMs: number): CardCheck {
  const details: FieldDetails = {};
  const digits = normalizeCardNumber(input.card_number ?? '');
  if (!/^\d{12,19}$/.test(digits)) details['card_number'] = ['Enter a valid card number.'];
  const expiry = parseExpiry(input.expires ?? '');
  if (!expiry) details['expires'] = ['Enter the expiry date as MM/YY.'];
  if (!/^\d{3,4}$/.test((input.cvc ?? '').trim())) details['cvc'] = ['Enter the 3 or 4 digit security code.'];
  const holder = (input.cardholder_name ?? '').trim();
  if (!holder) details['cardholder_name'] = ['This field is required.'];
  else if (!HOLDER_NAME.test(holder)) {
    details['cardholder_name'] = ["Use Latin letters, spaces and . - ' only (at most 30 characters)."];
  }
  if (Object.keys(details).length > 0 || !expiry) return { kind: 'invalid_input', details };

  const test = TEST_CARDS[digits];
  const card: SavedCard = {
    extra: {
      masked_pan: maskPan(digits),
      card_brand: cardBrand(digits),
      card_type: 'credit',
      expiry_month: expiry.month,
      expiry_year: expiry.year,
      cardholder_name: holder.toUpperCase(),
      card_issuer_country: 'US',
    },
    recurring: test?.recurring ?? 'approve',
  };
  if (!luhnValid(digits)) {
    return {
      kind: 'decline',
      card: null,
      decline: { code: 'invalid_card', message: 'Card number, expiry, or CVV is invalid or malformed.' },
    };
  }
  if (isExpired(expiry.month, expiry.year, nowMs)) {
    return {
      kind: 'decline',
      card,
      decline: { code: 'expired_card', message: "The card's expiry date has passed." },
    };
  }
  if (!test) {
    return {
      kind: 'decline',
      card,
      decline: {
        ...DECLINED,
        message: 'Only test cards can be used in the sandbox.',
        declineCode: 'test_mode_live_card',
      },
    };
  }
  if (test.cvc !== undefined && input.cvc.trim() !== test.cvc) {
    return {
      kind: 'decline',
      card,
      decline: {
        code: 'card_declined',
        message: 'The security code is incorrect.',
        declineCode: 'incorrect_cvc',
      },
    };
  }
  if (test.result === 'decline') return { kind: 'decline', card, decline: test.decline ?? DECLINED };
  if (test.result === 'challenge') return { kind: 'challenge', card };
  return { kind: 'approve', card };
}

/** A charge of a saved card without the buyer (recurring token): expiry is checked against the clock. */
export function checkSavedCard(card: SavedCard, nowMs: number): Decline | undefined {
  if (isExpired(card.extra.expiry_month, card.extra.expiry_year, nowMs)) {
    return {
      code: 'expired_card',
      message: "The card's expiry date has passed.",
      declineCode: 'expired_card',
    };
  }
  if (card.recurring === 'decline') return DECLINED;
  return undefined;
}
