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
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepReport> | undefined;

  constructor(options: ReconcilerOptions) {
    this.#o = {
      ...options,
      minAgeMs: options.minAgeMs ?? 120_000,
      intervalMs: options.intervalMs ?? 60_000,
      logger: options.logger ?? silentLogger,
    };
  }

  /** One pass over the unsettled payments. Concurrent calls share the pass in progress. */
  sweep(): Promise<SweepReport> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
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
    if (this.#timer) return this;
    this.#timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.#o.logger.error({ err: error }, 'reconcile sweep failed'));
    }, this.#o.intervalMs);
    this.#timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }
}
