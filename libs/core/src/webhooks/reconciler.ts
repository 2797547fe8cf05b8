import { silentLogger, type Logger } from '../logger.js';
import type { SettlementPipeline, SettlementResult } from './pipeline.js';

export interface ReconcilerOptions {
  readonly pipeline: SettlementPipeline;
  /** Payment ids the store still considers unsettled and older than `minAgeMs`. */
  readonly listUnsettled: (minAgeMs: number) => Promise<readonly string[]>;
  /** Only payments left pending at least this long are re-queried (default 2 minutes). */
  readonly minAgeMs?: number;
  /** Time between sweeps when started (default 60 s). */
  readonly intervalMs?: number;
  readonly logger?: Logger;
}

export interface SweepReport {
  readonly checked: number;
  readonly settled: number;
  readonly failed: number;
  readonly results: readonly SettlementResult[];
}

/**
 * Re-queries payments that stayed unsettled (a lost webhook, a buyer who closed the tab, a crash between
 * receiving and committing) and settles them through the same pipeline. Sweeps never overlap.
 */
export class Reconciler {
  readonly #o: Required<ReconcilerOptions>;
  readonly #run: PeriodicRun<SweepReport>;

  constructor(options: ReconcilerOptions) {
    this.#o = {
      ...options,
      minAgeMs: options.minAgeMs ?? 120_000,
      intervalMs: options.intervalMs ?? 60_000,
      logger: options.logger ?? silentLogger,
    };
    this.#run = new PeriodicRun(() => this.#sweep(), {
      intervalMs: this.#o.intervalMs,
      onError: (error) => this.#o.logger.error({ err: error }, 'reconcile sweep failed'),
    });
  }

  /** One pass over the unsettled payments. Concurrent calls share the pass in progress. */
  sweep(): Promise<SweepReport> {
    return this.#run.run();
  }

  async #sweep(): Promise<SweepReport> {
    const ids = await this.#o.listUnsettled(this.#o.minAgeMs);
    const results: SettlementResult[] = [];
    let failed = 0;
    for (const id of ids) {
      try {
        results.push(await this.#o.pipeline.settlePayment(id, 'reconcile'));
      } catch (error) {
        failed += 1;
        this.#o.logger.warn(
          { paymentId: id, err: error },
          'reconcile of a payment failed; will retry next sweep',
        );
      }
    }
    const settled = results.filter((r) => r.outcome === 'settled').length;
    if (ids.length > 0) this.#o.logger.info({ checked: ids.length, settled, failed }, 'reconcile sweep');
    return { checked: ids.length, settled, failed, results };
  }

  /** Sweep every `intervalMs` until stop(). The timer does not keep the process alive. */
  start(): this {
    this.#run.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.#run.stop();
  }
}

/**
 * A piece of work run on demand and every `intervalMs` once started, never twice at once: a call while it runs
 * shares the run in progress. What the reconciler and the ledger's outbox worker are made of.
 */
export class PeriodicRun<T> {
  readonly #work: () => Promise<T>;
  readonly #o: { readonly intervalMs: number; readonly onError: (error: unknown) => void };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;

  constructor(
    work: () => Promise<T>,
    options: { readonly intervalMs: number; readonly onError: (error: unknown) => void },
  ) {
    this.#work = work;
    this.#o = options;
  }

  /** Run now, or share the run in progress. */
  run(): Promise<T> {
    this.#running ??= this.#work().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Run every `intervalMs` (a failed run goes to `onError`) until stop(). The timer does not keep the process alive. */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.run().catch(this.#o.onError);
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  /** Stop the timer and wait for a run in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }
}
