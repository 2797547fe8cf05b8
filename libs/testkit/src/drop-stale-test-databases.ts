/**
 * CI's clean slate before `npm test` (see `.ci/run`): drops the test databases earlier runs left behind (their
 * process is gone) and the fixed names older test versions used, so the tests prove they need nothing but a
 * running PostgreSQL. Databases of runs still going are left alone.
 *
 * node --import ./libs/testkit/src/ts-hooks.mjs libs/testkit/src/drop-stale-test-databases.ts
 */
import { dropStaleTestDatabases, postgresAdminUrl } from './test-database.js';

const LEGACY_NAMES = ['tijara_test_stores', 'tijara_express_scale_out'];

const dropped = await dropStaleTestDatabases({ legacyNames: LEGACY_NAMES });
const server = new URL(postgresAdminUrl()).host;
process.stdout.write(
  dropped.length === 0
    ? `no leftover test databases on ${server}\n`
    : `dropped ${dropped.length} leftover test database(s) on ${server}: ${dropped.join(', ')}\n`,
);
