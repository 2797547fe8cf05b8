import { defineConfig } from 'tsup';

export default defineConfig({
  // cli.ts is the executable's entry (loaded by bin/tijara.js); index.ts is the programmatic API.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  // Keep 'node:' prefixes: 'node:sqlite' has no unprefixed name.
  removeNodeProtocol: false,
  tsconfig: 'tsconfig.build.json',
});
