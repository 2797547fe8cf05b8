/**
 * `npm run start:medusa` (what the root script runs once the plugin is built), as a newcomer runs it, on free ports,
 * a throwaway database and data directory: the sandbox and the store come up, the output and
 * .tijara/medusa-store.json give a working admin login and publishable key, and Ctrl+C stops everything.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  childOutput,
  dropTestDatabase,
  spawnTs,
  stopChild,
  testDatabaseName,
  waitForLine,
} from '@tijara/testkit';
import { freePort } from './support/store-world.js';

jest.setTimeout(300_000);

const appDir = path.join(__dirname, '..');
const dbName = testDatabaseName('medusa_start');
let dataDir: string;
let child: ChildProcess | undefined;

const listening = (port: number) =>
  fetch(`http://localhost:${port}/health`).then(
    () => true,
    () => false,
  );

afterAll(async () => {
  if (child) await stopChild(child, { signal: 'SIGINT', graceMs: 20_000 });
  await dropTestDatabase(dbName);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('starts the sandbox and the store, prints the admin login and the publishable key, stops on Ctrl+C', async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'tijara-medusa-start-'));
  const [port, sandboxPort] = [await freePort(), await freePort()];
  child = spawnTs(path.join(appDir, 'scripts', 'start.mts'), [], {
    cwd: appDir,
    label: 'start:medusa',
    env: {
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      TIJARA_DATA_DIR: dataDir,
      DATABASE_URL: `postgres://postgres@localhost:5432/${dbName}`,
      MEDUSA_ADMIN_DISABLED: 'true',
      NODE_OPTIONS: undefined,
    },
  });
  await waitForLine(child, /Souq Tijara on Medusa is running/, 240_000);
  const admin = await waitForLine(child, /^\s+Admin\s/);
  const store = JSON.parse(readFileSync(path.join(dataDir, 'medusa-store.json'), 'utf8'));
  expect(statSync(path.join(dataDir, 'medusa-store.json')).mode & 0o777).toBe(0o600);
  expect(store).toMatchObject({
    backendUrl: `http://localhost:${port}`,
    admin: { email: 'admin@tijara.local' },
    regions: {
      myr: { name: 'Malaysia', providerId: 'pp_ummah_ummah' },
      aed: { name: 'United Arab Emirates', providerId: 'pp_postpay_postpay' },
    },
  });
  expect(admin).toContain(`${store.admin.email} / ${store.admin.password}`);
  expect(childOutput(child).stdout).toContain(store.publishableKey);

  // The printed key and login work.
  const { regions } = await fetch(`${store.backendUrl}/store/regions`, {
    headers: { 'x-publishable-api-key': store.publishableKey },
  }).then((r) => r.json() as Promise<{ regions: Array<{ id: string }> }>);
  expect(regions.map((r) => r.id).sort()).toEqual([store.regions.myr.id, store.regions.aed.id].sort());
  const login = await fetch(`${store.backendUrl}/auth/user/emailpass`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(store.admin),
  });
  expect(login.status).toBe(200);
  // Gateway keys and this installation's secrets stay out of the output and of the file the store writes.
  const info = (await fetch(`http://127.0.0.1:${sandboxPort}/__sandbox/info`).then((r) => r.json())) as {
    gateways: { postpay: { secretKey: string } };
  };
  const local = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<
    string,
    string
  >;
  expect(statSync(path.join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
  const secrets = [
    info.gateways.postpay.secretKey,
    local['jwtSecret'],
    local['cookieSecret'],
    local['postpayHookSecret'],
  ];
  expect(secrets.every((secret) => typeof secret === 'string' && secret.length > 8)).toBe(true);
  for (const secret of secrets as string[]) {
    expect(childOutput(child).stdout).not.toContain(secret);
    expect(JSON.stringify(store)).not.toContain(secret);
  }

  const exit = await stopChild(child, { signal: 'SIGINT', graceMs: 20_000 });
  child = undefined;
  expect(exit.code).toBe(0);
  expect(await listening(port)).toBe(false);
  expect(await listening(sandboxPort)).toBe(false);
});
