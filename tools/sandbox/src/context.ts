import { redactingLogger, silentLogger, type Logger } from '@tijara/core';
import type { Request } from 'express';
import { BillingService } from './billing.js';
import { ClientService } from './clients.js';
import { SandboxClock } from './clock.js';
import { FaultRegistry } from './faults.js';
import { newId, newSecretKey } from './ids.js';
import { PurchaseService } from './purchases.js';
import { Ledger } from './reporting.js';
import { Scheduler } from './scheduler.js';
import { generateRsaKeyPair, type RsaKeyPair } from './signing.js';
import { Store } from './store.js';
import { DeliveryEngine } from './webhook-delivery.js';
import { WebhookService } from './webhooks.js';

/** The brand id of the reference's own examples, so they run against the sandbox unchanged. */
export const DEFAULT_BRAND_ID = '409eb80e-3782-4b1d-afa8-b779759266a5';

export interface SandboxConfig {
  secretKey: string;
  brandId: string;
  companyId: string;
  companyName: string;
  brandName: string;
  /** Brand currency: what a purchase without `purchase.currency` is in. */
  currency: string;
  webhookTimeScale: number;
  /** Absolute base URL the sandbox is reached at; derived from requests when unset. */
  publicUrl: string | undefined;
  /** `GET /public_key/` answers a bare JSON string of PEM (CHIP) or `{"public_key": …}` (seed 000). */
  publicKeyShape: 'string' | 'object';
}

export interface ContextOptions {
  secretKey?: string;
  brandId?: string;
  currency?: string;
  dbFile?: string;
  webhookTimeScale?: number;
  publicUrl?: string;
  publicKeyShape?: 'string' | 'object';
  logger?: Logger;
}

/**
 * Everything one sandbox instance holds: its store, clock, keys and services. The HTTP layer (API, pages,
 * control API) is a thin shell around this object.
 */
export class SandboxContext {
  readonly store: Store;
  readonly clock: SandboxClock;
  readonly config: SandboxConfig;
  readonly logger: Logger;
  readonly companyKeys: RsaKeyPair;
  readonly faults = new FaultRegistry();
  readonly purchases: PurchaseService;
  readonly clients: ClientService;
  readonly billing: BillingService;
  readonly webhooks: WebhookService;
  readonly deliveries: DeliveryEngine;
  readonly ledger: Ledger;
  readonly scheduler: Scheduler;
  private lastOrigin: string | undefined;

  private constructor(store: Store, config: SandboxConfig, companyKeys: RsaKeyPair, logger: Logger) {
    this.store = store;
    this.config = config;
    this.companyKeys = companyKeys;
    this.logger = logger;
    this.clock = new SandboxClock(Number(store.getMeta('clock_offset_ms') ?? '0'), (offset) =>
      store.setMeta('clock_offset_ms', String(offset)),
    );
    this.deliveries = new DeliveryEngine(this);
    this.clients = new ClientService(this);
    this.purchases = new PurchaseService(this);
    this.billing = new BillingService(this);
    this.webhooks = new WebhookService(this);
    this.ledger = new Ledger(this);
    this.scheduler = new Scheduler(this);
  }

  /** Open (or create) the store, restore or mint the sandbox identity and keys, start the scheduler. */
  static async open(options: ContextOptions = {}): Promise<SandboxContext> {
    const store = new Store(options.dbFile);
    const remembered = (key: string, given: string | undefined, make: () => string): string => {
      const value = given ?? store.getMeta(key) ?? make();
      store.setMeta(key, value);
      return value;
    };
    let keys: RsaKeyPair;
    const publicKey = store.getMeta('company_public_key');
    const privateKey = store.getMeta('company_private_key');
    if (publicKey && privateKey) keys = { publicKey, privateKey };
    else {
      keys = await generateRsaKeyPair();
      store.setMeta('company_public_key', keys.publicKey);
      store.setMeta('company_private_key', keys.privateKey);
    }
    const config: SandboxConfig = {
      secretKey: remembered('secret_key', options.secretKey, newSecretKey),
      brandId: remembered('brand_id', options.brandId, () => DEFAULT_BRAND_ID),
      companyId: remembered('company_id', undefined, newId),
      companyName: 'Tijara Sandbox Merchant',
      brandName: 'Sandbox Store',
      currency: remembered('currency', options.currency?.toUpperCase(), () => 'USD'),
      webhookTimeScale: options.webhookTimeScale ?? 1,
      publicUrl: options.publicUrl?.replace(/\/+$/, ''),
      publicKeyShape: options.publicKeyShape ?? 'string',
    };
    // Defence in depth: whatever a log line carries, the key and key-shaped strings are scrubbed.
    const logger = options.logger ? redactingLogger(options.logger, [config.secretKey]) : silentLogger;
    const context = new SandboxContext(store, config, keys, logger);
    context.scheduler.start();
    // Deliveries still pending from a previous run resume where they left off.
    context.deliveries.schedule();
    return context;
  }

  /** Base URL (no trailing slash) for the URLs objects carry: configured, else the origin requests arrive at. */
  baseUrl(req?: Request): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    if (req) {
      const mount =
        typeof req.app.mountpath === 'string' && req.app.mountpath !== '/' ? req.app.mountpath : '';
      this.lastOrigin = `${req.protocol}://${req.get('host') ?? '127.0.0.1'}${mount}`;
    }
    return this.lastOrigin ?? 'http://127.0.0.1';
  }

  apiBase(req?: Request): string {
    return `${this.baseUrl(req)}/api/v1/`;
  }

  /** Forget every object, fault and idempotency record and rewind the clock; keys and ids stay. */
  reset(): void {
    this.faults.clear();
    this.store.clear();
    this.clock.reset();
    this.deliveries.schedule();
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    await this.deliveries.close();
    this.store.close();
  }
}
