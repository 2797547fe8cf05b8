/**
 * What the handlers share: the ledger, the shops' settings, and per shop its driver and settlement pipeline,
 * built from the merchant's saved credentials on first use and forgotten when the settings change.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SessionStorage } from '@shopify/shopify-app-session-storage';
import {
  ConfigurationError,
  SettlementPipeline,
  type GatewayDriver,
  type Logger,
  type SettlementJournal,
} from '@tijara/core';
import type {
  ClaimedMessage,
  Ledger,
  LedgerJournalRecord,
  Settlement,
  SettlementMessage,
} from '@tijara/ledger';
import { createShopDriver, type GatewayOption } from './gateways.js';
import type { CredentialBox } from './merchant/credential-box.js';
import type { ShopRecord, ShopStore } from './merchant/shop-store.js';
import type { PaymentsApiClient } from './payments-api/payments-api-client.js';

/** Something a person must look at: Shopify and the app disagree, or a message could not be delivered. */
export type ShopifyAlert =
  | {
      readonly type: 'outbox_exhausted';
      readonly shop: string | undefined;
      readonly topic: string;
      readonly messageId: string;
      readonly error: string;
    }
  | {
      readonly type: 'mutation_conflict';
      readonly shop: string;
      readonly gid: string;
      readonly mutation: string;
      /** The state Shopify already has for the session. */
      readonly shopifyState: string;
    }
  | {
      /** Money was taken for a session Shopify had already rejected: refund the buyer. */
      readonly type: 'paid_after_reject';
      readonly shop: string;
      readonly gid: string;
      readonly paymentId: string;
    };

export interface ShopContext {
  readonly shop: string;
  readonly record: ShopRecord;
  readonly gateway: GatewayOption;
  readonly driver: GatewayDriver;
  readonly pipeline: SettlementPipeline;
}

export interface AppUrls {
  /** Where the gateway sends the buyer back (success and failure). */
  returnUrl(shop: string, id: string): string;
  /** Where the gateway's cancel link goes. */
  cancelUrl(shop: string, id: string): string;
  /** The shop's gateway webhook/callback URL. */
  gatewayWebhookUrl(shop: string): string;
}

export interface AppCore {
  readonly ledger: Ledger;
  readonly shops: ShopStore;
  readonly gateways: ReadonlyMap<string, GatewayOption>;
  readonly sessionStorage: SessionStorage;
  readonly offlineSessionId: (shop: string) => string;
  readonly paymentsApi: (shop: string, accessToken: string, apiVersion: string) => PaymentsApiClient;
  readonly logger: Logger;
  readonly urls: AppUrls;
  readonly buyerToken: BuyerTokens;
  readonly contexts: ShopContexts;
  /** Hands one outbox message over (mutation or gateway operation); set once the parts exist. */
  deliver: (message: ClaimedMessage) => Promise<void>;
  readonly alert: (alert: ShopifyAlert) => void;
  /**
   * How long a message queued while answering Shopify waits before a worker may send it: Shopify must have the
   * app's answer first. The request's own `afterResponse` sends it as soon as the answer is written.
   */
  readonly holdMs: number;
  /** Turn a settlement into the messages it must queue (see outcomes). */
  settlementMessages: (settlement: Settlement) => readonly SettlementMessage[];
}

/** Signed return/cancel links: only the app makes them, so a guessed URL does not make the app call the gateway. */
export class BuyerTokens {
  readonly #secret: string;
  constructor(secret: string) {
    this.#secret = secret;
  }
  sign(shop: string, id: string): string {
    return createHmac('sha256', this.#secret)
      .update(`tijara-buyer:${shop}:${id}`)
      .digest('base64url')
      .slice(0, 32);
  }
  verify(shop: string, id: string, token: string | undefined | null): boolean {
    const expected = Buffer.from(this.sign(shop, id));
    const given = Buffer.from(token ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** Thrown when a shop cannot take payments (not installed, no settings): the session request is not answered 2xx. */
export class ShopNotConfiguredError extends ConfigurationError {}

export class ShopContexts {
  readonly #cache = new Map<string, Promise<ShopContext>>();
  readonly #core: () => AppCore;
  readonly #box: CredentialBox;

  constructor(core: () => AppCore, box: CredentialBox) {
    this.#core = core;
    this.#box = box;
  }

  /**
   * The shop's context, rebuilt when its settings changed since it was built — on this instance or on another
   * one sharing the database (the settings row is read each time: one small query).
   */
  async get(shop: string): Promise<ShopContext> {
    const record = await this.#core().shops.get(shop);
    const cached = this.#cache.get(shop);
    if (cached) {
      const context = await cached.catch(() => undefined);
      if (context && record && record.updatedAt.getTime() === context.record.updatedAt.getTime())
        return context;
      if (this.#cache.get(shop) === cached) this.#cache.delete(shop);
    }
    let building = this.#cache.get(shop);
    if (!building) {
      building = this.#build(shop, record);
      this.#cache.set(shop, building);
      building.catch(() => this.#cache.delete(shop));
    }
    return building;
  }

  forget(shop: string): void {
    this.#cache.delete(shop);
  }

  async #build(shop: string, record: ShopRecord | undefined): Promise<ShopContext> {
    const core = this.#core();
    if (!record || !record.installed || !record.gateway || !record.sealedCredentials) {
      throw new ShopNotConfiguredError(`${shop} has not configured a gateway in the app's settings`, {
        code: 'shop_not_configured',
      });
    }
    const gateway = core.gateways.get(record.gateway);
    if (!gateway) {
      throw new ShopNotConfiguredError(
        `${shop} uses gateway ${record.gateway}, which this app no longer offers`,
        {
          code: 'gateway_not_offered',
        },
      );
    }
    const credentials = this.#box.open(shop, record.sealedCredentials);
    let driver: GatewayDriver;
    try {
      driver = createShopDriver(gateway, credentials, { shop, testMode: record.testMode });
    } catch (error) {
      // Saved settings this version of the app cannot use: the merchant must save them again.
      if (error instanceof ConfigurationError) {
        throw new ShopNotConfiguredError(`${shop}: ${error.message}`, {
          code: error.code ?? 'gateway_misconfigured',
          cause: error,
        });
      }
      throw error;
    }
    const journal = core.ledger.journal({
      // The option's name, not the driver's: a sweep finds the payments of each offered gateway by it.
      gateway: gateway.name,
      messages: (settlement) => core.settlementMessages(settlement),
      deliver: (message) => core.deliver(message),
    });
    const pipeline = new SettlementPipeline({
      driver,
      journal: shopScoped(journal, shop),
      logger: core.logger,
    });
    return { shop, record, gateway, driver, pipeline };
  }
}

/**
 * A journal that sees only this shop's payments: a webhook signed with one merchant's gateway key can never
 * settle another shop's session, even if it names that session's payment id.
 */
function shopScoped(journal: SettlementJournal, shop: string): SettlementJournal {
  return {
    ...(journal.events ? { events: journal.events } : {}),
    load: async (paymentId) => {
      const record = (await journal.load(paymentId)) as LedgerJournalRecord | undefined;
      if (!record) return undefined;
      return (record.ledgerPayment.metadata as { shop?: unknown }).shop === shop ? record : undefined;
    },
    commit: (entry) => journal.commit(entry),
    deliver: (paymentId) => journal.deliver(paymentId),
  };
}
