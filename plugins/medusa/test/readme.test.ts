import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readmeExamples } from '@tijara/testkit';
import { generateUmmahTestKeys } from '@tijara/ummah';

const packageDir = path.join(__dirname, '..');
const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');

interface ProviderEntry {
  resolve: string;
  id: string;
  options: Record<string, unknown>;
}

/** Load a medusa-config example with its environment, as Medusa would. */
function loadConfig(
  file: string,
  env: Record<string, string>,
): { plugins: unknown[]; providers: ProviderEntry[] } {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    let config:
      | { plugins: unknown[]; modules: Record<string, { options?: { providers?: ProviderEntry[] } }> }
      | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      config = require(path.join(packageDir, file));
    });
    return { plugins: config!.plugins, providers: config!.modules['payment']?.options?.providers ?? [] };
  } finally {
    process.env = saved;
  }
}

/** The provider class Medusa would load for an entry (the built plugin, through the package's exports). */
function providerClass(entry: ProviderEntry): {
  identifier: string;
  validateOptions(options: Record<string, unknown>): void;
} {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(entry.resolve) as { default: { services: [never] } };
  return loaded.default.services[0];
}

/** The README's table row for a provider: its id and its webhook route. */
const documentedIds = (key: string) =>
  new RegExp(`\\|\\s*\`pp_${key}\`\\s*\\|\\s*\`POST /hooks/payment/${key}\`\\s*\\|`);

describe('README', () => {
  const examples = readmeExamples(packageDir);

  it('shows every example file verbatim, and only examples', () => {
    const files = readdirSync(path.join(packageDir, 'examples')).map((name) => `examples/${name}`);
    expect(examples.map((e) => e.file).sort()).toEqual(files.sort());
    for (const example of examples) expect(example.block).toBe(example.source);
    expect(readme.match(/^```ts$/gm) ?? []).toHaveLength(examples.length);
  });

  const common = {
    DATABASE_URL: 'postgres://postgres@localhost:5432/shop',
    MEDUSA_BACKEND_URL: 'https://api.shop.example',
  };

  it('configures Ummah: the provider loads, its options pass, and the ids are the documented ones', () => {
    const { plugins, providers } = loadConfig('examples/medusa-config.ummah.ts', {
      ...common,
      UMMAH_SECRET_KEY: 'sk_test_0123456789abcdefghij',
      UMMAH_BRAND_ID: '409eb80e-3782-4b1d-afa8-b779759266a5',
      UMMAH_WEBHOOK_PUBLIC_KEY: generateUmmahTestKeys().publicKey,
    });
    expect(plugins).toContainEqual({ resolve: '@tijara/medusa', options: {} });
    expect(providers).toHaveLength(1);
    const Provider = providerClass(providers[0]!);
    expect(() => Provider.validateOptions(providers[0]!.options)).not.toThrow();
    expect(readme).toMatch(documentedIds(`${Provider.identifier}_${providers[0]!.id}`));
  });

  it('configures Postpay the same way', () => {
    const { providers } = loadConfig('examples/medusa-config.postpay.ts', {
      ...common,
      POSTPAY_MERCHANT_ID: 'id_test_merchant',
      POSTPAY_SECRET_KEY: 'sk_test_0123456789abcdef',
      POSTPAY_HOOK_SECRET: 'a-hook-secret-of-your-own',
    });
    const Provider = providerClass(providers[0]!);
    expect(() => Provider.validateOptions(providers[0]!.options)).not.toThrow();
    expect(readme).toMatch(documentedIds(`${Provider.identifier}_${providers[0]!.id}`));
  });

  it('configures Uhmi and Numipay the same way', () => {
    const cases = [
      ['examples/medusa-config.uhmi.ts', { UHMI_API_KEY: 'uhmi-test-key-0123456789' }],
      [
        'examples/medusa-config.numipay.ts',
        {
          NUMIPAY_API_KEY: 'dev-key-0123456789',
          NUMIPAY_BASE_URL: 'https://api.numipay.example/',
          NUMIPAY_CASHIER_URL: 'https://cashier.numipay.example/?token={token}',
          NUMIPAY_SIGNATURE_PASSWORD: 'spg_test_0123456789',
        },
      ],
    ] as const;
    for (const [file, env] of cases) {
      const { providers } = loadConfig(file, { ...common, ...env });
      const Provider = providerClass(providers[0]!);
      expect(() => Provider.validateOptions(providers[0]!.options)).not.toThrow();
      expect(readme).toContain(`| \`pp_${Provider.identifier}_${providers[0]!.id}\``);
    }
  });

  it('an example without its keys is refused with every missing option named', () => {
    const { providers } = loadConfig('examples/medusa-config.ummah.ts', common);
    expect(() => providerClass(providers[0]!).validateOptions(providers[0]!.options)).toThrow(
      /\(2 problems\):\n {2}- secretKey: is required\n {2}- brandId: is required$/,
    );
  });
});
