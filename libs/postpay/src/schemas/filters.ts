import { z } from 'zod';
import { isIsoDate, isIsoDatetime, messages } from './common.js';

/**
 * Django-style list filters (seed 003): `field` for an exact match, `field__lookup` otherwise, and for datetimes a
 * transform that may be compared too (`created__date__gt=2020-05-20`). Each list's filters are data — which field,
 * of which type, with which lookups — from which both the driver's typed query schema and the sandbox's filtering
 * are derived, so the two can never disagree about what a list accepts.
 */
export type FilterKind = 'string' | 'decimal' | 'integer' | 'currency' | 'datetime' | 'boolean' | 'list';

export const COMPARISONS = ['gt', 'lt', 'gte', 'lte'] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const TEXT_LOOKUPS = [
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'regex',
  'iregex',
] as const;
export type TextLookup = (typeof TEXT_LOOKUPS)[number];
/** Datetime transforms; each also takes a comparison (`created__year__gte=2020`). */
export const DATE_TRANSFORMS = ['date', 'year', 'month', 'week_day', 'day', 'hour'] as const;
export type DateTransform = (typeof DATE_TRANSFORMS)[number];
export type Lookup = 'exact' | 'in' | 'isnull' | Comparison | TextLookup | DateTransform;

export interface FilterField {
  readonly kind: FilterKind;
  readonly lookups: readonly Lookup[];
}

export interface ListSpec {
  readonly filters: Readonly<Record<string, FilterField>>;
  /** Fields `ordering` accepts, each ascending or (with `-`) descending. */
  readonly ordering: readonly string[];
}

/** The documented maximum of `page_size`; 20 when it is left out. */
export const MAX_PAGE_SIZE = 50;
export const DEFAULT_PAGE_SIZE = 20;

const DATETIME_LOOKUPS = ['exact', ...COMPARISONS, ...DATE_TRANSFORMS] as const;
const NUMBER_LOOKUPS = ['exact', ...COMPARISONS] as const;

export const ORDER_LIST = {
  filters: {
    order_id: { kind: 'string', lookups: ['exact', 'in'] },
    status: { kind: 'string', lookups: ['exact', 'in'] },
    total_amount: { kind: 'decimal', lookups: NUMBER_LOOKUPS },
    currency: { kind: 'currency', lookups: ['exact', 'in'] },
    created: { kind: 'datetime', lookups: DATETIME_LOOKUPS },
  },
  ordering: ['total_amount', 'created'],
} as const satisfies ListSpec;

export const REFUND_LIST = {
  filters: {
    refund_id: { kind: 'string', lookups: ['exact', 'in'] },
    description: { kind: 'string', lookups: TEXT_LOOKUPS },
    amount: { kind: 'decimal', lookups: NUMBER_LOOKUPS },
    created: { kind: 'datetime', lookups: DATETIME_LOOKUPS },
  },
  ordering: ['amount', 'created'],
} as const satisfies ListSpec;

export const TRANSACTION_LIST = {
  filters: {
    id: { kind: 'string', lookups: ['exact', 'in'] },
    type: { kind: 'string', lookups: ['exact', 'in'] },
    amount: { kind: 'decimal', lookups: NUMBER_LOOKUPS },
    currency: { kind: 'currency', lookups: ['exact', 'in'] },
    created: { kind: 'datetime', lookups: DATETIME_LOOKUPS },
    paid: { kind: 'datetime', lookups: [...DATETIME_LOOKUPS, 'isnull'] },
  },
  ordering: ['amount', 'created', 'paid'],
} as const satisfies ListSpec;

export const HOOK_LIST = {
  filters: {
    id: { kind: 'string', lookups: ['exact', 'in'] },
    events: { kind: 'list', lookups: ['exact', 'contains'] },
    url: { kind: 'string', lookups: ['exact', 'in', ...TEXT_LOOKUPS] },
    active: { kind: 'boolean', lookups: ['exact'] },
    last_response_code: { kind: 'integer', lookups: ['exact', 'in', ...COMPARISONS] },
    created: { kind: 'datetime', lookups: DATETIME_LOOKUPS },
  },
  ordering: ['created'],
} as const satisfies ListSpec;

// --- static types of a list's query, derived from its spec -------------------------------------------------

type ValueOf<K extends FilterKind, L extends Lookup> = L extends 'in'
  ? readonly (string | number)[] | string
  : L extends 'isnull'
    ? boolean
    : K extends 'datetime'
      ? L extends Exclude<DateTransform, 'date'>
        ? number
        : Date | string
      : K extends 'decimal' | 'integer'
        ? number
        : K extends 'boolean'
          ? boolean
          : string;

type EntryFor<F extends string, K extends FilterKind, L extends Lookup> = L extends DateTransform
  ? { key: `${F}__${L}` | `${F}__${L}__${Comparison}`; value: ValueOf<K, L> }
  : L extends 'exact'
    ? { key: F; value: ValueOf<K, L> }
    : { key: `${F}__${L}`; value: ValueOf<K, L> };

type Entries<S extends ListSpec['filters']> = {
  [F in keyof S & string]: S[F] extends { kind: infer K extends FilterKind; lookups: readonly (infer L)[] }
    ? L extends Lookup
      ? EntryFor<F, K, L>
      : never
    : never;
}[keyof S & string];

export type FilterInput<S extends ListSpec['filters']> = {
  [E in Entries<S> as E['key']]?: E['value'];
};

type OrderingOf<S extends ListSpec> = S['ordering'][number] | `-${S['ordering'][number]}`;

/** The query a list accepts: its filters, `ordering` (one field or several), `page` and `page_size` (≤ 50). */
export type ListQuery<S extends ListSpec> = FilterInput<S['filters']> & {
  ordering?: OrderingOf<S> | readonly OrderingOf<S>[];
  page?: number;
  page_size?: number;
};

// --- parsing keys (shared with the sandbox) ------------------------------------------------------------------

export interface FilterKey {
  readonly field: string;
  readonly kind: FilterKind;
  /** `exact`, `in`, `isnull`, a comparison, a text lookup, or a datetime transform. */
  readonly lookup: Lookup;
  /** The comparison applied after a datetime transform (`created__date__gt`), `exact` when none. */
  readonly comparison: 'exact' | Comparison;
}

/** What `key` filters on under `spec`, or undefined when the list does not know it. */
export function parseFilterKey(key: string, spec: ListSpec): FilterKey | undefined {
  const [field = '', lookup = 'exact', comparison = 'exact', ...rest] = key.split('__');
  const filter = spec.filters[field];
  if (!filter || rest.length > 0 || !filter.lookups.includes(lookup as Lookup)) return undefined;
  if (comparison !== 'exact') {
    const transform = (DATE_TRANSFORMS as readonly string[]).includes(lookup);
    if (!transform || !(COMPARISONS as readonly string[]).includes(comparison)) return undefined;
  }
  return {
    field,
    kind: filter.kind,
    lookup: lookup as Lookup,
    comparison: comparison as FilterKey['comparison'],
  };
}

/** Every key `spec` accepts, for documentation and tests. */
export function filterKeys(spec: ListSpec): string[] {
  const keys: string[] = [];
  for (const [field, filter] of Object.entries(spec.filters)) {
    for (const lookup of filter.lookups) {
      const key = lookup === 'exact' ? field : `${field}__${lookup}`;
      keys.push(key);
      if ((DATE_TRANSFORMS as readonly string[]).includes(lookup)) {
        for (const comparison of COMPARISONS) keys.push(`${key}__${comparison}`);
      }
    }
  }
  return keys;
}

// --- the driver's query schema -------------------------------------------------------------------------------

type QueryValue = string | number | boolean;

function toIsoDatetime(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  return typeof value === 'string' && isIsoDatetime(value) ? value : undefined;
}

function toIsoDate(value: unknown): string | undefined {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  return typeof value === 'string' && isIsoDate(value) ? value : undefined;
}

/** One query value in its wire form, or a message saying why it cannot be sent. */
function encodeValue(filter: FilterKey, value: unknown): { value: QueryValue } | { error: string } {
  const scalar = (v: unknown): { value: QueryValue } | { error: string } => {
    if (filter.lookup === 'isnull' || filter.kind === 'boolean') {
      return typeof v === 'boolean' ? { value: v } : { error: messages.boolean };
    }
    if (filter.kind === 'datetime') {
      if ((DATE_TRANSFORMS as readonly string[]).includes(filter.lookup)) {
        if (filter.lookup === 'date') {
          const date = toIsoDate(v);
          return date ? { value: date } : { error: messages.date };
        }
        return Number.isInteger(v) ? { value: v as number } : { error: messages.integer };
      }
      const datetime = toIsoDatetime(v);
      return datetime ? { value: datetime } : { error: messages.datetime };
    }
    if (filter.kind === 'decimal' || filter.kind === 'integer') {
      return Number.isSafeInteger(v) ? { value: v as number } : { error: messages.integer };
    }
    if (typeof v !== 'string') return { error: messages.string };
    return v === '' ? { error: messages.blank } : { value: v };
  };
  if (filter.lookup !== 'in') return scalar(value);
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!items || items.length === 0) return { error: messages.list };
  const encoded: string[] = [];
  for (const item of items) {
    const one = scalar(typeof item === 'string' ? item.trim() : item);
    if ('error' in one) return one;
    encoded.push(String(one.value));
  }
  return { value: encoded.join(',') };
}

const pageNumber = (max?: number) => {
  let schema = z.int({ error: messages.integer }).min(1, { error: messages.minValue(1) });
  if (max !== undefined) schema = schema.max(max, { error: messages.maxValue(max) });
  return schema.optional();
};

/**
 * The query schema of one list: typed filters in, wire values out (`status__in: ['captured', 'denied']` →
 * `"captured,denied"`, Dates → ISO 8601). A key the list does not document is refused rather than sent, because
 * Django ignores unknown filters and would answer every object instead of the few that were meant.
 */
export function listQuerySchema<S extends ListSpec>(
  spec: S,
): z.ZodType<Record<string, QueryValue>, ListQuery<S>> {
  const orderingValues = new Set(spec.ordering.flatMap((field) => [field, `-${field}`]));
  return z.record(z.string(), z.unknown(), { error: messages.object }).transform((input, ctx) => {
    const query: Record<string, QueryValue> = {};
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined) continue;
      if (key === 'page' || key === 'page_size') {
        const parsed = pageNumber(key === 'page_size' ? MAX_PAGE_SIZE : undefined).safeParse(value);
        if (parsed.success) query[key] = parsed.data as number;
        else
          for (const issue of parsed.error.issues)
            ctx.addIssue({ code: 'custom', path: [key], message: issue.message });
        continue;
      }
      if (key === 'ordering') {
        const fields = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [value];
        const bad = fields.find((field) => typeof field !== 'string' || !orderingValues.has(field));
        if (bad !== undefined || fields.length === 0) {
          ctx.addIssue({ code: 'custom', path: [key], message: messages.choice(bad) });
        } else {
          query[key] = fields.join(',');
        }
        continue;
      }
      const filter = parseFilterKey(key, spec);
      if (!filter) {
        ctx.addIssue({ code: 'custom', path: [key], message: messages.unknownField });
        continue;
      }
      const encoded = encodeValue(filter, value);
      if ('error' in encoded) ctx.addIssue({ code: 'custom', path: [key], message: encoded.error });
      else query[key] = encoded.value;
    }
    return query;
  }) as unknown as z.ZodType<Record<string, QueryValue>, ListQuery<S>>;
}
