/**
 * Runs programs on `node:sqlite`. Its calls are synchronous, so a program runs from `BEGIN IMMEDIATE` to `COMMIT`
 * without yielding to the event loop: no other request of this process can slip a statement into the
 * transaction, and `BEGIN IMMEDIATE` takes the database's write lock up front, so two processes never both read
 * and then both write. Statements are prepared once per text and reused.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Executor, Op, Program, Row } from './program.js';
import type { Statement } from './statement.js';

export class SqliteExecutor implements Executor {
  readonly dialect = 'sqlite' as const;
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #cache = new Map<string, StatementSync>();
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  #depth = 0;

  constructor(db: DatabaseSync, owned: boolean) {
    this.#db = db;
    this.#owned = owned;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
  }

  get database(): DatabaseSync {
    return this.#db;
  }

  read<T>(program: () => Program<T>): Promise<T> {
    try {
      return Promise.resolve(this.#drive(program()));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  write<T>(program: () => Program<T>): Promise<T> {
    try {
      return Promise.resolve(this.#write(program));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  #write<T>(program: () => Program<T>): T {
    if (this.#depth > 0) throw new Error('ledger: a write transaction is already open on this connection');
    this.#depth += 1;
    try {
      this.#begin.run();
      let value: T;
      try {
        value = this.#drive(program());
      } catch (error) {
        this.#rollback.run();
        throw error;
      }
      this.#commit.run();
      return value;
    } finally {
      this.#depth -= 1;
    }
  }

  #drive<T>(program: Program<T>): T {
    let step = program.next();
    while (!step.done) step = program.next(this.#exec(step.value));
    return step.value;
  }

  #exec(op: Op): number | Row[] {
    const statement = this.#prepared(op.statement);
    const values = op.values as SQLInputValue[];
    if (op.mode === 'run') return Number(statement.run(...values).changes);
    // all(), also for single rows: a statement stepped to its end leaves no read open, so WAL checkpoints run.
    return statement.all(...values) as Row[];
  }

  #prepared(statement: Statement): StatementSync {
    // Unnamed statements (DDL) run once: not worth keeping.
    if (statement.name === '') return this.#db.prepare(statement.sqlite);
    let prepared = this.#cache.get(statement.name);
    if (prepared === undefined) {
      prepared = this.#db.prepare(statement.sqlite);
      this.#cache.set(statement.name, prepared);
    }
    return prepared;
  }

  async close(): Promise<void> {
    if (this.#owned && this.#db.isOpen) this.#db.close();
  }
}
