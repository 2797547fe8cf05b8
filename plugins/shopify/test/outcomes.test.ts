import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_ACTION, type Payment } from '@tijara/core';
import {
  followUpMutation,
  paymentSessionMutation,
  pendingMutation,
  rejectCodeFor,
  rejectMutation,
  rejectReasonOf,
} from '../src/outcomes.js';

const payment = (overrides: Partial<Payment>): Payment => ({
  id: 'pay_1',
  status: 'pending',
  rawStatus: 'created',
  amount: 1000,
  currency: 'MYR',
  capturedAmount: 0,
  refundedAmount: 0,
  refundableAmount: 0,
  nextAction: NO_ACTION,
  testMode: true,
  raw: {},
  ...overrides,
});

const session = { gid: 'gid://shopify/PaymentSession/1', kind: 'sale' as const, apiVersion: '2026-07' };

/** The codes the vendored 2026-07 schema declares: every code the app sends must be one of them. */
const schemaCodes = (() => {
  const json = JSON.parse(
    gunzipSync(readFileSync(join(__dirname, '..', 'schema', 'payments-apps_2026-07.json.gz'))).toString(),
  ) as {
    data: { __schema: { types: { name: string; enumValues?: { name: string }[] }[] } };
  };
  const type = json.data.__schema.types.find((t) => t.name === 'PaymentSessionStateRejectedReason');
  return new Set((type?.enumValues ?? []).map((v) => v.name));
})();

describe('gateway outcome → payment session mutation', () => {
  it('paid (and later states of a sale) → resolve', () => {
    for (const status of ['paid', 'partially_refunded', 'refunded'] as const) {
      expect(paymentSessionMutation(session, payment({ status }))).toEqual({
        mutation: 'paymentSessionResolve',
        variables: { id: session.gid },
      });
    }
  });

  it('a hold on an authorization → resolve with authorizationExpiresAt; on a sale → nothing yet (capture first)', () => {
    const expires = new Date('2027-01-08T00:00:00Z');
    const held = payment({ status: 'authorized', authorizationExpiresAt: expires });
    expect(paymentSessionMutation({ ...session, kind: 'authorization' }, held)).toEqual({
      mutation: 'paymentSessionResolve',
      variables: { id: session.gid, authorizationExpiresAt: '2027-01-08T00:00:00.000Z' },
    });
    expect(paymentSessionMutation(session, held)).toBeUndefined();
  });

  it('failed → reject with the mapped reason and the gateway’s message', () => {
    const declined = payment({
      status: 'failed',
      failure: { code: 'card_declined', declineCode: 'insufficient_funds', message: 'Insufficient funds' },
    });
    expect(paymentSessionMutation(session, declined)).toEqual({
      mutation: 'paymentSessionReject',
      variables: {
        id: session.gid,
        reason: { code: 'INSUFFICIENT_FUNDS', merchantMessage: 'Insufficient funds' },
      },
    });
  });

  it('pending, processing, canceled and expired → nothing (a cancelled buyer may try again)', () => {
    for (const status of ['pending', 'processing', 'canceled', 'expired'] as const) {
      expect(paymentSessionMutation(session, payment({ status }))).toBeUndefined();
    }
  });
});

describe('rejection reasons', () => {
  it.each([
    [{ declineCode: 'insufficient_funds' }, 'INSUFFICIENT_FUNDS'],
    [{ code: 'card_declined', declineCode: 'generic_decline' }, 'CARD_DECLINED'],
    [{ code: 'expired_card' }, 'EXPIRED_CARD'],
    [{ declineCode: 'fraudulent' }, 'FRAUD_SUSPECTED'],
    [{ code: 'invalid_card' }, 'INVALID_NUMBER'],
    [{ code: 'something_new' }, 'INSTRUMENT_DECLINED'],
    [undefined, 'INSTRUMENT_DECLINED'],
  ])('%j → %s', (failure, code) => {
    expect(rejectReasonOf({ ...(failure ? { failure } : {}) })).toBe(code);
    expect(schemaCodes.has(code)).toBe(true);
  });

  it('folds codes into the 14 that versions before 2026-04 know', () => {
    expect(rejectCodeFor('INSUFFICIENT_FUNDS', '2026-01')).toBe('CARD_DECLINED');
    expect(rejectCodeFor('INVALID_PURCHASE_TYPE', '2025-10')).toBe('PROCESSING_ERROR');
    expect(rejectCodeFor('FRAUD_SUSPECTED', '2025-10')).toBe('RISKY');
    expect(rejectCodeFor('EXPIRED_CARD', '2025-10')).toBe('EXPIRED_CARD');
    expect(rejectCodeFor('INSUFFICIENT_FUNDS', '2026-04')).toBe('INSUFFICIENT_FUNDS');
    expect(rejectCodeFor('INVALID_PURCHASE_TYPE', 'unstable')).toBe('INVALID_PURCHASE_TYPE');
  });

  it('says FRAUD_SUSPECTED rather than the deprecated RISKY where it can', () => {
    expect(rejectCodeFor('RISKY', '2026-07')).toBe('FRAUD_SUSPECTED');
  });

  it('cuts the merchant message to Shopify’s length', () => {
    const long = rejectMutation(session, 'PROCESSING_ERROR', 'x'.repeat(400));
    expect((long.variables.reason as { merchantMessage: string }).merchantMessage).toHaveLength(255);
  });
});

it('pending: within three days, the partner is acting', () => {
  const now = new Date('2027-01-01T00:00:00Z');
  expect(pendingMutation(session, now)).toEqual({
    mutation: 'paymentSessionPending',
    variables: {
      id: session.gid,
      pendingExpiresAt: '2027-01-04T00:00:00.000Z',
      reason: 'PARTNER_ACTION_REQUIRED',
    },
  });
});

it('refund, capture and void outcomes → their resolve or reject', () => {
  expect(followUpMutation('refund', 'gid://shopify/RefundSession/1', { ok: true })).toEqual({
    mutation: 'refundSessionResolve',
    variables: { id: 'gid://shopify/RefundSession/1' },
  });
  expect(
    followUpMutation('capture', 'gid://shopify/CaptureSession/1', {
      ok: false,
      code: 'AUTHORIZATION_EXPIRED',
      message: 'expired',
    }),
  ).toEqual({
    mutation: 'captureSessionReject',
    variables: {
      id: 'gid://shopify/CaptureSession/1',
      reason: { code: 'AUTHORIZATION_EXPIRED', merchantMessage: 'expired' },
    },
  });
  expect(
    followUpMutation('void', 'gid://shopify/VoidSession/1', { ok: false, message: 'no' }).variables.reason,
  ).toEqual({
    code: 'PROCESSING_ERROR',
    merchantMessage: 'no',
  });
});
