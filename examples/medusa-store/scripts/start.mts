/**
 * `npm run start:medusa` (from the repository root): the gateway sandbox and the Medusa store, wired together.
 *
 * Creates the database if needed, migrates it, seeds the store, makes sure the admin can log in, starts
 * `medusa develop`, prints the admin login and the publishable key, and writes them with the backend URL and the
 * region ids to .tijara/medusa-store.json. Ctrl+C stops both.
 *
 * PORT (9000) and SANDBOX_PORT (4011) move them; DATABASE_URL (postgres://postgres@localhost:5432/tijara_medusa_store)
 * picks the database; ADMIN_EMAIL (admin@tijara.local) the admin; TIJARA_DATA_DIR (.tijara) where state lives;
 * MEDUSA_ADMIN_DISABLED=true skips the admin dashboard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';

interface SeedResult {
  readonly publishableKey: string;
  readonly regions: ReadonlyArray<{ id: string; name: string; currency: string; providerId: string }>;
}

const appDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const medusaCli = require.resolve('@medusajs/cli/cli.js');
const dataDir = path.resolve(process.env.TIJARA_DATA_DIR ?? path.join(appDir, '.tijara'));
const storeFile = path.join(dataDir, 'medusa-store.json');

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${name} must be a port number (1–65535), got "${raw}"`);
  }
  return value;
}

/** Secrets made once per data directory (owner-only file), so logins and sessions survive restarts. */
interface LocalSecrets {
  adminPassword: string;
  jwtSecret: string;
  cookieSecret: string;
  postpayHookSecret: string;
}

function localSecrets(): LocalSecrets {
  const file = path.join(dataDir, 'secrets.json');
  const made: LocalSecrets = {
    adminPassword: randomBytes(12).toString('base64url'),
    jwtSecret: randomBytes(32).toString('hex'),
    cookieSecret: randomBytes(32).toString('hex'),
    postpayHookSecret: randomBytes(24).toString('hex'),
    ...(existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {}),
  };
  writeFileSync(file, JSON.stringify(made, null, 2), { mode: 0o600 });
  return made;
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name))
    throw new Error(`DATABASE_URL names an unusual database "${name}"; create it yourself`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect().catch((error: Error) => {
    throw new Error(
      `PostgreSQL is not reachable at ${admin.host} (${error.message}); start it or set DATABASE_URL`,
    );
  });
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** One Medusa CLI command in the app directory; its output is shown only if it fails. */
function medusa(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [medusaCli, ...args], {
      cwd: appDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) return resolve();
      process.stderr.write(Buffer.concat(output));
      reject(new Error(`medusa ${args.join(' ')} failed (exit ${code})`));
    });
  });
}

/**
 * Postpay posts order events to the hooks registered with its API (it has no per-payment callback): one hook to
 * Medusa's hook route, signed with this installation's secret. An existing hook for the URL is updated.
 */
async function registerPostpayHook(
  baseUrl: string,
  merchantId: string,
  secretKey: string,
  url: string,
  secret: string,
) {
  const headers = {
    authorization: `Basic ${Buffer.from(`${merchantId}:${secretKey}`).toString('base64')}`,
    accept: 'application/vnd.postpay+json; version=v1',
    'content-type': 'application/json',
  };
  const existing = (await fetch(`${baseUrl}/hooks?url=${encodeURIComponent(url)}`, { headers }).then((r) =>
    r.json(),
  )) as { results?: Array<{ id: string; url: string }> };
  const found = existing.results?.find((hook) => hook.url === url);
  const body = JSON.stringify({ events: ['order', 'transaction'], url, secret, active: true });
  const response = found
    ? await fetch(`${baseUrl}/hooks/${found.id}`, { method: 'PATCH', headers, body })
    : await fetch(`${baseUrl}/hooks`, { method: 'POST', headers, body });
  if (!response.ok) throw new Error(`Could not register the Postpay hook (${response.status})`);
}

async function waitForHealth(url: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (server.exitCode !== null) throw new Error(`medusa develop exited (${server.exitCode})`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`Medusa did not answer ${url}/health`);
}

let sandbox: RunningSandbox | undefined;
let server: ChildProcess | undefined;

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const medusaPort = port('PORT', 9000);
  const backendUrl = `http://localhost:${medusaPort}`;
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@localhost:5432/tijara_medusa_store';
  const adminEmail = process.env.ADMIN_EMAIL || 'admin@tijara.local';
  const secrets = localSecrets();

  process.stdout.write('Starting the gateway sandbox…\n');
  sandbox = await startSandbox({
    port: port('SANDBOX_PORT', 4011),
    dbFile: path.join(dataDir, 'sandbox.sqlite'),
  });
  await ensureDatabase(databaseUrl);
  const postpay = sandbox.gateways.postpay;
  const postpayBaseUrl = postpay.baseUrl(sandbox.url);
  await registerPostpayHook(
    postpayBaseUrl,
    postpay.merchantId,
    postpay.secretKey,
    `${backendUrl}/hooks/payment/postpay_postpay`,
    secrets.postpayHookSecret,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(medusaPort),
    MEDUSA_BACKEND_URL: backendUrl,
    UMMAH_SECRET_KEY: sandbox.secretKey,
    UMMAH_BRAND_ID: sandbox.brandId,
    UMMAH_BASE_URL: sandbox.apiBase,
    POSTPAY_MERCHANT_ID: postpay.merchantId,
    POSTPAY_SECRET_KEY: postpay.secretKey,
    POSTPAY_BASE_URL: postpayBaseUrl,
    POSTPAY_HOOK_SECRET: secrets.postpayHookSecret,
    JWT_SECRET: secrets.jwtSecret,
    COOKIE_SECRET: secrets.cookieSecret,
    MEDUSA_DISABLE_TELEMETRY: 'true',
    NODE_OPTIONS: `--require ${path.join(appDir, 'scripts', 'medusa-resolve.cjs')}`,
  };

  process.stdout.write('Migrating the database…\n');
  await medusa(['db:migrate'], env);
  process.stdout.write('Seeding the store and the admin…\n');
  const seedFile = path.join(dataDir, 'seed.json');
  await medusa(['exec', './src/scripts/prepare-store.ts'], {
    ...env,
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: secrets.adminPassword,
    TIJARA_PREPARE_OUTPUT: seedFile,
  });
  const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as SeedResult;
  rmSync(seedFile);

  process.stdout.write('Starting Medusa…\n');
  server = spawn(process.execPath, [medusaCli, 'develop'], {
    cwd: appDir,
    env,
    stdio: 'inherit',
    detached: true,
  });
  await waitForHealth(backendUrl, server);

  const store = {
    backendUrl,
    adminUrl: `${backendUrl}/app`,
    admin: { email: adminEmail, password: secrets.adminPassword },
    publishableKey: seed.publishableKey,
    regions: Object.fromEntries(
      seed.regions.map((r) => [r.currency, { id: r.id, name: r.name, providerId: r.providerId }]),
    ),
    sandboxUrl: sandbox.url,
  };
  writeFileSync(storeFile, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(
    [
      '',
      '  Souq Tijara on Medusa is running',
      '',
      `    Store API        ${backendUrl}/store  (header x-publishable-api-key: ${seed.publishableKey})`,
      `    Admin            ${backendUrl}/app  (${adminEmail} / ${secrets.adminPassword})`,
      `    Sandbox          ${sandbox.url}  (the local test gateway)`,
      ...seed.regions.map(
        (r) => `    ${r.name.padEnd(17)}${r.id}  (${r.currency.toUpperCase()}, ${r.providerId})`,
      ),
      `    Written to       ${path.relative(process.cwd(), storeFile) || storeFile}`,
      '',
      '  Ummah test card 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined. Postpay: approve or deny on its page.',
      '  Ctrl+C stops everything.',
      '',
    ].join('\n'),
  );
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  await sandbox?.close().catch(() => undefined);
  process.exit(code);
}

// However this process ends (even by process.exit from elsewhere), Medusa's process group goes with it.
process.on('exit', () => {
  if (server?.pid && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
});
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

main().catch((error: unknown) => {
  process.stderr.write(
    `\nCould not start the Medusa store: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  void stop(1);
});
