import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  // The store battery starts store-battery-child in a second process, so it ships as its own file.
  entry: ['src/index.ts', 'src/store-battery-child.ts'],
  format: ['esm', 'cjs'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  shims: true,
  target: 'node22',
  // Keep 'node:' prefixes: 'node:sqlite' has no unprefixed name.
  removeNodeProtocol: false,
  tsconfig: 'tsconfig.build.json',
  external: ['playwright-core'],
  async onSuccess() {
    copyFileSync('src/ts-hooks.mjs', 'dist/ts-hooks.mjs');
  },
});
