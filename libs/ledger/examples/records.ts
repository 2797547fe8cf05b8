import { openLedger, RefundLimitError, type Ledger } from '@tijara/ledger';

// One payment attempt of an order, recorded after the gateway created it, then refunded in two parts. The refund
// id is the merchant's: submitting the same refund twice records it once, and a refund beyond what is left is
// refused before anything is written.
export async function recordAndRefund(url: string): Promise<{ ledger: Ledger; refused: RefundLimitError }> {
  const ledger = await openLedger({ url });
  const { payment } = await ledger.payments.create({
    key: 'order-1001:1',
    gateway: 'ummah',
    paymentId: 'pur_123',
    orderId: 'order-1001',
    attempt: 1,
    amount: 25_000,
    currency: 'MYR',
    captureMode: 'automatic',
    status: 'paid',
    metadata: { channel: 'web' },
  });

  await ledger.operations.record({ id: 're_1', kind: 'refund', paymentKey: payment.key, amount: 10_000 });
  await ledger.operations.record({ id: 're_1', kind: 'refund', paymentKey: payment.key, amount: 10_000 });
  try {
    await ledger.operations.record({ id: 're_2', kind: 'refund', paymentKey: payment.key, amount: 20_000 });
    throw new Error('unreachable: only 15,000 is left');
  } catch (error) {
    if (!(error instanceof RefundLimitError)) throw error;
    return { ledger, refused: error };
  }
}
