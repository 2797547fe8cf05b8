// Module hooks that let Node run the repository's TypeScript sources directly: `@tijara/*` resolves to each
// package's src/index.ts (the same tsconfig paths Jest and tsc use), `./x.js` imports inside a .ts file
// resolve to `./x.ts` (NodeNext style), and .ts files are transpiled by @swc/core, which also drops imports
// that are only used as types; without @swc/core, Node's own type stripping is the fallback.
// Installed in-thread with module.registerHooks (Node >= 22.15), else as an off-thread loader (module.register).
import { existsSync, readFileSync } from 'node:fs';
import nodeModule from 'node:module';
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
    return nodeModule.createRequire(join(repoRoot, 'package.json'))('@swc/core');
  } catch {
    return undefined;
  }
}

/** resolve/load hooks for the repository at `repoRoot`; they work in-thread and as an off-thread loader. */
function createHooks(repoRoot) {
  const { compilerOptions = {} } = parseJsonc(readFileSync(join(repoRoot, 'tsconfig.base.json'), 'utf8'));
  const baseDir = join(repoRoot, compilerOptions.baseUrl ?? '.');
  const aliases = new Map(
    Object.entries(compilerOptions.paths ?? {}).map(([alias, [target]]) => [
      alias,
      pathToFileURL(join(baseDir, target)).href,
    ]),
  );
  const swc = loadSwc(repoRoot);
  return {
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
  };
}

// Off-thread loader entry points, used when module.registerHooks is not available.
let loaderHooks;
export function initialize(data) {
  loaderHooks = createHooks(data.repoRoot);
}
export function resolve(specifier, context, nextResolve) {
  return loaderHooks.resolve(specifier, context, nextResolve);
}
export function load(url, context, nextLoad) {
  return loaderHooks.load(url, context, nextLoad);
}

/** Install the hooks; `from` is any file or directory URL inside the repository. */
export function registerSourceHooks(from) {
  const repoRoot = findRepoRoot(fileURLToPath(from));
  if (!repoRoot) throw new Error('tsconfig.base.json not found: not inside the Tijara repository');
  if (typeof nodeModule.registerHooks === 'function') {
    nodeModule.registerHooks(createHooks(repoRoot));
  } else if (typeof nodeModule.register === 'function') {
    nodeModule.register(import.meta.url, { data: { repoRoot } });
  } else {
    throw new Error(`running from source needs Node >= 22.12 (this is ${process.version})`);
  }
  process.setSourceMapsEnabled(true);
}
