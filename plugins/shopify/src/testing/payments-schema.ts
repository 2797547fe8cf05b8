import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { GraphQLSchema } from 'graphql';

/** The Payments Apps API version whose published schema ships in `schema/` (see schema/NOTICE.md). */
export const PAYMENTS_SCHEMA_VERSION = '2026-07';

const FILE = `payments-apps_${PAYMENTS_SCHEMA_VERSION}.json.gz`;

/** `schema/` sits beside `src/` in the repository and beside `dist/` in the published package. */
function schemaFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth += 1) {
    const candidate = join(dir, 'schema', FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`Cannot find schema/${FILE} next to @tijara/shopify`);
}

let cached: Promise<GraphQLSchema> | undefined;

/**
 * Shopify's published Payments Apps schema, built with graphql's `buildClientSchema`. graphql is loaded only
 * here (an optional peer dependency): the app itself never needs it.
 */
export function loadPaymentsSchema(): Promise<GraphQLSchema> {
  cached ??= (async () => {
    const { buildClientSchema } = await import('graphql');
    const json = JSON.parse(gunzipSync(readFileSync(schemaFile())).toString('utf8')) as {
      data?: unknown;
      __schema?: unknown;
    };
    return buildClientSchema((json.data ?? json) as Parameters<typeof buildClientSchema>[0]);
  })();
  return cached;
}
