import { isFinal, PAYMENT_STATUSES } from '@tijara/core';
import { normalizePaymentStatus, normalizeTransactionStatus, TRANSACTION_STATUS_MAP } from '@tijara/uhmi';

describe('transaction status', () => {
  it.each([
    ['paid', 'paid'],
    ['PAID', 'paid'],
    ['open', 'pending'],
    ['failed', 'failed'],
    ['cancelled', 'canceled'],
    ['expired', 'expired'],
    ['refunded', 'refunded'],
    ['charged_back', 'disputed'],
  ])('%s → %s', (raw, normalized) => {
    expect(normalizeTransactionStatus(raw)).toBe(normalized);
  });

  it('only paid-family statuses are final money; open is not final', () => {
    expect(isFinal(normalizeTransactionStatus('open'))).toBe(false);
    expect(isFinal(normalizeTransactionStatus('paid'))).toBe(true);
  });

  it('counts open as paid only when asked', () => {
    expect(normalizeTransactionStatus('open', { openCountsAsPaid: true })).toBe('paid');
    expect(normalizeTransactionStatus('failed', { openCountsAsPaid: true })).toBe('failed');
  });

  it('an unknown status is processing (not final, so reconciliation keeps asking)', () => {
    expect(normalizeTransactionStatus('under_review')).toBe('processing');
    expect(normalizeTransactionStatus('__proto__')).toBe('processing');
  });

  it('maps onto core statuses only', () => {
    for (const status of Object.values(TRANSACTION_STATUS_MAP)) expect(PAYMENT_STATUSES).toContain(status);
  });
});

describe('payment status', () => {
  it('an active payment awaits a buyer; an inactive one cannot be paid', () => {
    expect(normalizePaymentStatus('active')).toBe('pending');
    expect(normalizePaymentStatus('inactive')).toBe('canceled');
    expect(normalizePaymentStatus('toString')).toBe('processing');
  });
});
