/**
 * The outbox: messages written in the same transaction as the change they announce, then handed over by whoever
 * holds their lease. A claim takes a lease (`leaseMs`) and a new fence number; completing or failing a message
 * needs the fence it was claimed with, so a holder whose lease ran out and was taken over can change nothing.
 * Messages of one stream are claimed only from its head, one holder at a time, so they are handed over in order.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError } from '@tijara/core';
import type { LedgerContext } from './context.js';
import { claimedFromRow, messageFromRow } from './rows.js';
import { all, get, run, type Program, type Row } from './sql/program.js';
import type { ClaimedMessage, NewOutboxMessage, OutboxMessage } from './types.js';

/** What a message's handler returning normally or throwing did to it. */
export type FailOutcome = 'retry' | 'dead' | 'fenced';

/** The result of claiming a stream: its open messages, or why there are none to hand over now. */
export type StreamClaim =
  | { readonly state: 'claimed'; readonly messages: readonly ClaimedMessage[] }
  | { readonly state: 'empty' }
  /** Its head is leased by another holder until `leaseUntil`. */
  | { readonly state: 'busy'; readonly leaseUntil: Date }
  /** Its head is dead (exhausted): nothing behind it is handed over until it is revived. */
  | { readonly state: 'blocked' };

export interface ClaimOptions {
  /** Most messages to claim (default 20). */
  readonly limit?: number;
  /** Lease length (default the ledger's `outbox.leaseMs`). */
  readonly leaseMs?: number;
}

export interface DeliverOptions {
  /** How long to wait for another holder of the stream's lease to finish (default 0: do not wait). */
  readonly waitMs?: number;
}

/** Hands one message over; throwing leaves it queued for a retry (with backoff) and stops its stream. */
export type MessageHandler = (message: ClaimedMessage) => Promise<void> | void;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Outbox {
  readonly #c: LedgerContext;

  constructor(context: LedgerContext) {
    this.#c = context;
  }

  /** Queue messages. An id that is already queued (or delivered) is left as it is. */
  async enqueue(messages: readonly NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#c.write(() => this.enqueueProgram(messages));
  }

  /**
   * Queue messages inside a transaction; with `claim`, messages a stream can hand over at once (nothing open
   * before them) are inserted already claimed by this process, so delivering them right after the commit costs
   * no second claim.
   */
  *enqueueProgram(
    messages: readonly NewOutboxMessage[],
    options: { claim?: boolean } = {},
  ): Program<{ claimed: ClaimedMessage[]; waiting: Set<string> }> {
    const c = this.#c;
    const now = c.now();
    const claimed: ClaimedMessage[] = [];
    const waiting = new Set<string>();
    const leaseUntil = now + c.policy.leaseMs;
    /** Per stream: may new messages be claimed outright (nothing open before them)? */
    const free = new Map<string, boolean>();
    for (const message of messages) {
      let claimable = false;
      if (options.claim) {
        let known = free.get(message.stream);
        if (known === undefined) {
          known = (yield* get(c.q.streamHead, { stream: message.stream })) === undefined;
          free.set(message.stream, known);
        }
        claimable = known;
      }
      const id = message.id ?? randomUUID();
      const availableAt = message.availableAt?.getTime() ?? now;
      const inserted = yield* get(c.q.insertMessage, {
        id,
        topic: message.topic,
        stream: message.stream,
        payload: JSON.stringify(message.payload),
        available_at: availableAt,
        lease_owner: claimable ? c.owner : null,
        lease_until: claimable ? leaseUntil : null,
        fence: claimable ? 1 : 0,
        now,
      });
      if (!inserted) continue;
      if (claimable) {
        claimed.push({
          id,
          topic: message.topic,
          stream: message.stream,
          sequence: Number(inserted.sequence),
          // The caller's own object: handing over a fresh message needs no JSON round trip.
          payload: message.payload,
          status: 'pending',
          attempts: 0,
          availableAt: new Date(availableAt),
          lastError: undefined,
          createdAt: new Date(now),
          deliveredAt: undefined,
          fence: 1,
          leaseUntil: new Date(leaseUntil),
        });
      } else if (options.claim) {
        waiting.add(message.stream);
      }
    }
    return { claimed, waiting };
  }

  /** Claim every open message of `stream` if its head is free (regardless of backoff): see StreamClaim. */
  claimStream(stream: string, options: ClaimOptions = {}): Promise<StreamClaim> {
    return this.#c.write(() => this.claimStreamProgram(stream, options.leaseMs));
  }

  *claimStreamProgram(stream: string, leaseMs?: number): Program<StreamClaim> {
    const c = this.#c;
    const now = c.now();
    const head = yield* get(c.q.streamHead, { stream });
    if (!head) return { state: 'empty' };
    if (head.status === 'dead') return { state: 'blocked' };
    const leaseUntil = head.lease_until === null ? 0 : Number(head.lease_until);
    if (leaseUntil > now) return { state: 'busy', leaseUntil: new Date(leaseUntil) };
    const rows = yield* all(c.q.claimStream, {
      stream,
      owner: c.owner,
      lease_until: now + (leaseMs ?? c.policy.leaseMs),
    });
    const messages = rows.map(claimedFromRow).sort((a, b) => a.sequence - b.sequence);
    return messages.length === 0 ? { state: 'empty' } : { state: 'claimed', messages };
  }

  /**
   * Claim the heads of streams that are due (backoff over, not leased), for a worker: at most one message per
   * stream, oldest due first.
   */
  claim(options: ClaimOptions = {}): Promise<ClaimedMessage[]> {
    const c = this.#c;
    const limit = options.limit ?? 20;
    const leaseMs = options.leaseMs ?? c.policy.leaseMs;
    return c.write(function* () {
      const now = c.now();
      const heads = yield* all(c.q.dueHeads, { now, limit });
      const claimed: ClaimedMessage[] = [];
      for (const head of heads) {
        const row = yield* get(c.q.claimMessage, {
          sequence: Number(head.sequence),
          owner: c.owner,
          lease_until: now + leaseMs,
          now,
        });
        if (row) claimed.push(claimedFromRow(row));
      }
      return claimed;
    });
  }

  /**
   * Mark a claimed message delivered. Resolves false when the claim was fenced off (the lease ran out and another
   * holder claimed it since). With `soon`, the mark rides in this process's next write (see LedgerContext).
   */
  async complete(message: ClaimedMessage, options: { soon?: boolean } = {}): Promise<boolean> {
    const c = this.#c;
    const params = { id: message.id, fence: message.fence, now: c.now() };
    if (options.soon) {
      c.defer(c.q.completeMessage, params);
      return true;
    }
    const changed = await c.autocommit(() => run(c.q.completeMessage, params));
    if (changed === 0) this.#fenced(message);
    return changed > 0;
  }

  /**
   * Record a failed delivery: retried after an exponential backoff, or set aside as dead (and the alert hook
   * called) after `maxAttempts`. Other messages of its stream this process holds are released.
   */
  async fail(message: ClaimedMessage, error: unknown): Promise<FailOutcome> {
    const c = this.#c;
    const { maxAttempts, baseDelayMs, maxDelayMs } = c.policy;
    const attempts = message.attempts + 1;
    const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4);
    const row = await c.write(function* (): Program<Row | undefined> {
      const now = c.now();
      const failed = yield* get(c.q.failMessage, {
        id: message.id,
        fence: message.fence,
        error: describe(error),
        available_at: Math.round(now + delay),
        max_attempts: maxAttempts,
      });
      yield* run(c.q.releaseStream, { stream: message.stream, owner: c.owner });
      return failed;
    });
    if (!row) {
      this.#fenced(message);
      return 'fenced';
    }
    if (row.status !== 'dead') return 'retry';
    c.logger.error(
      { messageId: message.id, topic: message.topic, stream: message.stream, attempts: Number(row.attempts) },
      'outbox message exhausted its retries; set aside until revived',
    );
    try {
      await c.policy.onExhausted?.({ ...message, attempts: Number(row.attempts), status: 'dead' }, error);
    } catch (hookError) {
      c.logger.error({ messageId: message.id, err: hookError }, 'outbox alert hook failed');
    }
    return 'dead';
  }

  /**
   * Hand claimed messages of one stream over in order. The first failure is recorded (`fail`) and thrown; the
   * messages after it are released for a later attempt.
   */
  async handOver(messages: readonly ClaimedMessage[], handler: MessageHandler): Promise<void> {
    for (const message of messages) {
      try {
        await handler(message);
      } catch (error) {
        await this.fail(message, error).catch((failError: unknown) =>
          this.#c.logger.error(
            { messageId: message.id, err: failError },
            'could not record a failed delivery',
          ),
        );
        throw error;
      }
      await this.complete(message, { soon: true });
    }
  }

  /**
   * Deliver what `stream` has open, in order, until it is empty. With `waitMs`, waits for another holder's
   * lease to end first; if it does not end in time, throws ConflictError (`outbox_busy`) and leaves the stream.
   */
  async deliverStream(stream: string, handler: MessageHandler, options: DeliverOptions = {}): Promise<void> {
    const deadline = this.#c.now() + (options.waitMs ?? 0);
    for (let delay = 5; ;) {
      const claim = await this.claimStream(stream);
      if (claim.state === 'empty' || claim.state === 'blocked') return;
      if (claim.state === 'claimed') {
        await this.handOver(claim.messages, handler);
        continue;
      }
      const now = this.#c.now();
      if (now >= deadline) {
        throw new ConflictError(`Messages of ${stream} are being handed over by another process`, {
          code: 'outbox_busy',
        });
      }
      // Poll briefly (a holder in this process finishes in a moment), and never past the lease's end.
      await sleep(Math.max(1, Math.min(delay, claim.leaseUntil.getTime() - now, deadline - now)));
      delay = Math.min(delay * 2, 250);
    }
  }

  /** Put a dead message back in line (attempts reset). False when it was not dead. */
  async revive(id: string): Promise<boolean> {
    const c = this.#c;
    return (await c.autocommit(() => run(c.q.reviveMessage, { id, now: c.now() }))) > 0;
  }

  async get(id: string): Promise<OutboxMessage | undefined> {
    await this.#c.flush();
    const row = await this.#c.read(() => get(this.#c.q.messageById, { id }));
    return row && messageFromRow(row);
  }

  /** Every message of a stream, delivered ones included, in order. */
  async list(stream: string): Promise<OutboxMessage[]> {
    await this.#c.flush();
    const rows = await this.#c.read(() => all(this.#c.q.messagesOfStream, { stream }));
    return rows.map(messageFromRow);
  }

  /** Messages not delivered yet (pending and dead), oldest first. */
  async open(limit = 100): Promise<OutboxMessage[]> {
    await this.#c.flush();
    const rows = await this.#c.read(() => all(this.#c.q.openMessages, { limit }));
    return rows.map(messageFromRow);
  }

  /** Delete delivered messages older than `before` (housekeeping; up to 1000 per call). */
  async purgeDelivered(before: Date): Promise<number> {
    const c = this.#c;
    return c.autocommit(() => run(c.q.purgeDelivered, { before: before.getTime() }));
  }

  #fenced(message: ClaimedMessage): void {
    this.#c.logger.warn(
      { messageId: message.id, stream: message.stream, fence: message.fence },
      'outbox claim was taken over after its lease ran out; the message may be handed over again',
    );
  }
}

/** A short, safe description of a delivery failure (no stack, bounded). */
function describe(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.slice(0, 500);
}
