import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.preset';

// The Redis and PostgreSQL stores are entry points of their own, so that `@tijara/core` needs neither client
// package; `shims` gives the CommonJS build the `import.meta.url` the optional-peer loader falls back on.
export default defineConfig(
  packageBuild({
    entry: {
      index: 'src/index.ts',
      'stores/postgres': 'src/stores/postgres.ts',
      'stores/redis': 'src/stores/redis.ts',
    },
    shims: true,
  }),
);
