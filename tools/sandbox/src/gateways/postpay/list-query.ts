import {
  DEFAULT_PAGE_SIZE,
  isIsoDate,
  MAX_PAGE_SIZE,
  parseFilterKey,
  type Comparison,
  type FilterKey,
  type ListSpec,
} from '@tijara/postpay';
import { errors } from './api-errors.js';

/** A field's value on one object, as the list filters see it. */
export type FieldValue = string | number | boolean | Date | readonly string[] | null;

/** Reads each filterable field (and each ordering field) of an object. */
export type Accessors<T> = Readonly<Record<string, (item: T) => FieldValue>>;

export interface ListPage<T> {
  readonly count: number;
  readonly results: readonly T[];
  /** The page's number and size, to build `next`/`previous`. */
  readonly page: number;
  readonly pageSize: number;
  readonly hasNext: boolean;
}

/** A query value the filter cannot use: Django answers 400 with the field's message. */
export class FilterError extends Error {
  readonly fields: Record<string, string[]>;
  constructor(fields: Record<string, string[]>) {
    super('Invalid input.');
    this.fields = fields;
  }
}

/** `page` beyond the last page: DRF answers 404 "Invalid page.". */
export class InvalidPageError extends Error {
  constructor() {
    super('Invalid page.');
  }
}

type Predicate<T> = (item: T) => boolean;

const NUMBER = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

function compare(a: number, b: number, op: 'exact' | Comparison): boolean {
  switch (op) {
    case 'exact':
      return a === b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}

function parseDatetime(text: string): number | undefined {
  // Django accepts a date alone for a datetime filter (midnight); so does the sandbox.
  const value = isIsoDate(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
  return /^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(value) ? value : undefined;
}

/** The transform of a datetime (UTC, as Postpay's API reports times), Django's numbering (week_day 1 = Sunday). */
function transform(date: Date, lookup: string): number | string {
  switch (lookup) {
    case 'date':
      return date.toISOString().slice(0, 10);
    case 'year':
      return date.getUTCFullYear();
    case 'month':
      return date.getUTCMonth() + 1;
    case 'week_day':
      return date.getUTCDay() + 1;
    case 'day':
      return date.getUTCDate();
    default:
      return date.getUTCHours();
  }
}

function textMatch(value: string, needle: string, lookup: string): boolean {
  const insensitive = lookup.startsWith('i');
  const a = insensitive ? value.toLowerCase() : value;
  const b = insensitive ? needle.toLowerCase() : needle;
  switch (lookup.replace(/^i/, '')) {
    case 'contains':
      return a.includes(b);
    case 'startswith':
      return a.startsWith(b);
    case 'endswith':
      return a.endsWith(b);
    default:
      return new RegExp(needle, insensitive ? 'i' : '').test(value);
  }
}

const asDate = (value: FieldValue): Date | undefined =>
  value instanceof Date ? value : typeof value === 'string' && value !== '' ? new Date(value) : undefined;

/** One filter as a predicate, or the message Django would answer for its value. */
function predicate<T>(key: FilterKey, text: string, read: (item: T) => FieldValue): Predicate<T> | string {
  if (key.lookup === 'isnull') {
    const wanted = /^(true|1)$/i.test(text) ? true : /^(false|0)$/i.test(text) ? false : undefined;
    if (wanted === undefined) return 'Enter a valid boolean.';
    return (item) => (read(item) === null || read(item) === undefined) === wanted;
  }
  if (key.lookup === 'in') {
    const wanted = new Set(text.split(',').map((v) => v.trim()));
    if (key.kind === 'decimal' || key.kind === 'integer') {
      if ([...wanted].some((v) => !INTEGER.test(v))) return 'Enter a whole number.';
    }
    return (item) => wanted.has(String(read(item)));
  }
  switch (key.kind) {
    case 'decimal':
    case 'integer': {
      if (!(key.kind === 'decimal' ? NUMBER : INTEGER).test(text)) {
        return key.kind === 'decimal' ? 'Enter a number.' : 'Enter a whole number.';
      }
      const wanted = Number(text);
      const op = key.lookup === 'exact' ? 'exact' : (key.lookup as Comparison);
      return (item) => {
        const value = read(item);
        return typeof value === 'number' && compare(value, wanted, op);
      };
    }
    case 'boolean': {
      const wanted = /^(true|1)$/i.test(text) ? true : /^(false|0)$/i.test(text) ? false : undefined;
      if (wanted === undefined) return `Select a valid choice. ${text} is not one of the available choices.`;
      return (item) => read(item) === wanted;
    }
    case 'datetime': {
      if (key.lookup === 'exact' || ['gt', 'gte', 'lt', 'lte'].includes(key.lookup)) {
        const wanted = parseDatetime(text);
        if (wanted === undefined) return 'Enter a valid date/time.';
        const op = key.lookup as 'exact' | Comparison;
        return (item) => {
          const date = asDate(read(item));
          return date !== undefined && compare(date.getTime(), wanted, op);
        };
      }
      if (key.lookup === 'date') {
        if (!isIsoDate(text)) return 'Enter a valid date.';
        return (item) => {
          const date = asDate(read(item));
          if (!date) return false;
          const day = transform(date, 'date') as string;
          return compare(day < text ? -1 : day > text ? 1 : 0, 0, key.comparison);
        };
      }
      if (!INTEGER.test(text)) return 'Enter a whole number.';
      const wanted = Number(text);
      return (item) => {
        const date = asDate(read(item));
        return date !== undefined && compare(transform(date, key.lookup) as number, wanted, key.comparison);
      };
    }
    case 'list': {
      const wanted = text.split(',').map((v) => v.trim());
      return (item) => {
        const value = read(item);
        const list = Array.isArray(value) ? (value as readonly string[]) : [];
        if (key.lookup === 'contains') return wanted.every((v) => list.includes(v));
        return list.length === wanted.length && wanted.every((v) => list.includes(v));
      };
    }
    default: {
      if (key.lookup === 'exact') return (item) => String(read(item) ?? '') === text;
      if (key.lookup === 'regex' || key.lookup === 'iregex') {
        try {
          new RegExp(text);
        } catch {
          return 'Enter a valid regular expression.';
        }
      }
      return (item) => {
        const value = read(item);
        return typeof value === 'string' && textMatch(value, text, key.lookup);
      };
    }
  }
}

function sortValue(value: FieldValue): number | string {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return Number.NEGATIVE_INFINITY;
  const date = typeof value === 'string' ? parseDatetime(value) : undefined;
  return date ?? String(value);
}

/**
 * A list endpoint's query applied the way django-filter and DRF do it: documented filters narrow the list (an
 * unknown parameter is ignored, a bad value is a 400), `ordering` sorts by documented fields (others are dropped),
 * `page_size` is capped at 50, and a page past the end is a 404.
 */
export function applyListQuery<T>(
  items: readonly T[],
  query: URLSearchParams,
  spec: ListSpec,
  accessors: Accessors<T>,
  defaultOrdering: string,
): ListPage<T> {
  const predicates: Predicate<T>[] = [];
  const errors: Record<string, string[]> = {};
  for (const [name, text] of query) {
    if (name === 'page' || name === 'page_size' || name === 'ordering') continue;
    const key = parseFilterKey(name, spec);
    const read = key ? accessors[key.field] : undefined;
    if (!key || !read) continue;
    const made = predicate(key, text, read);
    if (typeof made === 'string') (errors[name] ??= []).push(made);
    else predicates.push(made);
  }
  if (Object.keys(errors).length > 0) throw new FilterError(errors);

  const allowed = new Set(spec.ordering);
  const ordering = (query.get('ordering') ?? defaultOrdering)
    .split(',')
    .map((term) => term.trim())
    .filter((term) => allowed.has(term.replace(/^-/, '')) && accessors[term.replace(/^-/, '')]);
  const terms = ordering.length > 0 ? ordering : [defaultOrdering];
  const filtered = items.filter((item) => predicates.every((p) => p(item)));
  const sorted = [...filtered].sort((a, b) => {
    for (const term of terms) {
      const field = term.replace(/^-/, '');
      const read = accessors[field];
      if (!read) continue;
      const x = sortValue(read(a));
      const y = sortValue(read(b));
      if (x === y) continue;
      const order = x < y ? -1 : 1;
      return term.startsWith('-') ? -order : order;
    }
    return 0;
  });

  const sizeText = query.get('page_size');
  const size =
    sizeText !== null && /^\d+$/.test(sizeText) && Number(sizeText) > 0
      ? Number(sizeText)
      : DEFAULT_PAGE_SIZE;
  const pageSize = Math.min(size, MAX_PAGE_SIZE);
  const pageText = query.get('page') ?? '1';
  const page = pageText === 'last' ? Math.max(1, Math.ceil(sorted.length / pageSize)) : Number(pageText);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  if (!Number.isInteger(page) || page < 1 || page > pages) throw new InvalidPageError();
  return {
    count: sorted.length,
    results: sorted.slice((page - 1) * pageSize, page * pageSize),
    page,
    pageSize,
    hasNext: page < pages,
  };
}

/** A list query's errors in the API's shapes: a bad filter value is a 400, a page past the end a 404. */
export function listPage<T>(run: () => ListPage<T>): ListPage<T> {
  try {
    return run();
  } catch (error) {
    if (error instanceof FilterError) throw errors.invalid(error.fields);
    if (error instanceof InvalidPageError) throw errors.notFound('Invalid page.');
    throw error;
  }
}

/** The list envelope, with `next`/`previous` as absolute links that keep the query and change the page. */
export function pageBody<T>(
  page: ListPage<T>,
  url: URL,
  render: (item: T) => unknown,
): Record<string, unknown> {
  const link = (n: number) => {
    const target = new URL(url);
    if (n === 1) target.searchParams.delete('page');
    else target.searchParams.set('page', String(n));
    return target.href;
  };
  return {
    count: page.count,
    next: page.hasNext ? link(page.page + 1) : null,
    previous: page.page > 1 ? link(page.page - 1) : null,
    results: page.results.map(render),
  };
}
