/**
 * A ledger operation is written once as a generator ("program") that yields the statements it needs and gets
 * their results back. The SQLite executor drives it synchronously between `BEGIN IMMEDIATE` and `COMMIT` —
 * nothing else on the event loop can run inside the transaction — and the PostgreSQL executor drives it with an
 * `await` per statement on one pooled client. `yield*` keeps every result typed:
 *
 * ```ts
 * function* payment(key: string): Program<Row | undefined> {
 *   return yield* get(q.paymentByKey, { key });
 * }
 * ```
 */
import { bind, type SqlValue, type Statement } from './statement.js';

export type Row = Record<string, unknown>;
export type Params = Readonly<Record<string, SqlValue>>;

export interface Op {
  readonly statement: Statement;
  readonly values: readonly SqlValue[];
  /**
   * `run`: the number of rows changed; `rows`: the rows returned; `insert`: the new row's `sequence` (its rowid on
   * SQLite, `{returning_sequence}` on PostgreSQL), or undefined when nothing was inserted.
   */
  readonly mode: 'run' | 'rows' | 'insert';
}

export type Program<T> = Generator<Op, T, unknown>;

/** Execute a statement; the number of rows it changed. */
export function* run(statement: Statement, params: Params = {}): Program<number> {
  return (yield { statement, values: bind(statement, params), mode: 'run' }) as number;
}

/** The rows a statement returns (a SELECT, or a write with RETURNING). */
export function* all(statement: Statement, params: Params = {}): Program<Row[]> {
  return (yield { statement, values: bind(statement, params), mode: 'rows' }) as Row[];
}

/** Insert one row into a table with a `sequence` key; its sequence, or undefined when a conflict skipped it. */
export function* insert(statement: Statement, params: Params = {}): Program<number | undefined> {
  return (yield { statement, values: bind(statement, params), mode: 'insert' }) as number | undefined;
}

/** The first row a statement returns, if any. */
export function* get(statement: Statement, params: Params = {}): Program<Row | undefined> {
  return (yield* all(statement, params))[0];
}

/** Thrown inside a program to roll its transaction back and answer `value` instead. */
export class Rollback<T> {
  readonly value: T;
  constructor(value: T) {
    this.value = value;
  }
}

export type GroupOutcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

export interface Executor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Run a program without a transaction (reads, and single-statement writes). */
  read<T>(program: () => Program<T>): Promise<T>;
  /** Run a program in one write transaction: everything it wrote commits, or nothing does (and it throws). */
  write<T>(program: () => Program<T>): Promise<T>;
  /**
   * Run programs in one write transaction, each in a savepoint of its own: a program that throws is rolled back
   * alone and reported as its outcome; the others commit together. Throws (and writes nothing) only when the
   * transaction itself fails. Only where a commit costs more than the statements (SQLite).
   */
  writeGroup?(programs: ReadonlyArray<() => Program<unknown>>): GroupOutcome[];
  close(): Promise<void>;
}
