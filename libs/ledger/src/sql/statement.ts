/**
 * One set of statements for both backends. Each statement is written once, with named parameters (`$name`), and
 * rendered for SQLite (`?1`, `?2`, …) and PostgreSQL (`$1`, `$2`, …) with the same parameter order, so a call
 * binds the same array on either. The few real dialect differences are macros:
 *
 * - `{for_update}`: `FOR UPDATE` on PostgreSQL, nothing on SQLite (whose write transactions are serialised by
 *   `BEGIN IMMEDIATE` already);
 * - `{skip_locked}`: `FOR UPDATE SKIP LOCKED` on PostgreSQL, nothing on SQLite.
 */

export type DialectName = 'sqlite' | 'postgres';

/** What a parameter may be bound to. Times are epoch milliseconds, booleans 0/1, JSON is text. */
export type SqlValue = string | number | null;

export interface Statement {
  /** Names the prepared statement (unique per ledger); empty for statements run once (DDL). */
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
  /** Parameter names in binding order (a name used twice is bound once). */
  readonly params: readonly string[];
}

const PARAM = /\$([a-z_][a-z0-9_]*)/g;
const MACROS: Record<string, Record<DialectName, string>> = {
  for_update: { sqlite: '', postgres: 'FOR UPDATE' },
  skip_locked: { sqlite: '', postgres: 'FOR UPDATE SKIP LOCKED' },
};

/** Builds the statements of one ledger (its table names are part of the text). */
export class StatementSet {
  readonly #prefix: string;
  #count = 0;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  define(text: string): Statement {
    const params: string[] = [];
    const index = (name: string): number => {
      let i = params.indexOf(name);
      if (i < 0) i = params.push(name) - 1;
      return i + 1;
    };
    const withParams = (dialect: DialectName): string =>
      text
        .replace(PARAM, (_, name: string) => `${dialect === 'sqlite' ? '?' : '$'}${index(name)}`)
        .replace(/\{([a-z_]+)\}/g, (whole: string, macro: string) => MACROS[macro]?.[dialect] ?? whole)
        .replace(/\s+/g, ' ')
        .trim();
    const sqlite = withParams('sqlite');
    const postgres = withParams('postgres');
    this.#count += 1;
    return { name: `${this.#prefix}${this.#count}`, sqlite, postgres, params };
  }
}

/** The values of `params` in the statement's binding order; a missing one is a programming error. */
export function bind(statement: Statement, params: Readonly<Record<string, SqlValue>>): SqlValue[] {
  return statement.params.map((name) => {
    const value = params[name];
    if (value === undefined) throw new Error(`ledger statement ${statement.name}: no value for $${name}`);
    return value;
  });
}
