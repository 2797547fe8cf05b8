import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database name no other run (or engineer) uses: the package, this process and random bytes. */
export function uniqueDatabaseName(pkg: string): string {
  return `tijara_${pkg}_${process.pid}_${randomBytes(4).toString('hex')}`;
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
  if (!/^tijara_[a-z0-9_-]+$/.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
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
