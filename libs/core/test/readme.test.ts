import { readmeExamples } from '@tijara/testkit';
import { main as moneyExample } from '../examples/money.js';

describe('README', () => {
  it('shows the example files verbatim', () => {
    const examples = readmeExamples(`${__dirname}/..`);
    expect(examples.map((e) => e.file)).toEqual(['examples/money.ts']);
    for (const example of examples) expect(example.block).toBe(example.source);
  });

  it('money example prints what its comments say', () => {
    expect(moneyExample()).toEqual(['12300', '5', '1500', 'invalid_amount']);
  });
});
