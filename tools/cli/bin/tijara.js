#!/usr/bin/env node
// The `tijara` executable. Installed from npm it runs the compiled dist/cli.js. Inside the Tijara repository
// (src/ present) it runs the TypeScript sources of the CLI and of every @tijara package it imports, so
// `npx tijara` works on a fresh clone right after `npm install` and always reflects the working tree:
// no build step, no stale dist. TIJARA_CLI_FROM=dist|src forces one or the other.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const sourceEntry = new URL('../src/cli.ts', import.meta.url);
const builtEntry = new URL('../dist/cli.js', import.meta.url);
const from = process.env.TIJARA_CLI_FROM ?? (existsSync(sourceEntry) ? 'src' : 'dist');

if (from === 'src') {
  // The repository's resolve hooks (shared with testkit's spawnTs): `@tijara/*` to sources, `./x.js` to
  // `./x.ts`; Node 24 strips the types.
  await import(new URL('../../../libs/testkit/src/ts-hooks.mjs', import.meta.url).href);
  await import(sourceEntry.href);
} else if (existsSync(builtEntry)) {
  await import(builtEntry.href);
} else {
  process.stderr.write(
    'tijara: error: dist/cli.js is missing; build it with `npm run build -w @tijara/cli`\n',
  );
  process.exitCode = 1;
}
