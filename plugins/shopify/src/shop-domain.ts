import { InvalidRequestError } from '@tijara/core';

const SHOP = /^[a-z0-9][a-z0-9-]{0,99}\.myshopify\.com$/;
const VERSION = /^(\d{4}-(01|04|07|10)|unstable)$/;

/**
 * A shop's permanent domain (`name.myshopify.com`), lower-cased. Anything else is refused: the domain becomes a
 * URL the app sends its access token to, so it must never name another host.
 */
export function assertShopDomain(value: unknown): string {
  const shop = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!SHOP.test(shop)) {
    throw new InvalidRequestError(`Not a shop domain: ${JSON.stringify(String(value).slice(0, 120))}`, {
      code: 'invalid_shop_domain',
    });
  }
  return shop;
}

/** A Shopify API version (`2026-07`, quarterly) or `unstable`. */
export function assertApiVersion(value: unknown): string {
  const version = typeof value === 'string' ? value.trim() : '';
  if (!VERSION.test(version)) {
    throw new InvalidRequestError(
      `Not a Shopify API version: ${JSON.stringify(String(value).slice(0, 40))}`,
      {
        code: 'invalid_api_version',
      },
    );
  }
  return version;
}
