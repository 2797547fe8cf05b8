// `pg` and `ioredis` are optional peers: importing @tijara/core (as a driver or a Medusa provider does) loads
// neither; opening a store of a backend loads that backend's package only. Checked in a fresh process, on the
// sources, by what Node's CommonJS loader has loaded.
import { execFileSync } from 'node:child_process';
import { tsHooksUrl } from '@tijara/testkit';

function loadedAfter(script: string): string[] {
  const program = `
    const { createRequire } = await import('node:module');
    const loaded = () => Object.keys(createRequire(import.meta.url).cache)
      .map((file) => /node_modules\\/(pg|ioredis)\\//.exec(file)?.[1]).filter(Boolean);
    ${script}
    process.stdout.write(JSON.stringify([...new Set(loaded())].sort()));
  `;
  const out = execFileSync(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', tsHooksUrl(), '--input-type=module', '-e', program],
    { encoding: 'utf8', cwd: __dirname },
  );
  return JSON.parse(out) as string[];
}

test('importing @tijara/core and using its SQLite stores loads neither pg nor ioredis', () => {
  expect(
    loadedAfter(`
      const core = await import('@tijara/core');
      const stores = core.createStores('sqlite::memory:');
      await stores.events.rememberOnce('k', 1000);
      await stores.close();
    `),
  ).toEqual([]);
});

test('opening a PostgreSQL store loads pg, and only pg', () => {
  expect(
    loadedAfter(`
      const core = await import('@tijara/core');
      const stores = core.createStores('postgres://postgres@127.0.0.1:1/none');
      await stores.close();
    `),
  ).toEqual(['pg']);
});

test('the Redis entry point loads ioredis when a store connects, and only ioredis', () => {
  expect(
    loadedAfter(`
      const { createRedisStores } = await import('@tijara/core/stores/redis');
      const stores = createRedisStores({ url: 'redis://127.0.0.1:1', redisOptions: { lazyConnect: true } });
      await stores.close();
    `),
  ).toEqual(['ioredis']);
});
