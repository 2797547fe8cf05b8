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
  /** `run`: the number of rows changed; `rows`: the rows returned. */
  readonly mode: 'run' | 'rows';
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

export interface Executor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Run a program without a transaction (reads, and single-statement writes). */
  read<T>(program: () => Program<T>): Promise<T>;
  /** Run a program in one write transaction: everything it wrote commits, or nothing does (and it throws). */
  write<T>(program: () => Program<T>): Promise<T>;
  close(): Promise<void>;
}
