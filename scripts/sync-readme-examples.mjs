#!/usr/bin/env node
// Copies each example file into the README block that names it (`<!-- example: examples/x.ts -->`), so a changed
// example and its README stay one text. The README tests fail when they differ; run this to fix them.
// Usage: node scripts/sync-readme-examples.mjs <package-dir> [...]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MARKER = /(<!--\s*example:\s*(\S+)\s*-->\s*\n```[a-z]*\n)([\s\S]*?)```/g;
for (const dir of process.argv.slice(2)) {
  const readme = join(dir, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const next = text.replace(MARKER, (all, head, file) =>
    existsSync(join(dir, file)) ? `${head}${readFileSync(join(dir, file), 'utf8')}\`\`\`` : all,
  );
  if (next !== text) {
    writeFileSync(readme, next);
    console.log(`updated ${readme}`);
  }
}
