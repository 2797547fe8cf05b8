import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The sandbox's modules form no import cycle, type-only imports included: the engine never reaches into a
 * gateway, a gateway never reaches back into what composes it, and no object hands everything to everyone. The
 * graph is the TypeScript compiler's own reading of each file's imports and re-exports.
 */
const SRC = resolve(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** `./x.js` → `./x.ts` (or `./x/index.ts`); non-relative specifiers (packages) are not part of the graph. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${relative(SRC, from)}: cannot resolve ${specifier}`);
}

function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => resolveImport(file, imported.fileName))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every strongly connected component with more than one file (or a file importing itself): Tarjan's algorithm. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

test('the check finds a cycle when there is one', () => {
  const graph = new Map([
    ['engine.ts', ['store.ts']],
    ['store.ts', ['types.ts']],
    ['types.ts', ['engine.ts']],
    ['gateway.ts', ['engine.ts']],
    ['self.ts', ['self.ts']],
  ]);
  expect(importCycles(graph)).toEqual([['engine.ts', 'store.ts', 'types.ts'], ['self.ts']]);
  expect(
    importCycles(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', []],
      ]),
    ),
  ).toEqual([]);
});

test('type-only imports and re-exports are edges too', () => {
  const file = join(SRC, 'index.ts');
  const edges = importGraph([file])
    .get(file)!
    .map((target) => relative(SRC, target));
  // index.ts re-exports types only from gateway-module.ts, and values from sandbox.ts.
  expect(edges).toEqual(expect.arrayContaining(['sandbox.ts', join('engine', 'gateway-module.ts')]));
});

test('tools/sandbox/src has no import cycle', () => {
  const files = sourceFiles(SRC);
  expect(files.length).toBeGreaterThan(20);
  const cycles = importCycles(importGraph(files)).map((cycle) => cycle.map((file) => relative(SRC, file)));
  expect(cycles).toEqual([]);
});

test('the engine imports no gateway', () => {
  const graph = importGraph(sourceFiles(join(SRC, 'engine')));
  const reaching = [...graph].flatMap(([file, targets]) =>
    targets
      .filter((target) => !target.startsWith(join(SRC, 'engine')))
      .map((target) => `${relative(SRC, file)} → ${relative(SRC, target)}`),
  );
  expect(reaching).toEqual([]);
});
