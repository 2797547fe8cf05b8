import { PAYMENT_STATUSES } from '@tijara/core';
import {
  isKnownPurchaseStatus,
  normalizePurchaseStatus,
  PURCHASE_STATUS_MAP,
  PURCHASE_STATUSES,
  UNKNOWN_STATUS_FALLBACK,
} from '@tijara/ummah';

// The 22 statuses of seed 004 plus ummah.md, written out here on purpose: a status added to the package's list
// without a decision here (and in PURCHASE_STATUS_MAP) fails this file.
const EXPECTED: Record<string, string> = {
  created: 'pending',
  sent: 'pending',
  viewed: 'pending',
  overdue: 'pending',
  error: 'failed',
  blocked: 'failed',
  cancelled: 'canceled',
  released: 'canceled',
  expired: 'expired',
  hold: 'authorized',
  preauthorized: 'paid',
  pending_release: 'processing',
  pending_capture: 'processing',
  pending_execute: 'processing',
  pending_charge: 'processing',
  pending_refund: 'processing',
  pending_recurring_token_delete: 'processing',
  paid: 'paid',
  cleared: 'paid',
  settled: 'paid',
  chargeback: 'disputed',
  refunded: 'refunded',
};

describe('purchase status mapping', () => {
  it('covers exactly the documented statuses', () => {
    expect([...PURCHASE_STATUSES].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(PURCHASE_STATUSES).toHaveLength(22);
    expect(Object.keys(PURCHASE_STATUS_MAP).sort()).toEqual([...PURCHASE_STATUSES].sort());
  });

  it.each(Object.entries(EXPECTED))('maps %s to %s', (raw, normalized) => {
    expect(isKnownPurchaseStatus(raw)).toBe(true);
    expect(PAYMENT_STATUSES).toContain(PURCHASE_STATUS_MAP[raw as keyof typeof PURCHASE_STATUS_MAP]);
    expect(
      normalizePurchaseStatus(raw, { capturedAmount: 1000, refundedAmount: raw === 'refunded' ? 1000 : 0 }),
    ).toBe(normalized);
  });

  it('calls a refund of less than the captured amount a partial refund', () => {
    expect(normalizePurchaseStatus('refunded', { capturedAmount: 1000, refundedAmount: 400 })).toBe(
      'partially_refunded',
    );
    expect(normalizePurchaseStatus('refunded', { capturedAmount: 1000, refundedAmount: 1000 })).toBe(
      'refunded',
    );
  });

  it('maps a status the gateway adds later to a non-final fallback, never throwing', () => {
    expect(isKnownPurchaseStatus('pending_teleport')).toBe(false);
    expect(normalizePurchaseStatus('pending_teleport')).toBe(UNKNOWN_STATUS_FALLBACK);
    expect(UNKNOWN_STATUS_FALLBACK).toBe('processing');
  });
});
