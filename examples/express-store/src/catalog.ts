import type { CaptureMode } from '@tijara/core';

export interface Product {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Unit price in minor units of the store's currency (sen for the default MYR). */
  readonly price: number;
  /** Made-to-order goods hold the card and are charged when they ship. */
  readonly capture: CaptureMode;
  /** A colour for the product tile; the store has no images so that it needs no assets. */
  readonly swatch: string;
}

/** The store's default currency; `createStoreApp({ currency })` picks another. */
export const CURRENCY = 'MYR';

export const PRODUCTS: readonly Product[] = [
  {
    id: 'prayer-mat',
    name: 'Prayer mat',
    description: 'Woven cotton sejadah with a padded base, 70 × 115 cm.',
    price: 8900,
    capture: 'automatic',
    swatch: '#0f766e',
  },
  {
    id: 'ajwa-dates',
    name: 'Ajwa dates, 1 kg',
    description: 'Soft Madinah Ajwa dates in a resealable gift box.',
    price: 6500,
    capture: 'automatic',
    swatch: '#92400e',
  },
  {
    id: 'oud-oil',
    name: 'Oud perfume oil',
    description: 'Alcohol-free aged oud, 12 ml roll-on.',
    price: 14_900,
    capture: 'automatic',
    swatch: '#6d28d9',
  },
  {
    id: 'quran-stand',
    name: 'Carved Quran stand',
    description: 'Hand-carved walnut rehal, made to order. Your card is held now and charged when it ships.',
    price: 32_000,
    capture: 'manual',
    swatch: '#b45309',
  },
];

export function findProduct(id: string): Product | undefined {
  return PRODUCTS.find((p) => p.id === id);
}
