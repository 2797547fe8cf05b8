import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A code block in a README that is a verbatim copy of an example file. */
export interface ReadmeExample {
  /** Path of the example file, relative to the package directory. */
  readonly file: string;
  /** The block's text as it appears in the README. */
  readonly block: string;
  /** The example file's current text. */
  readonly source: string;
}

const MARKER = /<!--\s*example:\s*(\S+)\s*-->\s*\n```[a-z]*\n([\s\S]*?)```/g;

/**
 * Find the README code blocks marked `<!-- example: examples/foo.ts -->`. Each must equal the example
 * file it names, and the example file is executed by the package's tests, so the README cannot drift
 * from code that runs.
 */
export function readmeExamples(packageDir: string, readme = 'README.md'): ReadmeExample[] {
  const text = readFileSync(join(packageDir, readme), 'utf8');
  const out: ReadmeExample[] = [];
  for (const match of text.matchAll(MARKER)) {
    const file = match[1] as string;
    out.push({ file, block: match[2] as string, source: readFileSync(join(packageDir, file), 'utf8') });
  }
  return out;
}
