import type { IPaymentModuleService, MedusaContainer } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  createTaxRegionsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateStoresWorkflow,
} from '@medusajs/medusa/core-flows';

/** One region of the store and the Tijara provider it pays with. */
export interface SeededRegion {
  readonly id: string;
  readonly name: string;
  readonly currency: string;
  readonly country: string;
  readonly providerId: string;
}

export interface SeedResult {
  readonly publishableKey: string;
  readonly salesChannelId: string;
  readonly regions: readonly SeededRegion[];
  readonly shippingOptionId: string;
  readonly products: ReadonlyArray<{ readonly handle: string; readonly variantId: string }>;
}

/** The regions the store sells in; a region is created only when its provider is configured. */
const REGIONS = [
  { name: 'Malaysia', currency: 'myr', country: 'my', providerId: 'pp_ummah_ummah' },
  { name: 'United Arab Emirates', currency: 'aed', country: 'ae', providerId: 'pp_postpay_postpay' },
] as const;

/** Prices in major units, as Medusa keeps them: MYR 45 is RM 45.00. */
const PRODUCTS = [
  { title: 'Prayer mat', handle: 'prayer-mat', sku: 'PRAYER-MAT', myr: 45, aed: 40 },
  { title: 'Ajwa dates, 1 kg', handle: 'ajwa-dates', sku: 'AJWA-1KG', myr: 89.9, aed: 75 },
  { title: 'Oud oil, 3 ml', handle: 'oud-oil', sku: 'OUD-3ML', myr: 120.5, aed: 110.25 },
] as const;

const SALES_CHANNEL = 'Tijara webshop';

/**
 * A store to try the Tijara providers with: MYR (Malaysia) paying with Ummah, AED (UAE) paying with Postpay, three
 * products, one flat shipping option, and a publishable key. Running it again answers what the first run made.
 */
export async function seedStore(container: MedusaContainer): Promise<SeedResult> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const link = container.resolve(ContainerRegistrationKeys.LINK);
  const payments = container.resolve<IPaymentModuleService>(Modules.PAYMENT);
  const fulfillment = container.resolve(Modules.FULFILLMENT);

  const existing = await seededState(container);
  if (existing) return existing;

  const configured = new Set((await payments.listPaymentProviders({ is_enabled: true })).map((p) => p.id));
  const regions = REGIONS.filter((region) => configured.has(region.providerId));
  if (regions.length === 0) {
    throw new Error(
      `No Tijara provider is configured (looked for ${REGIONS.map((r) => r.providerId).join(', ')}): set the gateway keys first`,
    );
  }

  const {
    result: [salesChannel],
  } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: SALES_CHANNEL, description: 'The storefront' }] },
  });
  const { data: stores } = await query.graph({ entity: 'store', fields: ['id'] });
  await updateStoresWorkflow(container).run({
    input: {
      selector: { id: stores[0]!.id },
      update: {
        name: 'Souq Tijara',
        supported_currencies: regions.map((region, index) => ({
          currency_code: region.currency,
          is_default: index === 0,
        })),
        default_sales_channel_id: salesChannel!.id,
      },
    },
  });

  await createRegionsWorkflow(container).run({
    input: {
      regions: regions.map((region) => ({
        name: region.name,
        currency_code: region.currency,
        countries: [region.country],
        payment_providers: [region.providerId],
      })),
    },
  });
  await createTaxRegionsWorkflow(container).run({
    input: regions.map((region) => ({ country_code: region.country, provider_id: 'tp_system' })),
  });

  const {
    result: [location],
  } = await createStockLocationsWorkflow(container).run({
    input: {
      locations: [
        {
          name: 'Kuala Lumpur warehouse',
          address: { address_1: 'Jalan Ampang 1', city: 'Kuala Lumpur', country_code: 'MY' },
        },
      ],
    },
  });
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location!.id },
    [Modules.FULFILLMENT]: { fulfillment_provider_id: 'manual_manual' },
  });

  const profiles = await fulfillment.listShippingProfiles({ type: 'default' });
  const shippingProfile =
    profiles[0] ??
    (
      await createShippingProfilesWorkflow(container).run({
        input: { data: [{ name: 'Default shipping profile', type: 'default' }] },
      })
    ).result[0]!;

  const fulfillmentSet = await fulfillment.createFulfillmentSets({
    name: 'Kuala Lumpur delivery',
    type: 'shipping',
    service_zones: [
      {
        name: 'Malaysia and the UAE',
        geo_zones: regions.map((region) => ({ country_code: region.country, type: 'country' as const })),
      },
    ],
  });
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location!.id },
    [Modules.FULFILLMENT]: { fulfillment_set_id: fulfillmentSet.id },
  });

  await createShippingOptionsWorkflow(container).run({
    input: [
      {
        name: 'Standard delivery',
        price_type: 'flat',
        provider_id: 'manual_manual',
        service_zone_id: fulfillmentSet.service_zones[0]!.id,
        shipping_profile_id: shippingProfile.id,
        type: { label: 'Standard', description: 'Three to five working days', code: 'standard' },
        prices: regions.map((region) => ({
          currency_code: region.currency,
          amount: region.currency === 'myr' ? 10 : 15,
        })),
        rules: [
          { attribute: 'enabled_in_store', value: 'true', operator: 'eq' },
          { attribute: 'is_return', value: 'false', operator: 'eq' },
        ],
      },
    ],
  });
  await linkSalesChannelsToStockLocationWorkflow(container).run({
    input: { id: location!.id, add: [salesChannel!.id] },
  });

  const {
    result: [apiKey],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: SALES_CHANNEL, type: 'publishable', created_by: '' }] },
  });
  await linkSalesChannelsToApiKeyWorkflow(container).run({
    input: { id: apiKey!.id, add: [salesChannel!.id] },
  });

  await createProductsWorkflow(container).run({
    input: {
      products: PRODUCTS.map((product) => ({
        title: product.title,
        handle: product.handle,
        status: 'published' as const,
        shipping_profile_id: shippingProfile.id,
        options: [{ title: 'Size', values: ['Standard'] }],
        variants: [
          {
            title: 'Standard',
            sku: product.sku,
            options: { Size: 'Standard' },
            manage_inventory: false,
            prices: regions.map((region) => ({
              currency_code: region.currency,
              amount: region.currency === 'myr' ? product.myr : product.aed,
            })),
          },
        ],
        sales_channels: [{ id: salesChannel!.id }],
      })),
    },
  });

  return (await seededState(container))!;
}

/** What an earlier seed made, read back; undefined before the first seed. */
export async function seededState(container: MedusaContainer): Promise<SeedResult | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY);
  const { data: channels } = await query.graph({
    entity: 'sales_channel',
    fields: ['id'],
    filters: { name: SALES_CHANNEL },
  });
  const channel = channels[0];
  if (!channel) return undefined;
  const { data: keys } = await query.graph({
    entity: 'api_key',
    fields: ['token', 'revoked_at'],
    filters: { title: SALES_CHANNEL, type: 'publishable' },
  });
  const { data: regions } = await query.graph({
    entity: 'region',
    fields: ['id', 'name', 'currency_code', 'countries.iso_2', 'payment_providers.id'],
  });
  const { data: options } = await query.graph({ entity: 'shipping_option', fields: ['id', 'name'] });
  const { data: products } = await query.graph({
    entity: 'product',
    fields: ['handle', 'variants.id'],
    filters: { handle: PRODUCTS.map((p) => p.handle) },
  });
  const key = keys.find((k) => !k.revoked_at);
  if (!key) return undefined;
  return {
    publishableKey: key.token,
    salesChannelId: channel.id,
    regions: REGIONS.flatMap((wanted) => {
      const region = regions.find((r) => r.name === wanted.name);
      return region
        ? [
            {
              id: region.id,
              name: region.name,
              currency: region.currency_code,
              country: wanted.country,
              providerId: wanted.providerId,
            },
          ]
        : [];
    }),
    shippingOptionId: options.find((o) => o.name === 'Standard delivery')?.id ?? '',
    products: PRODUCTS.flatMap((wanted) => {
      const product = products.find((p) => p.handle === wanted.handle);
      const variantId = product?.variants?.[0]?.id;
      return variantId ? [{ handle: wanted.handle, variantId }] : [];
    }),
  };
}
