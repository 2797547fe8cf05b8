/**
 * The part of a `@tijara/ledger` Ledger the battery exercises, stated structurally so that testkit does not
 * depend on the ledger package (the ledger's own tests use testkit). Passing a real Ledger to the battery checks
 * at compile time that the two agree.
 */
import type { CaptureMode, EventStore, JournalRecord, PaymentStatus, SettlementJournal } from '@tijara/core';

export interface BatteryPayment {
  readonly key: string;
  readonly gateway: string;
  readonly paymentId: string | undefined;
  readonly orderId: string;
  readonly attempt: number;
  readonly amount: number;
  readonly currency: string;
  readonly captureMode: CaptureMode;
  readonly status: PaymentStatus;
  readonly capturedAmount: number;
  readonly refundedAmount: number;
  readonly metadata: Record<string, unknown>;
  readonly version: number;
  readonly createdAt: Date;
}

export interface BatteryNewPayment {
  readonly key: string;
  readonly gateway: string;
  readonly paymentId?: string;
  readonly orderId: string;
  readonly attempt?: number;
  readonly amount: number;
  readonly currency: string;
  readonly captureMode: CaptureMode;
  readonly status?: PaymentStatus;
  readonly customerKey?: string;
  readonly metadata?: Record<string, never> | { [key: string]: string | number | boolean | null };
}

export interface BatteryOperation {
  readonly id: string;
  readonly kind: 'refund' | 'capture' | 'void';
  readonly paymentKey: string;
  readonly amount: number | undefined;
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly gatewayId: string | undefined;
}

export interface BatteryMessage {
  readonly id: string;
  readonly topic: string;
  readonly stream: string;
  readonly sequence: number;
  readonly payload: unknown;
  readonly status: 'pending' | 'delivered' | 'dead';
  readonly attempts: number;
  readonly availableAt: Date;
}

export interface BatteryClaimedMessage extends BatteryMessage {
  readonly fence: number;
  readonly leaseUntil: Date;
}

export type BatteryStreamClaim =
  | { readonly state: 'claimed'; readonly messages: readonly BatteryClaimedMessage[] }
  | { readonly state: 'empty' }
  | { readonly state: 'busy'; readonly leaseUntil: Date }
  | { readonly state: 'blocked' };

export interface LedgerUnderTest {
  readonly payments: {
    create(input: BatteryNewPayment): Promise<{ payment: BatteryPayment; created: boolean }>;
    get(key: string): Promise<BatteryPayment | undefined>;
    find(gateway: string, paymentId: string): Promise<BatteryPayment | undefined>;
    list(orderId: string): Promise<BatteryPayment[]>;
    attach(key: string, gatewayPayment: { paymentId: string }): Promise<BatteryPayment>;
    update(
      key: string,
      patch: {
        expectedVersion?: number;
        status?: PaymentStatus;
        metadata?: { [key: string]: string | number | boolean | null };
      },
      options?: { enqueue?: ReadonlyArray<{ id?: string; topic: string; stream: string; payload: unknown }> },
    ): Promise<BatteryPayment>;
    unsettled(query: {
      gateway: string;
      captureOnApproval: boolean;
      createdBefore: Date;
      createdAfter: Date;
      limit?: number;
    }): Promise<BatteryPayment[]>;
  };
  readonly operations: {
    record(
      input: {
        id: string;
        kind: 'refund' | 'capture' | 'void';
        paymentKey: string;
        amount?: number;
        reason?: string;
      },
      options?: { cap?: number; available?: number },
    ): Promise<{ operation: BatteryOperation; created: boolean }>;
    resolve(
      id: string,
      resolution: { status: 'pending' | 'succeeded' | 'failed'; gatewayId?: string; failure?: string },
    ): Promise<BatteryOperation>;
    list(paymentKey: string, kind?: 'refund' | 'capture' | 'void'): Promise<BatteryOperation[]>;
  };
  readonly outbox: {
    enqueue(
      messages: ReadonlyArray<{
        id?: string;
        topic: string;
        stream: string;
        payload: unknown;
        availableAt?: Date;
      }>,
    ): Promise<void>;
    claim(options?: { limit?: number; leaseMs?: number }): Promise<BatteryClaimedMessage[]>;
    claimStream(stream: string, options?: { leaseMs?: number }): Promise<BatteryStreamClaim>;
    complete(message: BatteryClaimedMessage, options?: { soon?: boolean }): Promise<boolean>;
    fail(message: BatteryClaimedMessage, error: unknown): Promise<'retry' | 'dead' | 'fenced'>;
    deliverStream(
      stream: string,
      handler: (message: BatteryClaimedMessage) => Promise<void> | void,
      options?: { waitMs?: number },
    ): Promise<void>;
    revive(id: string): Promise<boolean>;
    get(id: string): Promise<BatteryMessage | undefined>;
    list(stream: string): Promise<BatteryMessage[]>;
  };
  readonly events: EventStore;
  journal(options: {
    gateway: string;
    deliver: (message: BatteryClaimedMessage) => Promise<void> | void;
    deliveryWaitMs?: number;
  }): SettlementJournal & { load(paymentId: string): Promise<JournalRecord | undefined> };
  /** The migrations recorded as applied, one row per version. */
  migrations(): Promise<ReadonlyArray<{ version: number; name: string }>>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The outbox settings the battery opens ledgers with (short leases and backoff, so expiry is quick to see). */
export interface BatteryOutboxPolicy {
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly leaseMs?: number;
  readonly onExhausted?: (message: BatteryClaimedMessage, error: unknown) => void | Promise<void>;
}

/** How the battery opens a ledger: on tables named by `tablePrefix`, with `outbox` settings. */
export interface LedgerSettings {
  readonly tablePrefix: string;
  readonly outbox?: BatteryOutboxPolicy;
}
