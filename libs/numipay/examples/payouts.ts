import { ConflictError, TijaraError } from '@tijara/core';
import type { NumipayDriver } from '@tijara/numipay';

/** A payout cashier for the payee; the payout then waits for your approval. */
export async function offerPayout(numipay: NumipayDriver, payoutId: string, amountMinor: number) {
  const session = await numipay.createPayout(
    {
      amount: amountMinor,
      currency: 'GBP',
      reference: payoutId,
      customer: { email: 'jane@example.com', name: 'Jane Doe', reference: 'U123' },
      returnUrls: {
        success: 'https://shop.example/payouts/done',
        failure: 'https://shop.example/payouts/failed',
      },
    },
    { idempotencyKey: payoutId },
  );
  return { id: session.id, url: session.nextAction.type === 'redirect' ? session.nextAction.url : '' };
}

/** Approve once. An unknown outcome is never retried blindly: a person checks the back office. */
export async function approve(numipay: NumipayDriver, id: string): Promise<string> {
  try {
    const payout = await numipay.approvePayout(id);
    return `approved (${payout.rawStatus})`;
  } catch (error) {
    if (error instanceof ConflictError) return `already decided: ${error.message}`;
    if (error instanceof TijaraError && error.outcomeUnknown) return 'unknown: check the back office';
    throw error;
  }
}
