/**
 * The sandbox's notion of "now": real time plus an offset that only ever grows. Tests and scripts move it
 * forward (`POST /__sandbox/clock/advance`) to make subscription renewals, due dates and webhook retries
 * happen without waiting. The offset is persisted so a restarted sandbox keeps its timeline.
 */
export class SandboxClock {
  private offsetMs: number;
  private readonly persist: (offsetMs: number) => void;

  constructor(offsetMs: number, persist: (offsetMs: number) => void) {
    this.offsetMs = offsetMs;
    this.persist = persist;
  }

  /** Milliseconds since the epoch on the sandbox timeline. */
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Seconds since the epoch, the unit every API timestamp uses. */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Move the timeline forward; never backwards, so stored schedules stay monotonic. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new RangeError('seconds must be a non-negative number');
    this.offsetMs += Math.round(seconds * 1000);
    this.persist(this.offsetMs);
  }

  /** Jump to an instant on the timeline (used when stepping through scheduled work); ignored if in the past. */
  advanceTo(instantMs: number): void {
    const delta = instantMs - this.nowMs();
    if (delta > 0) {
      this.offsetMs += delta;
      this.persist(this.offsetMs);
    }
  }

  reset(): void {
    this.offsetMs = 0;
    this.persist(0);
  }
}
