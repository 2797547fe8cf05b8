import type { FieldDetails } from '../errors.js';

/** Key for errors that belong to no single field (Django REST Framework's name for it, which gateways copy). */
export const NON_FIELD_KEY = '__all__';

/** A zod issue, as far as field details need it. */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Validation issues as field details keyed by dotted path (`purchase.products.0.price`), each message once. */
export function fieldDetailsFromIssues(
  issues: readonly IssueLike[],
  rootKey: string = NON_FIELD_KEY,
): FieldDetails {
  const details: FieldDetails = {};
  for (const issue of issues) {
    const key = issue.path.length === 0 ? rootKey : issue.path.map(String).join('.');
    const list = (details[key] ??= []);
    if (!list.includes(issue.message)) list.push(issue.message);
  }
  return details;
}

/** `field: message; other.field: message` for error messages; errors of no field read without a prefix. */
export function summarizeFieldDetails(details: FieldDetails, limit = 5, rootKey = NON_FIELD_KEY): string {
  return Object.entries(details)
    .slice(0, limit)
    .map(([field, list]) => (field === rootKey ? list.join(' ') : `${field}: ${list.join(' ')}`))
    .join('; ');
}
