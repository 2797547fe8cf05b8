import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A database name no other run (or engineer) uses: `tijara_test_<label>_<pid>_<random>`, the suite's convention, so
 * CI's sweep of test databases whose process died also clears one a killed run left behind.
 */
export function uniqueDatabaseName(label: string): string {
  return `tijara_test_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function adminClient(): pg.Client {
  return new pg.Client({
    host: process.env['DB_HOST'] ?? 'localhost',
    port: Number(process.env['DB_PORT'] ?? 5432),
    user: process.env['DB_USERNAME'] ?? 'postgres',
    password: process.env['DB_PASSWORD'] ?? '',
    database: 'postgres',
  });
}

/** Drop a database this run created (only names from uniqueDatabaseName), closing what still holds it. */
export async function dropDatabase(name: string): Promise<void> {
  if (!/^tijara_test_[a-z0-9_]+$/.test(name))
    throw new Error(`refusing to drop ${name}: not a test database`);
  const client = adminClient();
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  const client = adminClient();
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}
