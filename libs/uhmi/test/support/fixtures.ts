import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

export function readFixture<T>(relative: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, relative), 'utf8')) as T;
}

/** Shaped like a real Uhmi key (40 random characters), so literal-secret scrubbing is exercised. */
export const TEST_API_KEY = 'uhmi_9f8e7d6c5b4a39281706f5e4d3c2b1a0ZyXw';
