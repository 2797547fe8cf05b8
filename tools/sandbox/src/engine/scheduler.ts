import type { Logger } from '@tijara/core';
import type { SandboxClock } from './clock.js';

/** How often real time is checked for work that came due without a clock advance. */
const TICK_MS = 1000;
/** Upper bound on scheduled instants processed by one advance (a year of daily renewals fits easily). */
const MAX_STEPS = 10_000;

/** Time-driven work of one part of the sandbox (a gateway's renewals and due dates, the delivery queue). */
export interface Timer {
  /** Earliest sandbox-clock instant (ms) at which something falls due, if anything is scheduled. */
  nextDueMs(): number | undefined;
  /** Do whatever is due now. */
  runDue(): void | Promise<void>;
}

/**
 * Runs time-driven work both as real time passes and when the sandbox clock is advanced. Work is serialized, so
 * an advance and a tick never overlap. Gateways' timers run first, then the delivery queue, so what a renewal or
 * a completed step emits goes out in the same pass.
 */
export class Scheduler {
  private ticker: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly clock: SandboxClock;
  private readonly timers: readonly Timer[];
  private readonly logger: Logger;

  constructor(clock: SandboxClock, timers: readonly Timer[], logger: Logger) {
    this.clock = clock;
    this.timers = timers;
    this.logger = logger;
  }

  start(): void {
    this.ticker = setInterval(() => void this.serial(() => this.runDue()), TICK_MS);
    this.ticker.unref();
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runDue(): Promise<void> {
    if (this.stopped) return;
    for (const timer of this.timers) {
      try {
        await timer.runDue();
      } catch (error) {
        this.logger.error({ err: String(error) }, 'sandbox: scheduled work failed');
      }
    }
  }

  /**
   * Move the clock forward, stopping at every scheduled instant on the way so each piece of work happens at its
   * own time (three months ahead means three renewals, each with its own timestamps).
   */
  advance(seconds: number): Promise<void> {
    return this.serial(async () => {
      const target = this.clock.nowMs() + Math.round(seconds * 1000);
      for (let step = 0; step < MAX_STEPS && !this.stopped; step++) {
        const candidates = this.timers
          .map((timer) => timer.nextDueMs())
          .filter((t): t is number => t !== undefined);
        const next = Math.min(...candidates);
        if (candidates.length === 0 || next > target) break;
        this.clock.advanceTo(next);
        await this.runDue();
      }
      this.clock.advanceTo(target);
      await this.runDue();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
