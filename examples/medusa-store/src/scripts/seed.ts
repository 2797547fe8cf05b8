import type { ExecArgs } from '@medusajs/framework/types';
import { ContainerRegistrationKeys } from '@medusajs/framework/utils';
import { seedStore } from '../seed/seed-store.js';

/** `npm run seed` (medusa exec): regions, products, shipping and a publishable key; safe to run again. */
export default async function seed({ container }: ExecArgs): Promise<void> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER);
  const result = await seedStore(container);
  for (const region of result.regions) {
    logger.info(
      `Region ${region.name} (${region.currency.toUpperCase()}) pays with ${region.providerId}: ${region.id}`,
    );
  }
  logger.info(`Publishable key: ${result.publishableKey}`);
}
