import type { Logger } from '@tijara/core';
import type { Request, RequestHandler, Router } from 'express';
import type { SandboxClock } from './clock.js';
import type { MetaStore, Migration, ObjectStore, SqlDatabase } from './database.js';
import type { Delivery, DeliveryRequest, DeliverySigner } from './deliveries.js';
import type { IdempotencyRecords } from './idempotency.js';
import type { Timer } from './scheduler.js';

/**
 * What the engine hands a gateway module when it creates it (constructor injection: the module gets exactly
 * these, and nothing reaches back into the engine). Every store is the module's own namespace.
 */
export interface GatewayServices {
  /** The gateway's name, e.g. `ummah`; also its namespace in the database and the control API. */
  readonly name: string;
  /** Where its routes live: `''` (the root, Ummah only) or `/<name>`. */
  readonly mount: string;
  readonly clock: SandboxClock;
  /** JSON documents, kept per kind (`purchase`, `order`…) in the gateway's namespace. */
  readonly objects: ObjectStore;
  /** Settings that survive a reset: identities, keys, counters. */
  readonly meta: MetaStore;
  /** For tables the gateway's own migrations created (name them `<gateway>_…`). */
  readonly db: SqlDatabase;
  /** Idempotency records in the gateway's namespace, for gateways that honour idempotency keys. */
  readonly idempotency: IdempotencyRecords;
  /** The delivery log: queue a signed delivery; the engine signs each attempt with the module's signer. */
  readonly deliveries: GatewayDeliveries;
  /** Absolute URLs for the links objects carry. */
  readonly urls: GatewayUrls;
  /** The sandbox's logger; secrets registered with `protectSecret` are scrubbed from every line. */
  readonly logger: Logger;
  /** Scrub this value from every log line of the sandbox. */
  protectSecret(value: string): void;
  /** Guard for hosted-page routes that exist only to drive tests (same site; the control token if set). */
  readonly testHookGuard: RequestHandler;
}

export interface GatewayDeliveries {
  enqueue(request: DeliveryRequest): Delivery;
  /** This gateway's deliveries, oldest first. */
  list(filter?: (delivery: Delivery) => boolean): Delivery[];
}

export interface GatewayUrls {
  /** The sandbox's root URL (no trailing slash). */
  base(req?: Request): string;
  /** The gateway's root URL: base + mount. */
  gateway(req?: Request): string;
  /** The configured (or listening) public URL, if known: links made earlier are rebased onto it. */
  readonly publicUrl: string | undefined;
}

/** A gateway as the engine runs it. */
export interface GatewayModule<Handle extends object = object> {
  /** The gateway's API and pages, mounted at its `mount` behind the fault layer. */
  readonly router: Router;
  /** The gateway's body parsers, run early when a latency fault holds a request (see `faults.ts`). */
  readonly parseBody?: RequestHandler;
  /**
   * The body of an injected `error` or `rate_limit` fault that names none, in the gateway's own error shape
   * (default: `{ error, message }`), so a client reads a fault as it would read the gateway's own refusal.
   */
  faultBody?(status: number): unknown;
  /** Control actions, mounted at `/__sandbox/<name>/` behind the control guard. */
  readonly control?: Router;
  /** Control routes at `/__sandbox/` itself: only for Ummah's paths from before there were several gateways. */
  readonly legacyControl?: Router;
  /** Signs each delivery attempt (RSA, HMAC with a timestamp, a digest…). */
  readonly sign: DeliverySigner;
  /** Minutes before attempt n (the first is normally 0); its length is the number of attempts. */
  readonly retryDelaysMinutes: readonly number[];
  /** Renewals, expiries, pending steps… that run on the sandbox clock. */
  readonly timer?: Timer;
  /** `GET /__sandbox/info` → `gateways.<name>`: what a client needs to connect. */
  info(req: Request): Record<string, unknown>;
  /** Fields `GET /__sandbox/info` carries at its top level (Ummah's, from before `gateways`). */
  legacyInfo?(req: Request): Record<string, unknown>;
  /** An HTML fragment for the sandbox's landing page. */
  landing?(req: Request): string;
  /** Connection details for `tijara sandbox`'s banner and `export` lines, and the programmatic handle. */
  readonly handle: Handle;
  /** After the engine forgot every object (`POST /__sandbox/reset`): drop caches. */
  reset?(): void;
  close?(): Promise<void>;
}

/** A gateway the sandbox can serve: listed once in `src/gateways/index.ts`. */
export interface GatewayDefinition<Name extends string = string, Handle extends object = object> {
  readonly name: Name;
  /** `/<name>` for every gateway but Ummah, which keeps its historical root paths (`''`). */
  readonly mount: string;
  /** Schema steps for the gateway's own tables (and data moves), applied in version order before `create`. */
  readonly migrations?: readonly Migration[];
  /**
   * Build the module. `options` is what the sandbox was given for this gateway (`gatewayOptions.<name>`); the
   * module validates it.
   */
  create(services: GatewayServices, options: unknown): Promise<GatewayModule<Handle>> | GatewayModule<Handle>;
}

/** The handles of a list of gateways, by name. */
export type GatewayHandles<D extends readonly GatewayDefinition[]> = {
  readonly [G in D[number] as G['name']]: G extends GatewayDefinition<string, infer H> ? H : never;
};

/** Declare a gateway with its name and handle types kept. */
export function defineGateway<const Name extends string, Handle extends object>(
  definition: GatewayDefinition<Name, Handle>,
): GatewayDefinition<Name, Handle> {
  return definition;
}
