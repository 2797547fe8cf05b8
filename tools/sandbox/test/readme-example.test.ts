import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickstart } from '../examples/quickstart.js';

test.each(['quickstart.ts', 'gateway-module.ts'])('the README shows examples/%s verbatim', (file) => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const example = readFileSync(join(__dirname, '..', 'examples', file), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks).toContain(example);
});

test('the README example runs: pays a purchase and verifies the signed webhook', async () => {
  const result = await quickstart();
  expect(result.status).toBe('paid');
  expect(result.checkoutUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/checkout\/[0-9a-f-]+\/$/);
  expect(result.verifiedEvents).toEqual(['purchase.paid']);
});
