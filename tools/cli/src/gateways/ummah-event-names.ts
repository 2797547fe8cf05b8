import { UMMAH_EVENT_TYPES } from '@tijara/ummah';
import { UsageError } from '../cli-errors.js';

const KNOWN = new Set<string>(UMMAH_EVENT_TYPES);

/** Reject misspelt event names up front: a webhook subscribed to `purchase.payed` would just never fire. */
export function checkEventNames(names: readonly string[]): string[] {
  for (const name of names) {
    if (!KNOWN.has(name)) {
      throw new UsageError(`unknown event '${name}' (known: ${UMMAH_EVENT_TYPES.join(', ')})`);
    }
  }
  return [...new Set(names)];
}
