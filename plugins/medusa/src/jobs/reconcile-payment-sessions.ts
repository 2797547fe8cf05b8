import type { MedusaContainer } from '@medusajs/framework/types';
import { reconcilePaymentSessions } from '../reconcile.js';

function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value * 1000 : fallback * 1000;
}

/**
 * Every minute (TIJARA_RECONCILE_SCHEDULE, a cron expression), settle the Tijara payment sessions that waited
 * longer than TIJARA_RECONCILE_MIN_AGE_SECONDS (120) and are younger than TIJARA_RECONCILE_MAX_AGE_SECONDS
 * (172800): a lost webhook, a buyer who never came back, a gateway without webhooks.
 */
export default async function reconcileTijaraPaymentSessions(container: MedusaContainer): Promise<void> {
  await reconcilePaymentSessions(container, {
    minAgeMs: seconds('TIJARA_RECONCILE_MIN_AGE_SECONDS', 120),
    maxAgeMs: seconds('TIJARA_RECONCILE_MAX_AGE_SECONDS', 172_800),
  });
}

export const config = {
  name: 'tijara-reconcile-payment-sessions',
  schedule: process.env.TIJARA_RECONCILE_SCHEDULE || '* * * * *',
};
