import { NO_ACTION, type Payment } from '@tijara/core';
import { snapshotOf, storedPayment, storefrontInput } from '../src/session-data.js';

const payment: Payment = {
  id: 'pur_1',
  status: 'pending',
  rawStatus: 'created',
  amount: 2999,
  currency: 'MYR',
  capturedAmount: 0,
  refundedAmount: 0,
  refundableAmount: 0,
  reference: 'payses_01',
  nextAction: { type: 'redirect', url: 'https://gate.example/checkout/pur_1/', method: 'GET' },
  savedMethod: { token: 'tok_secret_123', brand: 'visa', last4: '4242', expiryMonth: 12, expiryYear: 2030 },
  testMode: true,
  raw: { client: { email: 'aisha@example.com' }, secret: 'x' },
};
const base = {
  gateway: 'ummah',
  sessionId: 'payses_01',
  amount: 2999,
  currency: 'MYR',
  capture: 'automatic' as const,
};

describe('session data', () => {
  it('carries ids, amounts and the next action, never a saved-method token or the raw gateway object', () => {
    const data = snapshotOf(payment, base);
    expect(data).toEqual({
      tijara_gateway: 'ummah',
      session_id: 'payses_01',
      id: 'pur_1',
      status: 'pending',
      amount: 2999,
      currency: 'MYR',
      capture: 'automatic',
      next_action: payment.nextAction,
      redirect_url: 'https://gate.example/checkout/pur_1/',
      captured_amount: 0,
      refunded_amount: 0,
      test_mode: true,
      saved_method: { brand: 'visa', last4: '4242', expiry_month: 12, expiry_year: 2030 },
    });
    expect(JSON.stringify(data)).not.toContain('tok_secret_123');
    expect(snapshotOf({ ...payment, nextAction: NO_ACTION }, base)).not.toHaveProperty('redirect_url');
  });

  it("reads back only data the gateway's own provider wrote", () => {
    const data = { ...snapshotOf(payment, base) } as Record<string, unknown>;
    expect(storedPayment(data, 'ummah')).toMatchObject({ id: 'pur_1', amount: 2999, currency: 'MYR' });
    expect(storedPayment({ session_id: 'payses_01' }, 'ummah')).toBeUndefined();
    expect(() => storedPayment(data, 'postpay')).toThrow(/not written by the postpay provider/);
    expect(() => storedPayment({ ...data, amount: '29.99' }, 'ummah')).toThrow(/not written/);
  });

  it('takes only the documented keys from the storefront, and says which ones are wrong', () => {
    const input = storefrontInput(
      { email: 'aisha@example.com', id: 'someone-elses-purchase', amount: 1, save_method: true },
      'ummah',
    );
    expect(input).toEqual({ email: 'aisha@example.com', save_method: true });
    expect(() =>
      storefrontInput(
        { email: 'not-an-email', return_url: 'nope', shipping_address: { city: 'Dubai' } },
        'ummah',
      ),
    ).toThrow(/Invalid payment session data: email: .*; return_url: .*; shipping_address.address_1: .*/);
  });
});
