// Every publishable package must load from both ESM (`import`) and CommonJS (`require`) consumers, from its
// built `dist`, with type declarations for both, and expose the same names either way.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;

for (const group of ['libs', 'plugins', 'tools']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkgDir = join(dir, name);
    const pkgFile = join(pkgDir, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    if (pkg.private || !pkg.exports?.['.']) continue;
    const problems = [];
    const entry = pkg.exports['.'];
    for (const file of [
      entry.import.default,
      entry.import.types,
      entry.require.default,
      entry.require.types,
    ]) {
      if (!existsSync(join(pkgDir, file))) problems.push(`missing ${file} (run npm run build)`);
    }
    if (problems.length === 0) {
      const run = (args) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();
      try {
        const esm = run([
          '--input-type=module',
          '-e',
          `const m = await import('${pkg.name}'); console.log(Object.keys(m).sort().join(','))`,
        ]);
        const cjs = run(['-e', `console.log(Object.keys(require('${pkg.name}')).sort().join(','))`]);
        if (!esm) problems.push('ESM entry exports nothing');
        if (esm !== cjs) problems.push(`ESM and CommonJS exports differ:\n  esm: ${esm}\n  cjs: ${cjs}`);
      } catch (error) {
        problems.push(
          `failed to load: ${String(error.stderr || error.message)
            .split('\n')
            .slice(0, 6)
            .join('\n')}`,
        );
      }
    }
    if (problems.length) {
      failed += 1;
      console.log(`✗ ${pkg.name}\n  ${problems.join('\n  ')}`);
    } else {
      passed += 1;
      console.log(`✓ ${pkg.name} loads from ESM and CommonJS`);
    }
  }
}
console.log(`packages: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
