/**
 * Delivers due outbox messages in the background: claims stream heads whose backoff is over, hands each to its
 * topic's handler, and records the outcome (delivered, retried later with a longer delay, or set aside as dead
 * with the ledger's alert hook). Drains never overlap; the timer does not keep the process alive.
 */
import { silentLogger, type Logger } from '@tijara/core';
import type { MessageHandler, Outbox } from './outbox.js';
import type { ClaimedMessage } from './types.js';

export interface OutboxWorkerOptions {
  /** One handler for every topic, or one per topic (a message whose topic has none fails and is retried). */
  readonly handle: MessageHandler | Readonly<Record<string, MessageHandler>>;
  /** Time between drains when started (default 5 s). */
  readonly intervalMs?: number;
  /** Messages claimed per round (default 20); a drain repeats rounds until nothing is due. */
  readonly batchSize?: number;
  /** Most rounds per drain (default 50), so one drain is bounded. */
  readonly maxRounds?: number;
  readonly logger?: Logger;
}

export interface DrainReport {
  readonly delivered: number;
  readonly failed: number;
}

export class OutboxWorker {
  readonly #outbox: Outbox;
  readonly #o: Required<Omit<OutboxWorkerOptions, 'handle'>> & Pick<OutboxWorkerOptions, 'handle'>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<DrainReport> | undefined;

  constructor(outbox: Outbox, options: OutboxWorkerOptions) {
    this.#outbox = outbox;
    this.#o = {
      ...options,
      intervalMs: options.intervalMs ?? 5_000,
      batchSize: options.batchSize ?? 20,
      maxRounds: options.maxRounds ?? 50,
      logger: options.logger ?? silentLogger,
    };
  }

  /** Deliver what is due now. Concurrent calls share the drain in progress. */
  drain(): Promise<DrainReport> {
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #drain(): Promise<DrainReport> {
    let delivered = 0;
    let failed = 0;
    for (let round = 0; round < this.#o.maxRounds; round++) {
      const claimed = await this.#outbox.claim({ limit: this.#o.batchSize });
      if (claimed.length === 0) break;
      // Claimed heads belong to different streams, so they may be handed over side by side.
      const outcomes = await Promise.all(claimed.map((message) => this.#deliver(message)));
      delivered += outcomes.filter(Boolean).length;
      failed += outcomes.filter((ok) => !ok).length;
    }
    if (delivered + failed > 0) this.#o.logger.info({ delivered, failed }, 'outbox drain');
    return { delivered, failed };
  }

  async #deliver(message: ClaimedMessage): Promise<boolean> {
    try {
      await this.#outbox.handOver([message], this.#handler(message.topic));
      return true;
    } catch (error) {
      this.#o.logger.warn(
        { messageId: message.id, topic: message.topic, attempts: message.attempts + 1, err: error },
        'outbox delivery failed; it will be retried',
      );
      return false;
    }
  }

  #handler(topic: string): MessageHandler {
    const handle = this.#o.handle;
    if (typeof handle === 'function') return handle;
    const forTopic = handle[topic];
    return (
      forTopic ??
      (() => {
        throw new Error(`No outbox handler for topic "${topic}"`);
      })
    );
  }

  /** Drain every `intervalMs` until stop(). */
  start(): this {
    if (this.#timer) return this;
    this.#timer = setInterval(() => {
      this.drain().catch((error: unknown) => this.#o.logger.error({ err: error }, 'outbox drain failed'));
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
