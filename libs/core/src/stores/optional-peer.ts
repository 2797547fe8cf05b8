/**
 * `pg` and `ioredis` are optional peer dependencies: an app installs the one its store backend needs, and a
 * driver or a Medusa provider that imports @tijara/core never loads either. The backend loads its client package
 * synchronously the first time a store of that kind is created.
 */
import { createRequire } from 'node:module';
import { ConfigurationError } from '../errors.js';

const PEERS = { pg: 'PostgreSQL', ioredis: 'Redis' } as const;

export function requirePeer<T>(name: keyof typeof PEERS): T {
  try {
    // Resolved from this package's own location, like a static import would be.
    return createRequire(import.meta.url)(name) as T;
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new ConfigurationError(
      `The ${PEERS[name]} stores need the \`${name}\` package: npm install ${name} ` +
        '(an optional peer dependency of @tijara/core, installed only by apps that use that backend)',
    );
  }
}
