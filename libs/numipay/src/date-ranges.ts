import { InvalidRequestError } from '@tijara/core';

/** The list endpoint takes at most this many days per call (seed: "Maximum range between dates it's 7 days"). */
export const MAX_RANGE_DAYS = 7;

const DAY_MS = 86_400_000;

export interface DateWindow {
  /** DD-MM-YYYY */
  readonly from: string;
  /** DD-MM-YYYY */
  readonly to: string;
}

/** A calendar day as Numipay writes it (DD-MM-YYYY), in UTC. */
export function formatNumipayDate(date: Date): string {
  const dd = String(date.getUTCDate()).padStart(2, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${dd}-${mm}-${date.getUTCFullYear()}`;
}

function invalid(message: string): InvalidRequestError {
  return new InvalidRequestError(message, { gateway: 'numipay', code: 'invalid_date_range' });
}

/** A Date, or a `YYYY-MM-DD` / `DD-MM-YYYY` day, as midnight UTC of that day. */
export function toUtcDay(value: Date | string): Date {
  let date: Date;
  if (value instanceof Date) date = value;
  else {
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const numipay = /^(\d{2})-(\d{2})-(\d{4})$/.exec(value);
    if (iso) date = new Date(Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3])));
    else if (numipay)
      date = new Date(Date.UTC(Number(numipay[3]), Number(numipay[2]) - 1, Number(numipay[1])));
    else throw invalid(`"${value}" is not a date (YYYY-MM-DD or DD-MM-YYYY)`);
    // 31-02-2024 would roll over into March: refuse it rather than list the wrong days.
    if (
      typeof value === 'string' &&
      formatNumipayDate(date) !== (iso ? `${iso[3]}-${iso[2]}-${iso[1]}` : value)
    ) {
      throw invalid(`"${value}" is not a calendar date`);
    }
  }
  if (Number.isNaN(date.getTime())) throw invalid('Invalid date');
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

/**
 * The calls that cover `from`…`to` (both days included), each spanning at most seven days, in order and without
 * overlap, so every transaction is listed once.
 */
export function splitDateRange(
  from: Date | string,
  to: Date | string,
  maxDays = MAX_RANGE_DAYS,
): DateWindow[] {
  const start = toUtcDay(from);
  const end = toUtcDay(to);
  if (end.getTime() < start.getTime()) throw invalid('The date range ends before it starts');
  const windows: DateWindow[] = [];
  for (let cursor = start.getTime(); cursor <= end.getTime(); cursor += maxDays * DAY_MS) {
    const last = Math.min(cursor + (maxDays - 1) * DAY_MS, end.getTime());
    windows.push({ from: formatNumipayDate(new Date(cursor)), to: formatNumipayDate(new Date(last)) });
  }
  return windows;
}
