import { readmeExamples } from '../src/index.js';
import { defineStoreTests } from '../examples/my-store-battery.js';

describe('README', () => {
  it('shows the example files verbatim', () => {
    const examples = readmeExamples(`${__dirname}/..`);
    expect(examples.map((e) => e.file)).toEqual(['examples/my-store-battery.ts']);
    for (const example of examples) expect(example.block).toBe(example.source);
  });
});

// The README's example, run as it is: it registers the full store battery for a SQLite file.
defineStoreTests();
