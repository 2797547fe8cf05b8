import { MoneyError } from '@tijara/core';
import {
  createTrackingId,
  DEFAULT_PATHS,
  formatNumipayDate,
  normalizeDepositStatus,
  normalizePayoutStatus,
  numipayEndpoints,
  parseTrackingId,
  readNumipayErrorBody,
  serverToServerToPayment,
  splitDateRange,
  statusToPayment,
  toNumipayAmount,
  toNumipayCustomer,
  toTransaction,
  userIdFor,
} from '@tijara/numipay';

describe('tracking ids', () => {
  it('carry the amount and currency that were asked, and repeat for the same key', () => {
    const id = createTrackingId(2999, 'gbp', 'order-1');
    expect(parseTrackingId(id)).toEqual({ id, currency: 'GBP', amount: 2999 });
    expect(createTrackingId(2999, 'GBP', 'order-1')).toBe(id);
    expect(createTrackingId(2999, 'GBP', 'order-2')).not.toBe(id);
    expect(createTrackingId(2999, 'GBP')).not.toBe(createTrackingId(2999, 'GBP'));
  });

  it.each([
    'fb832194-34e1-4e6c-8494-d88034cf3e47',
    'tj1-QQQ-1-abcdefgh12',
    'tj1-GBP-1.5-abcdefgh12',
    'tj1-GBP-99999999999999999-abcdefgh12',
  ])('reads nothing into %s', (id) => expect(parseTrackingId(id)).toBeUndefined());
});

describe('decimal amounts', () => {
  it.each([
    [1005, 'EUR', 10.05],
    [20000, 'GBP', 200],
    [1234, 'KWD', 1.234],
    [500, 'JPY', 500],
  ])('%i %s → %p', (minor, currency, decimal) => expect(toNumipayAmount(minor, currency)).toBe(decimal));

  it('refuses zero', () => expect(() => toNumipayAmount(0, 'EUR')).toThrow(/greater than 0/));

  it('reads list amounts exactly and refuses what would round', () => {
    const item = {
      transaction_id: 't',
      transaction_type: 'deposit',
      status: 'successful',
      amount: 8.56,
      currency: 'GBP',
      user_amount: '10',
      user_currency: 'EUR',
    };
    expect(toTransaction(item)).toMatchObject({ amount: 856, userAmount: { amount: 1000, currency: 'EUR' } });
    expect(() => toTransaction({ ...item, amount: 8.565 })).toThrow(MoneyError);
  });
});

describe('customers', () => {
  it("core's customer in Numipay's words", () => {
    expect(
      toNumipayCustomer(
        {
          email: 'j@example.com',
          name: 'Jane Q Doe',
          billingAddress: {
            line1: '1 High St',
            line2: 'Flat 2',
            city: 'London',
            country: 'gb',
            postalCode: 'N1',
          },
        },
        { kyc_status: 'passed' },
      ),
    ).toEqual({
      first_name: 'Jane Q',
      last_name: 'Doe',
      email: 'j@example.com',
      zip_code: 'N1',
      address: '1 High St, Flat 2',
      city: 'London',
      country_code: 'GB',
      kyc_status: 'passed',
    });
  });

  it('the user id is the store’s, or a pseudonym that never shows the e-mail', () => {
    expect(userIdFor({ email: 'j@example.com', reference: 'U1' })).toBe('U1');
    const guest = userIdFor({ email: 'J@Example.com ' });
    expect(guest).toMatch(/^guest-[0-9a-f]{24}$/);
    expect(guest).toBe(userIdFor({ email: 'j@example.com' }));
  });
});

describe('statuses', () => {
  it.each([
    ['successful', 'paid'],
    ['Successful', 'paid'],
    ['pending', 'pending'],
    ['rejected', 'failed'],
    ['cancelled', 'canceled'],
    ['chargeback', 'disputed'],
    ['something_new', 'processing'],
    ['constructor', 'processing'],
  ])('deposit %s → %s', (raw, status) => expect(normalizeDepositStatus(raw)).toBe(status));

  it.each([
    ['pending', 'pending'],
    ['approved', 'processing'],
    ['successful', 'paid'],
    ['rejected', 'rejected'],
  ])('payout %s → %s', (raw, status) => expect(normalizePayoutStatus(raw)).toBe(status));
});

describe('why a payment failed', () => {
  const id = createTrackingId(2999, 'GBP', 'order-9');
  const context = { tracking: parseTrackingId(id)!, testMode: true };

  it('a reason that names a decline in words gets its code, and keeps the words as the message', () => {
    const payment = statusToPayment(
      { transaction_status: 'rejected', rejected_reason: 'Insufficient funds' },
      context,
    );
    expect(payment).toMatchObject({
      status: 'failed',
      failure: { declineCode: 'insufficient_funds', message: 'Insufficient funds' },
    });
  });

  it('any other reason is the message alone; no reason, no failure', () => {
    expect(
      statusToPayment({ transaction_status: 'rejected', rejected_reason: 'Blocked by risk rules' }, context)
        .failure,
    ).toEqual({ message: 'Blocked by risk rules' });
    expect(
      statusToPayment({ transaction_status: 'rejected', rejected_reason: null }, context),
    ).not.toHaveProperty('failure');
  });

  it("the server-to-server answer's error, as text or as an object with a message", () => {
    expect(
      serverToServerToPayment({ transaction_status: 'rejected', url: null, error: 'Expired card' }, context)
        .failure,
    ).toEqual({ declineCode: 'expired_card', message: 'Expired card' });
    expect(
      serverToServerToPayment(
        { transaction_status: 'rejected', url: null, error: { message: 'Do not honor' } },
        context,
      ).failure,
    ).toEqual({ declineCode: 'do_not_honor', message: 'Do not honor' });
  });

  it('only a failed payment carries a failure', () => {
    expect(
      statusToPayment({ transaction_status: 'successful', rejected_reason: 'Insufficient funds' }, context),
    ).not.toHaveProperty('failure');
  });

  it('a reason that quotes a card number is redacted before it becomes the message', () => {
    const payment = statusToPayment(
      { transaction_status: 'rejected', rejected_reason: 'Declined card 4111111111111111' },
      context,
    );
    expect(payment.failure?.message).not.toContain('4111111111111111');
  });
});

describe('date ranges (DD-MM-YYYY, at most seven days a call)', () => {
  it('one call for up to seven days', () => {
    expect(splitDateRange('2024-08-01', '2024-08-07')).toEqual([{ from: '01-08-2024', to: '07-08-2024' }]);
    expect(splitDateRange('01-08-2024', '01-08-2024')).toEqual([{ from: '01-08-2024', to: '01-08-2024' }]);
  });

  it('several calls, in order, without overlap, across a month and a year', () => {
    expect(splitDateRange('2024-12-20', '2025-01-05')).toEqual([
      { from: '20-12-2024', to: '26-12-2024' },
      { from: '27-12-2024', to: '02-01-2025' },
      { from: '03-01-2025', to: '05-01-2025' },
    ]);
  });

  it('a leap day', () => expect(formatNumipayDate(new Date(Date.UTC(2024, 1, 29)))).toBe('29-02-2024'));

  it.each([
    ['2024-02-30', '2024-03-01'],
    ['2024-08-10', '2024-08-01'],
    ['yesterday', '2024-08-01'],
  ])('refuses %s … %s', (from, to) => {
    expect(() => splitDateRange(from, to)).toThrow(/date/);
  });
});

describe('paths are options', () => {
  it('defaults, overridable one by one', () => {
    const endpoints = numipayEndpoints({ depositCashier: '/v2/cashier' });
    expect(endpoints.payments.cashier.path).toBe('v2/cashier');
    expect(endpoints.transactions.status.path).toBe(DEFAULT_PATHS.transactionStatus);
  });

  it.each([
    { transactionStatus: 'transactions' },
    { approvePayout: '../admin' },
    { transactions: 'https://evil.example/x' },
  ])('refuses %p', (paths) => expect(() => numipayEndpoints(paths)).toThrow(/paths\./));
});

describe('error bodies', () => {
  it.each([
    [{ message: 'Invalid amount' }, 'Invalid amount', undefined],
    [{ error: 'Unauthorized', code: 'E401' }, 'Unauthorized', 'E401'],
    [{ error: { code: 42, message: 'Provider down' } }, 'Provider down', '42'],
    [{ errors: { 'request.amount': ['must be positive'] } }, 'Numipay answered HTTP 400', undefined],
    ['Bad request', 'Numipay answered HTTP 400: Bad request', undefined],
  ])('%p', (body, message, code) => {
    const info = readNumipayErrorBody(400, body);
    expect(info.message).toBe(message);
    expect(info.code).toBe(code);
  });
});
