import type { SandboxContext } from './context.js';

/** How often real time is checked for renewals and due dates that came without a clock advance. */
const TICK_MS = 1000;
/** Upper bound on scheduled instants processed by one advance (a year of daily renewals fits easily). */
const MAX_STEPS = 10_000;

/**
 * Runs time-driven work — due dates, subscription renewals, webhook retries — both as real time passes
 * and when the sandbox clock is advanced. Work is serialized, so an advance and a tick never overlap.
 */
export class Scheduler {
  private ticker: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  private readonly sandbox: SandboxContext;

  constructor(sandbox: SandboxContext) {
    this.sandbox = sandbox;
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
    const { purchases, billing, deliveries, logger } = this.sandbox;
    try {
      purchases.refreshDue();
      billing.runDue();
    } catch (error) {
      logger.error({ err: String(error) }, 'sandbox: scheduled work failed');
    }
    await deliveries.runDue();
  }

  /**
   * Move the clock forward, stopping at every renewal and delivery retry on the way so each happens at
   * its own instant (three months ahead means three renewals, each with its own timestamps).
   */
  advance(seconds: number): Promise<void> {
    return this.serial(async () => {
      const { clock, billing, deliveries } = this.sandbox;
      const target = clock.nowMs() + Math.round(seconds * 1000);
      for (let step = 0; step < MAX_STEPS && !this.stopped; step++) {
        const renewal = billing.nextDue();
        const candidates = [
          renewal === undefined ? undefined : renewal * 1000,
          deliveries.nextClockDue(),
        ].filter((t): t is number => t !== undefined);
        const next = Math.min(...candidates);
        if (candidates.length === 0 || next > target) break;
        clock.advanceTo(next);
        await this.runDue();
      }
      clock.advanceTo(target);
      await this.runDue();
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
