import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  // Keep 'node:' prefixes: 'node:sqlite' has no unprefixed name.
  removeNodeProtocol: false,
  tsconfig: 'tsconfig.build.json',
});
