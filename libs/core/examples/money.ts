import { fromMinorUnits, MoneyError, toMinorUnits } from '@tijara/core';

export function main(): string[] {
  const lines: string[] = [];
  lines.push(String(toMinorUnits('123.00', 'MYR'))); // 12300 sen
  lines.push(String(toMinorUnits('0.005', 'KWD'))); // 5 fils: KWD has 3 decimals
  lines.push(fromMinorUnits(1500, 'JPY')); // "1500": JPY has none
  try {
    toMinorUnits('19.999', 'USD'); // would need rounding
  } catch (error) {
    if (error instanceof MoneyError) lines.push(error.code ?? 'money error'); // "invalid_amount"
  }
  return lines;
}
