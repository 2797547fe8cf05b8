import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const common = {
  sourcemap: true,
  target: 'node22',
  // Keep 'node:' prefixes: 'node:sqlite' has no unprefixed name.
  removeNodeProtocol: false,
  tsconfig: 'tsconfig.build.json',
  external: ['playwright-core'],
} as const;

export default defineConfig([
  {
    ...common,
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: false,
    shims: true,
    async onSuccess() {
      copyFileSync('src/ts-hooks.mjs', 'dist/ts-hooks.mjs');
    },
  },
  {
    // The store battery starts this in a second process; it is an ES module script (top-level await).
    ...common,
    entry: ['src/store-battery-child.ts'],
    format: ['esm'],
  },
]);
