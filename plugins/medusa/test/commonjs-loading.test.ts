import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, type RunningSandbox } from '@tijara/sandbox';

const run = promisify(execFile);
const packageDir = path.join(__dirname, '..');

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});

/**
 * Medusa `require()`s providers: the built plugin (`medusa plugin:build`, CommonJS) in a plain Node process, as
 * Medusa loads it, creating a real gateway payment. Core ships ESM and CommonJS builds, so a process that also
 * `import`s core holds two driver registries; the providers never look drivers up in one (each folder imports its
 * driver's factory), so which registry a driver landed in cannot matter.
 */
it('the built provider loads with require() and pays through one CommonJS core', async () => {
  const script = `
    const provider = require('@tijara/medusa/providers/ummah');
    const Service = provider.default.services[0];
    (async () => {
      const service = new Service({}, JSON.parse(process.env.OPTIONS));
      const session = await service.initiatePayment({
        amount: 12.5, currency_code: 'myr', data: { session_id: 'payses_01CJS', email: 'aisha@example.com' }, context: {},
      });
      const cjs = require('@tijara/core');
      const esm = await import('@tijara/core');
      process.stdout.write(JSON.stringify({
        identifier: Service.identifier,
        status: session.status,
        amount: session.data.amount,
        coreCopies: Object.keys(require.cache).filter((file) => file.includes('/libs/core/')),
        registriesDiffer: cjs.drivers !== esm.drivers,
        esmRegistryHasUmmah: esm.drivers.has('ummah'),
      }));
    })().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
  `;
  const options = {
    secretKey: sandbox.secretKey,
    brandId: sandbox.brandId,
    baseUrl: sandbox.apiBase,
    returnUrl: 'http://127.0.0.1:8000/checkout/return',
  };
  const { stdout } = await run(process.execPath, ['-e', script], {
    cwd: packageDir,
    env: { ...process.env, OPTIONS: JSON.stringify(options), NODE_OPTIONS: '' },
  });
  const result = JSON.parse(stdout);
  expect(result).toEqual({
    identifier: 'ummah',
    status: 'requires_more',
    amount: 1250,
    coreCopies: [path.join(packageDir, '..', '..', 'libs', 'core', 'dist', 'index.cjs')],
    registriesDiffer: true,
    esmRegistryHasUmmah: false,
  });
});
