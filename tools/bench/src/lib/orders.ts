/**
 * The orders of the bench store: deterministic from their id (`o-<n>`), so several store processes agree on
 * every order without sharing anything but the ledger.
 */
export const CURRENCY = 'MYR';

export function orderNumber(orderId: string): number | undefined {
  const match = /^o-(\d{1,9})$/.exec(orderId);
  return match ? Number(match[1]) : undefined;
}

export function orderAmount(n: number): number {
  return 1000 + ((n * 7919) % 9000);
}

export function orderId(n: number): string {
  return `o-${n}`;
}

/** A gateway-style payment id for a seeded order (bench (a) seeds its ledger without the gateway). */
export function seededPaymentId(n: number, run: string): string {
  return `${run.slice(0, 8).padEnd(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}
