import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
  tsconfig: 'tsconfig.build.json',
  // `node:sqlite` exists only under its `node:` name; stripping the prefix would break the import.
  removeNodeProtocol: false,
});
