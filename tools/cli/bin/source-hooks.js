// Module hooks that let Node run the repository's TypeScript sources directly: `@tijara/*` resolves to each
// package's src/index.ts (the same tsconfig paths Jest and tsc use), `./x.js` imports inside a .ts file
// resolve to `./x.ts` (NodeNext style), and .ts files are transpiled by @swc/core, which also drops imports
// that are only used as types; without @swc/core, Node's own type stripping is the fallback.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

function findRepoRoot(startDir) {
  for (let dir = startDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.base.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** tsconfig files may hold comments and trailing commas, which JSON.parse rejects. */
function parseJsonc(text) {
  try {
    return JSON.parse(text);
  } catch {
    const stripped = text
      .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match, string) => string ?? '')
      .replace(/,(\s*[}\]])/g, '$1');
    return JSON.parse(stripped);
  }
}

function loadSwc(repoRoot) {
  try {
    return createRequire(join(repoRoot, 'package.json'))('@swc/core');
  } catch {
    return undefined;
  }
}

/** Install the hooks; `from` is any file or directory URL inside the repository. */
export function registerSourceHooks(from) {
  if (typeof registerHooks !== 'function') {
    throw new Error(`running from source needs Node >= 22.15 (this is ${process.version})`);
  }
  const repoRoot = findRepoRoot(fileURLToPath(from));
  if (!repoRoot) throw new Error('tsconfig.base.json not found: not inside the Tijara repository');
  const { compilerOptions = {} } = parseJsonc(readFileSync(join(repoRoot, 'tsconfig.base.json'), 'utf8'));
  const baseDir = join(repoRoot, compilerOptions.baseUrl ?? '.');
  const aliases = new Map(
    Object.entries(compilerOptions.paths ?? {}).map(([alias, [target]]) => [
      alias,
      pathToFileURL(join(baseDir, target)).href,
    ]),
  );
  const swc = loadSwc(repoRoot);
  process.setSourceMapsEnabled(true);

  registerHooks({
    resolve(specifier, context, nextResolve) {
      const alias = aliases.get(specifier);
      if (alias) return { url: alias, shortCircuit: true };
      const parent = context.parentURL;
      if (parent?.endsWith('.ts') && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
        const candidate = new URL(`${specifier.slice(0, -3)}.ts`, parent);
        if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (!url.startsWith('file:') || !url.endsWith('.ts') || url.includes('/node_modules/')) {
        return nextLoad(url, context);
      }
      const filename = fileURLToPath(url);
      const text = readFileSync(filename, 'utf8');
      if (!swc) return { format: 'module-typescript', source: text, shortCircuit: true };
      const { code } = swc.transformSync(text, {
        filename,
        sourceMaps: 'inline',
        isModule: true,
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'es6' },
      });
      return { format: 'module', source: code, shortCircuit: true };
    },
  });
}
