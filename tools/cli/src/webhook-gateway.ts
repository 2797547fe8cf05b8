import type { CliIo } from './cli-io.js';
import type { ConnectionFlags } from './gateway-connection.js';
import type { GatewaySigner } from './gateway-signers.js';
import type { RelayedDelivery } from './webhook-relay.js';

/** The event and object a delivery body is about, in a gateway's own terms (for output and matching). */
export interface DeliverySummary {
  readonly event: string | undefined;
  readonly objectId: string | undefined;
}

/** What `webhooks listen` set up on the gateway so deliveries reach its receiver, until it is removed. */
export interface Subscription {
  /** The gateway's id for it (webhook, hook); empty when the gateway has none (an account-wide URL). */
  readonly id: string;
  /** Printed first: what was registered where. */
  readonly registered: string;
  /** Printed after the forwarding line: what the app verifies deliveries with. */
  readonly verification: readonly string[];
  /** What stopping does, for "Stopping (SIGINT): …". */
  readonly removal: string;
  remove(): Promise<void>;
}

export interface SubscribeOptions {
  /** Normalised by `subscriptionEvents`; undefined = everything. */
  readonly events: readonly string[] | undefined;
  /** A shared secret to sign with, where the subscriber chooses it (a Postpay hook's). */
  readonly secret: string | undefined;
  /** Ummah: where to also write the webhook's public key. */
  readonly publicKeyOut: string | undefined;
}

/** An event `webhooks trigger` made happen, and what to undo afterwards. */
export interface CausedEvent {
  /** The object the event is about (purchase, order, transaction): its deliveries are the ones waited for. */
  readonly objectId: string;
  /** Said on stderr once delivered: what the delivery was signed with. */
  readonly notes: readonly string[];
  /** Undo what was set up for this delivery alone (a temporary webhook); never throws. */
  cleanup(): Promise<void>;
}

export interface CauseOptions {
  /** A unique reference for the objects created (order id, tracking id, purchase reference). */
  readonly reference: string;
  /** Deliver the event here only (`--to` through a relay), instead of to every registered webhook. */
  readonly callback?: string;
  /** Postpay: the secret of the temporary hook. */
  readonly secret?: string;
}

/** A past delivery, ready to be sent again. */
export interface ReplayableDelivery {
  readonly event: string | undefined;
  readonly bytes: Buffer;
  /** The signature header(s) to send with it. */
  readonly headers: Readonly<Record<string, string>>;
  /** Said on stderr: how it was signed, when that is not simply "as it was". */
  readonly notes: readonly string[];
}

export interface ReplayLookup {
  /** Ummah: the object whose delivery log holds it, and its type. */
  readonly object?: string;
  readonly sourceType?: string;
  /** A shared secret to sign with (`--secret`). */
  readonly secret?: string;
}

/** An event `trigger` can make happen on the gateway. */
export interface RealEvent {
  /** What is done to make it happen, as the output says it. */
  readonly steps: string;
  /** Needs the sandbox's control API (a buyer's action); a real gateway would need a person in a browser. */
  readonly needsSandbox: boolean;
  /** Time the gateway itself takes before the event (a payout paid out later), waited for beyond --timeout. */
  readonly delaySeconds?: number;
}

/** A gateway's webhooks API, connected. */
export interface ConnectedGateway {
  /** For messages: where its API is. */
  readonly apiBase: string;
  /** True when the API belongs to a Tijara sandbox (its control API answered). */
  readonly isSandbox: boolean;
  subscribe(callback: string, options: SubscribeOptions): Promise<Subscription>;
  /** The gateway's id of a delivery `listen` received for `subscription`, when its log can tell. */
  deliveryIdOf(subscription: Subscription, delivery: RelayedDelivery): Promise<string | undefined>;
  /** Make `event` happen for real. */
  cause(event: string, options: CauseOptions): Promise<CausedEvent>;
  /** A past delivery with the signature to send it with. */
  replayable(deliveryId: string, lookup: ReplayLookup): Promise<ReplayableDelivery>;
}

/**
 * How the webhook commands (`listen`, `trigger`, `replay`) drive one gateway, through that gateway's own API (and,
 * on a sandbox, its control API for what a buyer would do). One object per gateway that sends webhooks.
 */
export interface WebhookGateway {
  readonly name: string;
  readonly title: string;
  readonly signer: GatewaySigner;
  /** Events `trigger` can cause for real, with how. */
  readonly realEvents: Readonly<Record<string, RealEvent>>;
  /** `listen --events`: checked and normalised for the gateway's subscriptions, or refused. */
  subscriptionEvents(names: readonly string[] | undefined): string[] | undefined;
  /** `trigger <event>` with a sample body: a name the gateway would never send is refused. */
  checkEventName(name: string): void;
  describe(body: Buffer): DeliverySummary;
  /** Whether a delivery is the one `cause` made happen. */
  concerns(delivery: RelayedDelivery, event: string, objectId: string): boolean;
  connect(io: CliIo, flags: ConnectionFlags): Promise<ConnectedGateway>;
}

/** The usual `concerns`: the same event about the same object. */
export function sameEventAndObject(delivery: RelayedDelivery, event: string, objectId: string): boolean {
  return delivery.event === event && delivery.objectId === objectId;
}
