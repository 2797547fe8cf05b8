import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A recorded exchange: what the client must send, and what the gateway answered (seed 000 examples). */
export interface EndpointFixture {
  readonly endpoint: string;
  readonly source: string;
  /** Arguments of the generated method: path parameters, then the input when the endpoint takes one. */
  readonly args: unknown[];
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly query?: Record<string, string>;
    readonly body?: unknown;
  };
  readonly response: { readonly status: number; readonly body: unknown };
}

export const FIXTURES_DIR = path.join(__dirname, '..', 'fixtures');

export function readFixture<T>(relative: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, relative), 'utf8')) as T;
}

export function loadEndpointFixtures(): Map<string, EndpointFixture> {
  const dir = path.join(FIXTURES_DIR, 'endpoints');
  const out = new Map<string, EndpointFixture>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    const fixture = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as EndpointFixture;
    out.set(fixture.endpoint, fixture);
  }
  return out;
}

/** Test keys: shaped like real ones so the redaction patterns and the literal-secret scrubbing both get exercised. */
export const TEST_SECRET_KEY = 'sk_test_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
export const BRAND_ID = '409eb80e-3782-4b1d-afa8-b779759266a5';
