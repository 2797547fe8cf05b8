import type { SqlClient } from '../sql.js';

/** What the app keeps per shop: the merchant's gateway choice, sealed credentials, and onboarding state. */
export interface ShopRecord {
  readonly shop: string;
  readonly gateway: string | undefined;
  /** Sealed by CredentialBox; never the plain credentials. */
  readonly sealedCredentials: string | undefined;
  readonly testMode: boolean;
  /** `paymentsAppConfigure(ready: true)` was accepted by Shopify for the current settings. */
  readonly ready: boolean;
  readonly externalHandle: string | undefined;
  readonly installed: boolean;
  readonly updatedAt: Date;
}

interface Row {
  shop: string;
  gateway: string | null;
  credentials: string | null;
  test_mode: number | string;
  ready: number | string;
  external_handle: string | null;
  installed: number | string;
  updated_at: number | string;
}

const TABLE = 'tijara_shopify_shops';

export class ShopStore {
  readonly #sql: SqlClient;

  private constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  static async open(sql: SqlClient): Promise<ShopStore> {
    await sql.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (
      shop VARCHAR(255) PRIMARY KEY,
      gateway VARCHAR(64),
      credentials TEXT,
      test_mode INTEGER NOT NULL DEFAULT 1,
      ready INTEGER NOT NULL DEFAULT 0,
      external_handle VARCHAR(255),
      installed INTEGER NOT NULL DEFAULT 1,
      updated_at BIGINT NOT NULL
    )`);
    return new ShopStore(sql);
  }

  async get(shop: string): Promise<ShopRecord | undefined> {
    const [row] = await this.#sql.all<Row>(`SELECT * FROM ${TABLE} WHERE shop = $1`, [shop]);
    return row ? toRecord(row) : undefined;
  }

  async markInstalled(shop: string): Promise<void> {
    await this.#sql.run(
      `INSERT INTO ${TABLE} (shop, installed, updated_at) VALUES ($1, 1, $2)
       ON CONFLICT (shop) DO UPDATE SET installed = 1, updated_at = $2`,
      [shop, Date.now()],
    );
  }

  /** Uninstalled: Shopify no longer offers the gateway; settings stay until `shop/redact`. */
  async markUninstalled(shop: string): Promise<void> {
    await this.#sql.run(`UPDATE ${TABLE} SET installed = 0, ready = 0, updated_at = $2 WHERE shop = $1`, [
      shop,
      Date.now(),
    ]);
  }

  /** New settings start not ready: Shopify is told `ready: true` only after the credentials checked out. */
  async saveSettings(
    shop: string,
    settings: { gateway: string; sealedCredentials: string; testMode: boolean },
  ): Promise<void> {
    await this.#sql.run(
      `INSERT INTO ${TABLE} (shop, gateway, credentials, test_mode, ready, installed, updated_at)
       VALUES ($1, $2, $3, $4, 0, 1, $5)
       ON CONFLICT (shop) DO UPDATE SET gateway = $2, credentials = $3, test_mode = $4, ready = 0, updated_at = $5`,
      [shop, settings.gateway, settings.sealedCredentials, settings.testMode ? 1 : 0, Date.now()],
    );
  }

  async markReady(shop: string, externalHandle: string | undefined): Promise<void> {
    await this.#sql.run(
      `UPDATE ${TABLE} SET ready = 1, external_handle = $2, updated_at = $3 WHERE shop = $1`,
      [shop, externalHandle ?? null, Date.now()],
    );
  }

  /** `shop/redact`: forget the shop's settings and credentials. */
  async delete(shop: string): Promise<void> {
    await this.#sql.run(`DELETE FROM ${TABLE} WHERE shop = $1`, [shop]);
  }
}

function toRecord(row: Row): ShopRecord {
  return {
    shop: row.shop,
    gateway: row.gateway ?? undefined,
    sealedCredentials: row.credentials ?? undefined,
    testMode: Number(row.test_mode) === 1,
    ready: Number(row.ready) === 1,
    externalHandle: row.external_handle ?? undefined,
    installed: Number(row.installed) === 1,
    updatedAt: new Date(Number(row.updated_at)),
  };
}
