/**
 * What every part of a ledger shares: the executor, the statements, the clock, this process's lease owner id,
 * the outbox policy, and the queue of deferred writes.
 *
 * Deferred writes are how a delivered message is marked delivered without a commit of its own: the mark waits
 * for the next write transaction of this process (the next settlement, under load a few milliseconds later) and
 * rides in it, or is flushed on its own at the next turn of the event loop. A commit is the expensive part of a
 * write on both backends (SQLite's WAL write and lock, PostgreSQL's WAL flush), so this keeps a first delivery
 * at one commit on its request path. Until then
 * the message stays leased by this process, so nothing else delivers it again; a crash in between means one
 * more delivery of it once the lease expires (at-least-once, same message id).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@tijara/core';
import type { LedgerQueries } from './queries.js';
import type { LedgerTables } from './schema.js';
import { Rollback, run, type Executor, type Params, type Program } from './sql/program.js';
import type { Statement } from './sql/statement.js';
import type { ClaimedMessage } from './types.js';

export interface OutboxPolicy {
  /** Failed deliveries before a message is set aside as dead and the alert hook runs (default 10). */
  readonly maxAttempts?: number;
  /** First retry delay (default 1 s); doubles per failure, with ±20 % jitter. */
  readonly baseDelayMs?: number;
  /** Longest retry delay (default 1 h). */
  readonly maxDelayMs?: number;
  /** How long a claim holds a message (default 10 s): after it, another process may deliver it again. */
  readonly leaseMs?: number;
  /**
   * The alert hook: a message failed `maxAttempts` times and will not be retried until revived
   * (`outbox.revive(id)`). Later messages of its stream wait behind it, so their order holds.
   */
  readonly onExhausted?: (message: ClaimedMessage, error: unknown) => void | Promise<void>;
}

export type ResolvedOutboxPolicy = Required<Omit<OutboxPolicy, 'onExhausted'>> &
  Pick<OutboxPolicy, 'onExhausted'>;

export function resolvePolicy(policy: OutboxPolicy = {}): ResolvedOutboxPolicy {
  return {
    maxAttempts: policy.maxAttempts ?? 10,
    baseDelayMs: policy.baseDelayMs ?? 1_000,
    maxDelayMs: policy.maxDelayMs ?? 3_600_000,
    leaseMs: policy.leaseMs ?? 10_000,
    ...(policy.onExhausted ? { onExhausted: policy.onExhausted } : {}),
  };
}

interface Deferred {
  readonly statement: Statement;
  readonly params: Params;
}

export class LedgerContext {
  readonly executor: Executor;
  readonly q: LedgerQueries;
  readonly tables: LedgerTables;
  /** This ledger instance's lease owner id. */
  readonly owner = randomUUID();
  readonly now: () => number;
  readonly logger: Logger;
  readonly policy: ResolvedOutboxPolicy;
  #deferred: Deferred[] = [];
  /** Write transactions carrying deferred writes, until they have committed or failed. */
  readonly #carrying = new Set<Promise<unknown>>();
  #flushScheduled = false;

  constructor(options: {
    executor: Executor;
    q: LedgerQueries;
    tables: LedgerTables;
    now: () => number;
    logger: Logger;
    policy: ResolvedOutboxPolicy;
  }) {
    this.executor = options.executor;
    this.q = options.q;
    this.tables = options.tables;
    this.now = options.now;
    this.logger = options.logger;
    this.policy = options.policy;
  }

  read<T>(program: () => Program<T>): Promise<T> {
    return this.executor.read(program);
  }

  /** A write transaction; deferred writes run first, in it. A `Rollback` resolves with its value. */
  async write<T>(program: () => Program<T>): Promise<T> {
    const deferred = this.#deferred;
    this.#deferred = [];
    if (deferred.length === 0) return this.executor.write(program).catch(rollbackValue<T>);
    const written = this.executor
      .write(() => withDeferred(deferred, program))
      .catch((error: unknown) => {
        // Nothing of this transaction was written, the deferred writes included: keep them for the next one.
        this.#deferred = [...deferred, ...this.#deferred];
        return rollbackValue<T>(error);
      });
    this.#carrying.add(written);
    try {
      return await written;
    } finally {
      this.#carrying.delete(written);
    }
  }

  /**
   * A program of exactly one statement, committed on its own (no BEGIN/COMMIT round trips on PostgreSQL), unless
   * writes are deferred: then it is a transaction with them.
   */
  autocommit<T>(program: () => Program<T>): Promise<T> {
    return this.#deferred.length > 0 ? this.write(program) : this.executor.read(program);
  }

  /** Run a single write soon, in the next write transaction of this ledger (see the module comment). */
  defer(statement: Statement, params: Params): void {
    this.#deferred.push({ statement, params });
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        this.flush().catch((error: unknown) =>
          this.logger.warn(
            { err: error },
            'ledger: deferred writes failed; they are retried with the next write',
          ),
        );
      });
    }
  }

  /** Write whatever is deferred now, and wait for writes already carrying deferred writes. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#carrying]);
    if (this.#deferred.length > 0) await this.write(function* () {});
  }
}

function rollbackValue<T>(error: unknown): T {
  if (error instanceof Rollback) return error.value as T;
  throw error;
}

function* withDeferred<T>(deferred: readonly Deferred[], program: () => Program<T>): Program<T> {
  for (const { statement, params } of deferred) yield* run(statement, params);
  return yield* program();
}
