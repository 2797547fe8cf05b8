import { createServer } from 'node:net';
import { childOutput, spawnTs, stopChild, waitForLine } from '@tijara/testkit';
import { openPostgresSessionStorage } from '../src/merchant/postgres-session-storage.js';
import { SqliteSessionStorage } from '../src/merchant/sqlite-session-storage.js';
import { sessionStorageBattery } from './support/session-storage-battery.js';
import { createTestDatabase } from './support/postgres.js';

sessionStorageBattery('SqliteSessionStorage (node:sqlite)', async () => new SqliteSessionStorage(':memory:'));

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase('sessions');
});
afterAll(async () => {
  await db.drop();
});
sessionStorageBattery('@shopify/shopify-app-session-storage-postgresql (guarded)', () =>
  openPostgresSessionStorage(db.url),
);

describe('an unreachable PostgreSQL', () => {
  it('is a typed error naming the database without its password, and the process survives', async () => {
    // A port that accepts nothing: listen, note it, close.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `postgres://app:s3cret-password@127.0.0.1:${port}/sessions`;
    const child = spawnTs(new URL('./fixtures/unreachable-session-storage.ts', import.meta.url), [url]);
    try {
      const refused = await waitForLine(child, /^refused /, 20_000);
      expect(refused).toMatch(
        /^refused configuration Cannot open the Shopify session storage at postgres:\/\/app:\[REDACTED\]@127\.0\.0\.1:/,
      );
      expect(refused).not.toContain('s3cret-password');
      await waitForLine(child, /^alive$/, 5_000);
      expect(childOutput(child).stderr).not.toMatch(/Unhandled|ECONNREFUSED/);
    } finally {
      await stopChild(child);
    }
  });
});
