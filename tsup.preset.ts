import type { Options } from 'tsup';

/**
 * How every publishable package builds: ESM + CommonJS with type declarations for both (Medusa loads
 * providers through CommonJS), from src/index.ts.
 */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node22',
    // Keep 'node:' prefixes: 'node:sqlite' has no unprefixed name.
    removeNodeProtocol: false,
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  };
}
