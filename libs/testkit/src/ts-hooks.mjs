// Module hooks that let Node run the monorepo's TypeScript sources as they are, with its built-in type
// stripping: `node --import <this file> child.ts`. spawnTs() adds the flag; it can also be used by hand.
//
// - `@tijara/<pkg>` resolves to the package's source entry, read from the `paths` of tsconfig.base.json (found
//   by walking up from this file, or named by TIJARA_TSCONFIG), instead of its unbuilt dist/.
// - A relative `./x.js` import resolves to `./x.ts` when no x.js exists, as tsc's NodeNext convention expects.
// - With TIJARA_SPAWN_TS_PARENT_PID set, the process exits once that parent is gone, so a child orphaned by a
//   crashed or SIGKILLed test run does not linger holding ports, locks or connections.
//
// Plain JavaScript on purpose: it must load before any TypeScript can.
import { existsSync, readFileSync } from 'node:fs';
import nodeModule from 'node:module';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { setInterval } from 'node:timers';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

function findTsconfig(startDir) {
  for (let dir = startDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'tsconfig.base.json');
    if (existsSync(candidate)) return candidate;
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

function loadAliases() {
  const tsconfigPath = process.env.TIJARA_TSCONFIG ?? findTsconfig(dirname(fileURLToPath(import.meta.url)));
  if (!tsconfigPath) return [];
  const { compilerOptions = {} } = parseJsonc(readFileSync(tsconfigPath, 'utf8'));
  const baseDir = resolvePath(dirname(tsconfigPath), compilerOptions.baseUrl ?? '.');
  return Object.entries(compilerOptions.paths ?? {})
    .filter(([, targets]) => Array.isArray(targets) && targets.length > 0)
    .map(([alias, [target]]) => {
      const star = alias.indexOf('*');
      return star < 0
        ? { exact: alias, target: resolvePath(baseDir, target) }
        : {
            prefix: alias.slice(0, star),
            suffix: alias.slice(star + 1),
            target: resolvePath(baseDir, target),
          };
    });
}

const aliases = loadAliases();

function resolveAlias(specifier) {
  for (const alias of aliases) {
    if (alias.exact !== undefined) {
      if (specifier === alias.exact) return alias.target;
    } else if (
      specifier.startsWith(alias.prefix) &&
      specifier.endsWith(alias.suffix) &&
      specifier.length >= alias.prefix.length + alias.suffix.length
    ) {
      const middle = specifier.slice(alias.prefix.length, specifier.length - alias.suffix.length);
      return alias.target.replace('*', middle);
    }
  }
  return undefined;
}

const JS_EXTENSION = /\.([mc]?)js$/;

function resolveTsSibling(specifier, parentURL) {
  if (!parentURL || !parentURL.startsWith('file:') || parentURL.includes('/node_modules/')) return undefined;
  const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/');
  if (!(relative || specifier.startsWith('file:')) || !JS_EXTENSION.test(specifier)) return undefined;
  const url = new URL(specifier, parentURL);
  const path = fileURLToPath(url);
  if (existsSync(path)) return undefined;
  const tsPath = path.replace(JS_EXTENSION, '.$1ts');
  return existsSync(tsPath) ? pathToFileURL(tsPath).href + url.search : undefined;
}

/** The URL this package maps `specifier` to, or undefined to leave it to Node. */
export function mapSpecifier(specifier, parentURL) {
  const aliased = resolveAlias(specifier);
  if (aliased !== undefined) return pathToFileURL(aliased).href;
  return resolveTsSibling(specifier, parentURL);
}

function resolveSync(specifier, context, nextResolve) {
  const url = mapSpecifier(specifier, context.parentURL);
  return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true };
}

/** The asynchronous form, for `module.register()` on Node versions without `registerHooks`. */
export async function resolve(specifier, context, nextResolve) {
  const url = mapSpecifier(specifier, context.parentURL);
  return url === undefined ? nextResolve(specifier, context) : { url, shortCircuit: true };
}

// Registration happens only where the module is --import'ed; the register() fallback loads this file again
// inside the loader thread, which must just provide `resolve`.
if (isMainThread) {
  if (typeof nodeModule.registerHooks === 'function') nodeModule.registerHooks({ resolve: resolveSync });
  else nodeModule.register(import.meta.url);

  const parentPid = Number(process.env.TIJARA_SPAWN_TS_PARENT_PID);
  // Not inherited: this process's own children have a different parent.
  delete process.env.TIJARA_SPAWN_TS_PARENT_PID;
  if (Number.isInteger(parentPid) && parentPid > 0) {
    // Once the parent dies the child is re-parented, so its ppid changes; that works even after a SIGKILL.
    const watchdog = setInterval(() => {
      if (process.ppid !== parentPid) process.exit(129);
    }, 250);
    watchdog.unref();
  }
}
