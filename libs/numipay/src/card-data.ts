import { redact, redactString, TijaraError } from '@tijara/core';
import type { CardDetails } from './schemas.js';

const REDACTED = '[REDACTED]';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes one card's data from whatever a server-to-server call returns or throws, on top of core's redaction
 * (card-number shapes, `card_number`/`cvc` fields): the gateway may echo the number, the CVC, the expiry or the
 * holder in free text. A CVC is three or four digits, so it is removed only as a whole number; over-redacting an
 * echo is the safe side.
 */
export class CardDataScrubber {
  readonly #patterns: readonly RegExp[];

  constructor(card: CardDetails) {
    const literals = [
      card.card_number,
      `${card.exp_month}/${card.exp_year}`,
      `${card.exp_month}/${card.exp_year.slice(-2)}`,
      card.holder_name,
    ].filter((value) => typeof value === 'string' && value.trim().length >= 4);
    this.#patterns = [
      ...literals.map((value) => new RegExp(escape(value.trim()), 'gi')),
      ...(/^\d{3,4}$/.test(card.cvc) ? [new RegExp(`(?<!\\d)${card.cvc}(?!\\d)`, 'g')] : []),
    ];
  }

  text(value: string): string {
    return this.#patterns.reduce((out, pattern) => out.replace(pattern, REDACTED), redactString(value));
  }

  /** A deep copy without the card's data. */
  value<T>(value: T): T {
    return this.#walk(redact(value)) as T;
  }

  /** The same error, its message, stack, raw body and details without the card's data. */
  error(error: unknown): unknown {
    if (!(error instanceof Error)) return error;
    Object.assign(error, { message: this.text(error.message), stack: this.text(error.stack ?? '') });
    if (error instanceof TijaraError) {
      Object.assign(error, { raw: this.value(error.raw), details: this.value(error.details) });
    }
    if (error.cause !== undefined) Object.assign(error, { cause: this.error(error.cause) });
    return error;
  }

  #walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.#walk(item));
    if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.#walk(item)]));
    }
    return value;
  }
}
