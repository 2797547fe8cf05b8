import { BigNumber } from '@medusajs/framework/utils';
import { toMajor, toMinorExact, toMinorForCharge } from '../src/amounts.js';

describe('Medusa amounts → minor units, by ISO 4217 exponent', () => {
  it.each([
    ['JPY', 5000, 5000],
    ['JPY', '12000', 12000],
    ['MYR', 29.99, 2999],
    ['MYR', '120.50', 12050],
    ['MYR', 0.1, 10],
    ['KWD', '12.345', 12345],
    ['KWD', 1.005, 1005],
    ['BHD', '0.001', 1],
  ])('%s %p → %p', (currency, amount, minor) => {
    expect(toMinorExact(amount, currency)).toBe(minor);
    expect(toMinorForCharge(amount, currency)).toBe(minor);
  });

  it('reads the raw BigNumber Medusa passes to refunds, where Number() gives NaN', () => {
    const raw = { value: '40', precision: 20 };
    expect(Number(raw)).toBeNaN();
    expect(toMinorExact(raw, 'MYR')).toBe(4000);
    expect(toMinorExact({ value: '10.125', precision: 20 }, 'KWD')).toBe(10125);
    expect(toMinorExact({ value: '7', precision: 20 }, 'JPY')).toBe(7);
    expect(toMinorExact(new BigNumber('33.3'), 'AED')).toBe(3330);
    expect(toMinorExact(new BigNumber({ value: '1e3', precision: 20 }), 'MYR')).toBe(100_000);
  });

  it('refuses refund amounts the currency cannot carry, instead of rounding them', () => {
    expect(() => toMinorExact('10.005', 'MYR')).toThrow(
      /more precision than MYR allows \(2 decimal places\)/,
    );
    expect(() => toMinorExact({ value: '0.5', precision: 20 }, 'JPY')).toThrow(/more precision than JPY/);
    expect(() => toMinorExact('1.0005', 'KWD')).toThrow(/more precision than KWD/);
    // Zeros beyond the exponent are not a rounding.
    expect(toMinorExact('10.500000', 'MYR')).toBe(1050);
  });

  it('charges a full-precision Medusa total rounded half-up to the currency, as the Payment module compares it', () => {
    // 29.99 + 6 % tax = 31.7894
    expect(toMinorForCharge({ value: '31.7894', precision: 20 }, 'MYR')).toBe(3179);
    expect(toMinorForCharge('31.785', 'MYR')).toBe(3179);
    expect(toMinorForCharge('31.7849', 'MYR')).toBe(3178);
    expect(toMinorForCharge('12.5', 'JPY')).toBe(13);
    expect(toMinorForCharge('0.0005', 'KWD')).toBe(1);
  });

  it('refuses what is not money', () => {
    for (const bad of [undefined, null, 'abc', Number.NaN, Number.POSITIVE_INFINITY, -1, '-0.01']) {
      expect(() => toMinorExact(bad as never, 'MYR')).toThrow(/amount/);
    }
    expect(() => toMinorExact(1, 'XYZ')).toThrow(/Unknown currency code/);
  });

  it('gives Medusa major units back as exact decimal strings', () => {
    expect(toMajor(2999, 'MYR')).toBe('29.99');
    expect(toMajor(12345, 'KWD')).toBe('12.345');
    expect(toMajor(5000, 'JPY')).toBe('5000');
    expect(toMajor(5, 'MYR')).toBe('0.05');
    for (const [minor, currency] of [
      [1, 'KWD'],
      [99_999_999, 'MYR'],
      [7, 'JPY'],
    ] as const) {
      expect(toMinorExact(toMajor(minor, currency), currency)).toBe(minor);
    }
  });
});
