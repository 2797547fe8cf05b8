/**
 * Throwaway PostgreSQL databases for tests. A test that needs PostgreSQL creates its own database, named for this
 * run only, and drops it when it is done: nothing is assumed to exist on the server beforehand, and two
 * checkouts testing at once on one machine never touch each other's databases.
 *
 * Names are `tijara_test_<label>_<pid>_<random>`. The pid lets `dropStaleTestDatabases` (run by CI before the
 * tests) clear what a killed run left behind without touching a run that is still going.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Every database `createTestDatabase` makes starts with this. */
export const TEST_DATABASE_PREFIX = 'tijara_test_';

/** The maintenance database of the local server the tests use; `TIJARA_TEST_POSTGRES_URL` overrides it. */
export function postgresAdminUrl(): string {
  return process.env.TIJARA_TEST_POSTGRES_URL ?? 'postgres://postgres@localhost:5432/postgres';
}

export interface TestDatabase {
  /** The database name, e.g. `tijara_test_stores_4242_9f3a1c0d`. */
  readonly name: string;
  /** Connection URL for it: the admin URL with the database swapped. */
  readonly url: string;
  /** Drop it, closing whatever connections are still open to it. Safe to call twice. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Server to create it on (default: `postgresAdminUrl()`). */
  readonly adminUrl?: string;
}

const NAME = /^[a-z_][a-z0-9_]*$/;
/** PostgreSQL truncates identifiers longer than this, which would make two names collide. */
const MAX_NAME_LENGTH = 63;

function cleanLabel(label: string): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 24);
  return clean || 'db';
}

function databaseName(label: string): string {
  const name = `${TEST_DATABASE_PREFIX}${cleanLabel(label)}_${process.pid}_${randomBytes(4).toString('hex')}`;
  return name.slice(0, MAX_NAME_LENGTH);
}

function urlFor(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropByName(adminUrl: string, name: string): Promise<void> {
  if (!NAME.test(name)) throw new Error(`not a plain database name: ${JSON.stringify(name)}`);
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * Create a database for this run. Call it in `beforeAll` and `drop()` it in `afterAll`:
 *
 * ```ts
 * let db: TestDatabase;
 * beforeAll(async () => (db = await createTestDatabase('ledger')));
 * afterAll(() => db.drop());
 * ```
 */
export async function createTestDatabase(
  label: string,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? postgresAdminUrl();
  const name = databaseName(label);
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: urlFor(adminUrl, name),
    drop: () => (dropped ??= dropByName(adminUrl, name)),
  };
}

/**
 * A name for a database of this run that something else creates — Medusa's test runners create theirs from the
 * name they are given — with the same convention as `createTestDatabase`, so `dropStaleTestDatabases` covers it.
 */
export function testDatabaseName(label: string): string {
  return databaseName(label);
}

/** Drop a database named by `testDatabaseName` (or `createTestDatabase`), closing what still holds it. */
export async function dropTestDatabase(name: string, options: TestDatabaseOptions = {}): Promise<void> {
  if (!name.startsWith(TEST_DATABASE_PREFIX)) {
    throw new Error(`refusing to drop ${JSON.stringify(name)}: not a test database`);
  }
  await dropByName(options.adminUrl ?? postgresAdminUrl(), name);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DropStaleOptions extends TestDatabaseOptions {
  /** Only the databases created with this label (default: every label). */
  readonly label?: string;
  /** Fixed names older versions of the tests used; dropped too (never with FORCE: a run may still use one). */
  readonly legacyNames?: readonly string[];
}

/**
 * Drop the test databases whose creating process is gone (a run that was killed before its `afterAll`), and the
 * given legacy names when nothing is connected to them. Databases of runs still alive are left alone. Returns the
 * names dropped.
 */
export async function dropStaleTestDatabases(options: DropStaleOptions = {}): Promise<string[]> {
  const adminUrl = options.adminUrl ?? postgresAdminUrl();
  const prefix =
    options.label === undefined
      ? TEST_DATABASE_PREFIX
      : `${TEST_DATABASE_PREFIX}${cleanLabel(options.label)}_`;
  const { rows } = await withAdmin(adminUrl, (client) =>
    client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) OR datname = ANY($2::text[])`,
      [prefix, [...(options.legacyNames ?? [])]],
    ),
  );
  const dropped: string[] = [];
  for (const { datname } of rows) {
    if (!NAME.test(datname)) continue;
    if (options.legacyNames?.includes(datname)) {
      const ok = await withAdmin(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${datname}`),
      ).then(
        () => true,
        () => false,
      );
      if (ok) dropped.push(datname);
      continue;
    }
    const pid = Number(/_(\d+)_[0-9a-f]{8}$/.exec(datname)?.[1]);
    if (!Number.isInteger(pid) || processAlive(pid)) continue;
    await dropByName(adminUrl, datname);
    dropped.push(datname);
  }
  return dropped;
}
