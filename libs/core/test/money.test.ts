import {
  addMinor,
  assertCurrency,
  assertMinorUnits,
  currencyExponent,
  decimalFromMinorUnits,
  fromMinorUnits,
  MoneyError,
  minorUnitsFromDecimal,
  money,
  toMinorUnits,
} from '../src/index.js';

describe('currency exponents (ISO 4217)', () => {
  it.each([
    ['JPY', 0],
    ['KRW', 0],
    ['IDR', 2],
    ['MYR', 2],
    ['SAR', 2],
    ['AED', 2],
    ['USD', 2],
    ['BHD', 3],
    ['KWD', 3],
    ['OMR', 3],
    ['JOD', 3],
    ['TND', 3],
    ['IQD', 3],
    ['LYD', 3],
    ['CLF', 4],
  ])('%s has %i decimals', (code, digits) => {
    expect(currencyExponent(code)).toBe(digits);
  });

  it('accepts lower case and normalizes it', () => {
    expect(assertCurrency('myr')).toBe('MYR');
  });

  it.each(['', 'US', 'USDD', 'XYZ', '12A', 42, null])('rejects %p', (code) => {
    expect(() => assertCurrency(code)).toThrow(MoneyError);
  });
});

describe('toMinorUnits', () => {
  it.each([
    ['123.00', 'MYR', 12300],
    ['123', 'MYR', 12300],
    ['0.01', 'MYR', 1],
    ['1.5', 'MYR', 150],
    ['0.005', 'KWD', 5],
    ['12.345', 'BHD', 12345],
    ['1.2', 'OMR', 1200],
    ['1500', 'JPY', 1500],
    ['1500.000', 'JPY', 1500],
    ['1.2340', 'KWD', 1234],
    ['0', 'USD', 0],
    ['007.10', 'USD', 710],
    ['90071992547409.91', 'USD', 9007199254740991],
  ])('%s %s → %i', (decimal, currency, minor) => {
    expect(toMinorUnits(decimal, currency)).toBe(minor);
  });

  it.each([
    ['1.001', 'MYR', /more precision/],
    ['0.0005', 'KWD', /more precision/],
    ['10.5', 'JPY', /more precision/],
    ['-1.00', 'MYR', /Invalid amount/],
    ['1,00', 'MYR', /Invalid amount/],
    ['1e3', 'MYR', /Invalid amount/],
    ['', 'MYR', /Invalid amount/],
    ['.5', 'MYR', /Invalid amount/],
    ['5.', 'MYR', /Invalid amount/],
    ['NaN', 'MYR', /Invalid amount/],
    ['90071992547409.92', 'USD', /too large/],
  ])('rejects %s %s', (decimal, currency, message) => {
    expect(() => toMinorUnits(decimal, currency)).toThrow(message);
  });

  it('never rounds: a typed error instead', () => {
    const error = (() => {
      try {
        toMinorUnits('19.999', 'USD');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MoneyError);
    expect((error as MoneyError).code).toBe('invalid_amount');
  });

  it('rejects non-string input', () => {
    expect(() => toMinorUnits(12.3 as unknown as string, 'USD')).toThrow(MoneyError);
  });
});

describe('fromMinorUnits', () => {
  it.each([
    [12300, 'MYR', '123.00'],
    [1, 'MYR', '0.01'],
    [5, 'KWD', '0.005'],
    [1234, 'BHD', '1.234'],
    [1500, 'JPY', '1500'],
    [0, 'TND', '0.000'],
    [1, 'CLF', '0.0001'],
  ])('%i %s → %s', (minor, currency, decimal) => {
    expect(fromMinorUnits(minor, currency)).toBe(decimal);
    expect(toMinorUnits(decimal, currency)).toBe(minor);
  });

  it.each([1.5, -1, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('rejects %p', (amount) => {
    expect(() => fromMinorUnits(amount, 'USD')).toThrow(MoneyError);
  });
});

describe('decimal amounts sent as JSON numbers', () => {
  it.each([
    [0.25, 'EUR', 25],
    [10.05, 'EUR', 1005],
    [150, 'EUR', 15000],
    [0.3, 'EUR', 30],
    [1.234, 'KWD', 1234],
    [1500, 'JPY', 1500],
    ['200.00', 'GBP', 20000],
  ])('%p %s → %i', (value, currency, minor) => {
    expect(minorUnitsFromDecimal(value, currency)).toBe(minor);
  });

  it.each([0.255, 0.1 + 0.2, 1e-7, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p EUR', (value) => {
    expect(() => minorUnitsFromDecimal(value, 'EUR')).toThrow(MoneyError);
  });

  it.each([
    [25, 'EUR', 0.25],
    [1005, 'EUR', 10.05],
    [15000, 'EUR', 150],
    [1, 'KWD', 0.001],
    [1500, 'JPY', 1500],
  ])('%i %s → %p, which JSON spells exactly', (minor, currency, value) => {
    expect(decimalFromMinorUnits(minor, currency)).toBe(value);
    expect(
      minorUnitsFromDecimal(JSON.parse(JSON.stringify(decimalFromMinorUnits(minor, currency))), currency),
    ).toBe(minor);
  });

  it('refuses an amount a JSON number cannot carry exactly', () => {
    expect(() => decimalFromMinorUnits(Number.MAX_SAFE_INTEGER, 'EUR')).toThrow(MoneyError);
  });
});

describe('money helpers', () => {
  it('builds validated values', () => {
    expect(money(100, 'kwd')).toEqual({ amount: 100, currency: 'KWD' });
    expect(() => money(0.1, 'USD')).toThrow(MoneyError);
  });

  it('assertMinorUnits names the field', () => {
    expect(() => assertMinorUnits('10', 'capture amount')).toThrow(
      /capture amount must be a non-negative integer/,
    );
  });

  it('adds exactly and refuses overflow', () => {
    expect(addMinor(1, 2, 3)).toBe(6);
    expect(() => addMinor(Number.MAX_SAFE_INTEGER, 1)).toThrow(MoneyError);
  });
});
