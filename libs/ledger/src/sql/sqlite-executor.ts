/**
 * Runs programs on `node:sqlite`. Its calls are synchronous, so a program runs from `BEGIN IMMEDIATE` to `COMMIT`
 * without yielding to the event loop: no other request of this process can slip a statement into the
 * transaction, and `BEGIN IMMEDIATE` takes the database's write lock up front, so two processes never both read
 * and then both write. Statements are prepared once per text and reused.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Executor, GroupOutcome, Op, Program, Row } from './program.js';
import type { Statement } from './statement.js';

export class SqliteExecutor implements Executor {
  readonly dialect = 'sqlite' as const;
  readonly #db: DatabaseSync;
  readonly #owned: boolean;
  readonly #cache = new Map<string, StatementSync>();
  readonly #begin: StatementSync;
  readonly #commit: StatementSync;
  readonly #rollback: StatementSync;
  readonly #savepoint: StatementSync;
  readonly #release: StatementSync;
  readonly #rollbackTo: StatementSync;
  #depth = 0;

  constructor(db: DatabaseSync, owned: boolean) {
    this.#db = db;
    this.#owned = owned;
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.prepare('SAVEPOINT tijara_ledger_group');
    this.#release = db.prepare('RELEASE tijara_ledger_group');
    this.#rollbackTo = db.prepare('ROLLBACK TO tijara_ledger_group');
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
      return Promise.resolve(this.#transaction(() => this.#drive(program())));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  writeGroup(programs: ReadonlyArray<() => Program<unknown>>): GroupOutcome[] {
    // Most groups commit whole: run them plainly first. Only when one of them throws (a duplicate, a stale plan,
    // an error) is the transaction rolled back and the group run again with a savepoint per program, so that
    // one rolls back alone. Programs are pure functions of the database, so running one twice is safe.
    try {
      return this.#transaction(() =>
        programs.map((program): GroupOutcome => ({ ok: true, value: this.#drive(program()) })),
      );
    } catch {
      return this.#savepoints(programs);
    }
  }

  #savepoints(programs: ReadonlyArray<() => Program<unknown>>): GroupOutcome[] {
    return this.#transaction(() =>
      programs.map((program): GroupOutcome => {
        this.#savepoint.run();
        try {
          const value = this.#drive(program());
          this.#release.run();
          return { ok: true, value };
        } catch (error) {
          this.#rollbackTo.run();
          this.#release.run();
          return { ok: false, error };
        }
      }),
    );
  }

  #transaction<T>(work: () => T): T {
    if (this.#depth > 0) throw new Error('ledger: a write transaction is already open on this connection');
    this.#depth += 1;
    try {
      this.#begin.run();
      try {
        const value = work();
        this.#commit.run();
        return value;
      } catch (error) {
        // Also after a failed COMMIT, which can leave the transaction open.
        if (this.#db.isTransaction) this.#rollback.run();
        throw error;
      }
    } finally {
      this.#depth -= 1;
    }
  }

  /** A statement that fails is thrown into the program, which may catch it. */
  #drive<T>(program: Program<T>): T {
    let step = program.next();
    while (!step.done) {
      let result: number | Row[] | undefined;
      try {
        result = this.#exec(step.value);
      } catch (error) {
        step = program.throw(error);
        continue;
      }
      step = program.next(result);
    }
    return step.value;
  }

  #exec(op: Op): number | Row[] | undefined {
    const statement = this.#prepared(op.statement);
    const values = op.values as SQLInputValue[];
    if (op.mode === 'run') return Number(statement.run(...values).changes);
    if (op.mode === 'insert') {
      const result = statement.run(...values);
      return Number(result.changes) > 0 ? Number(result.lastInsertRowid) : (undefined as unknown as number);
    }
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
