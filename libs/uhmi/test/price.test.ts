import { MoneyError } from '@tijara/core';
import { createPaymentRequestSchema, minorUnitsToPrice, priceSchema, priceToMinorUnits } from '@tijara/uhmi';

describe('decimal euro prices ↔ cents, exactly', () => {
  it.each([
    [0.25, 25],
    ['0.25', 25],
    [0.01, 1],
    [150, 15000],
    ['150.00', 15000],
    [0, 0],
    [19.99, 1999],
    [0.1, 10],
    [1.005e2, 10050],
  ])('%p → %i cents', (price, cents) => {
    expect(priceToMinorUnits(price)).toBe(cents);
  });

  it.each([0.255, 0.1 + 0.2, 1e-7, -0.01, '0.2a', '', Number.NaN])(
    'refuses %p instead of rounding',
    (price) => {
      expect(() => priceToMinorUnits(price)).toThrow(MoneyError);
    },
  );

  it.each([
    [25, 0.25],
    [1, 0.01],
    [1999, 19.99],
    [15000, 150],
    [0, 0],
  ])('%i cents → %p, which JSON spells exactly', (cents, price) => {
    expect(minorUnitsToPrice(cents)).toBe(price);
    expect(priceToMinorUnits(JSON.parse(JSON.stringify({ price: minorUnitsToPrice(cents) })).price)).toBe(
      cents,
    );
  });

  it('every cent from 0.01 to 150 survives the trip through JSON', () => {
    for (let cents = 1; cents <= 15000; cents += 1) {
      const sent = JSON.parse(JSON.stringify(minorUnitsToPrice(cents))) as number;
      expect(priceToMinorUnits(sent)).toBe(cents);
    }
  });
});

describe('the price parameter', () => {
  it.each([0, 0.01, '0.01', 150, '149.99'])('accepts %p', (price) => {
    expect(priceSchema.safeParse(price).success).toBe(true);
  });

  it.each([0.001, 150.01, 151, -1, '1,50', 0.255, true, null])(
    'refuses %p with Uhmi’s own message',
    (price) => {
      const result = createPaymentRequestSchema.safeParse({ type: 'content', title: 'A', price });
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.message)).toContain(
        "The 'price' parameter is invalid or missing.",
      );
    },
  );

  it('sends a decimal string as the number it spells', () => {
    expect(priceSchema.parse('4.50')).toBe(4.5);
  });
});
