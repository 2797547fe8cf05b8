import type { NumipayDriver } from '@tijara/numipay';

/** Every transaction of a period; the driver makes one call per seven days (Numipay's limit). */
export async function periodTotals(numipay: NumipayDriver, from: string, to: string) {
  const totals: Record<string, number> = {};
  for (const transaction of await numipay.listTransactions({ from, to })) {
    if (transaction.rawStatus !== 'successful') continue;
    const key = `${transaction.type} ${transaction.currency}`;
    totals[key] = (totals[key] ?? 0) + transaction.amount; // minor units
  }
  return totals;
}
