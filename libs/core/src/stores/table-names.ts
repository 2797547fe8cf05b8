import { ConfigurationError } from '../errors.js';

/** Names are spliced into SQL, so only plain lower-case identifiers are accepted (no quoting needed). */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const MAX_IDENTIFIER_LENGTH = 63 - '_expires_at_idx'.length;

export const DEFAULT_TABLE_PREFIX = 'tijara_';

export interface TableNameOptions {
  /** Prepended to `events` and `locks` (default `tijara_`). Lower-case letters, digits and `_`. */
  readonly tablePrefix?: string;
  /** PostgreSQL only: the schema holding the tables (default: the search path, usually `public`). */
  readonly schema?: string;
}

export interface TableNames {
  /** Unqualified table names, also used to name indexes. */
  readonly events: string;
  readonly locks: string;
  /** Qualified with the schema when there is one. */
  readonly qualifiedEvents: string;
  readonly qualifiedLocks: string;
  readonly schema: string | undefined;
}

export function tableNames(options: TableNameOptions = {}): TableNames {
  const prefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  const events = checkIdentifier(`${prefix}events`, 'tablePrefix');
  const locks = checkIdentifier(`${prefix}locks`, 'tablePrefix');
  const schema = options.schema === undefined ? undefined : checkIdentifier(options.schema, 'schema');
  const qualify = (table: string): string => (schema === undefined ? table : `${schema}.${table}`);
  return { events, locks, qualifiedEvents: qualify(events), qualifiedLocks: qualify(locks), schema };
}

function checkIdentifier(name: string, option: string): string {
  if (!IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER_LENGTH) {
    throw new ConfigurationError(
      `Invalid ${option}: "${name}" must be lower-case letters, digits and underscores, starting with a letter ` +
        `or underscore, at most ${MAX_IDENTIFIER_LENGTH} characters`,
    );
  }
  return name;
}
