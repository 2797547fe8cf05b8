import { PAYMENT_STATUSES } from '@tijara/core';
import {
  isKnownOrderStatus,
  normalizeOrderStatus,
  ORDER_STATUS_MAP,
  ORDER_STATUSES,
  UNKNOWN_STATUS_FALLBACK,
} from '@tijara/postpay';

// Written out on purpose: a status added to ORDER_STATUSES without a decision here fails this file.
const EXPECTED: Record<string, string> = {
  pending: 'pending',
  approved: 'authorized',
  captured: 'paid',
  denied: 'failed',
  cancelled: 'canceled',
  expired: 'expired',
};

describe('order status mapping', () => {
  it('covers exactly the known statuses, each onto a core status', () => {
    expect([...ORDER_STATUSES].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const status of ORDER_STATUSES) {
      expect(ORDER_STATUS_MAP[status]).toBe(EXPECTED[status]);
      expect(PAYMENT_STATUSES).toContain(ORDER_STATUS_MAP[status]);
      expect(isKnownOrderStatus(status)).toBe(true);
    }
  });

  it('reads a captured order by what its refunds add up to', () => {
    expect(normalizeOrderStatus('captured', { capturedAmount: 81480, refundedAmount: 0 })).toBe('paid');
    expect(normalizeOrderStatus('captured', { capturedAmount: 81480, refundedAmount: 12050 })).toBe(
      'partially_refunded',
    );
    expect(normalizeOrderStatus('captured', { capturedAmount: 81480, refundedAmount: 81480 })).toBe(
      'refunded',
    );
  });

  it('keeps an approval open for capture, and never reads it as paid', () => {
    expect(normalizeOrderStatus('approved')).toBe('authorized');
    expect(normalizeOrderStatus('APPROVED')).toBe('authorized');
  });

  it('reads `refunded` and `canceled` spellings, and sends anything unknown to processing', () => {
    expect(normalizeOrderStatus('refunded', { capturedAmount: 100, refundedAmount: 0 })).toBe('refunded');
    expect(normalizeOrderStatus('canceled')).toBe('canceled');
    expect(normalizeOrderStatus('on_hold')).toBe(UNKNOWN_STATUS_FALLBACK);
    expect(UNKNOWN_STATUS_FALLBACK).toBe('processing');
    expect(isKnownOrderStatus('on_hold')).toBe(false);
  });
});
