import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.preset';

export default defineConfig([
  packageBuild({
    external: ['playwright-core'],
    clean: false,
    shims: true,
    async onSuccess() {
      copyFileSync('src/ts-hooks.mjs', 'dist/ts-hooks.mjs');
    },
  }),
  // The batteries start these in a second process; they are ES module scripts (top-level await).
  packageBuild({
    entry: ['src/store-battery-child.ts', 'src/ledger-battery-child.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
  }),
]);
