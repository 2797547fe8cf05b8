import path from 'node:path';
import type { IPaymentModuleService, PaymentDTO, PaymentSessionDTO } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';
import { moduleIntegrationTestRunner } from '@medusajs/test-utils';
import { dropTestDatabase, testDatabaseName } from '@tijara/testkit';
import { startSandboxWorld, type SandboxWorld } from './sandbox-world.js';

export interface ProviderSpec {
  readonly resolve: unknown;
  readonly id: string;
  /** The provider's options, pointing at the sandbox started for the file. */
  readonly options: (world: SandboxWorld) => Record<string, unknown>;
}

export interface PaymentModuleHelpers {
  readonly service: IPaymentModuleService;
  /** The sandbox world of this file (use it inside tests: it starts in beforeAll). */
  readonly world: SandboxWorld;
  /** A payment collection and a session for it with `provider`. */
  session(
    provider: string,
    amount: number | string,
    currency: string,
    data?: Record<string, unknown>,
    context?: Record<string, unknown>,
  ): Promise<PaymentSessionDTO>;
  /** Authorize a session that must become a payment. */
  authorize(sessionId: string): Promise<PaymentDTO>;
}

/**
 * Medusa's Payment module alone, on a database named for this run (dropped afterwards), with the plugin's providers
 * registered as medusa-config would, against a gateway sandbox started for the file.
 */
export function paymentModuleSuite(
  label: string,
  providers: readonly ProviderSpec[],
  suite: (helpers: PaymentModuleHelpers) => void,
): void {
  const dbName = testDatabaseName(label);
  // The Payment module reads these when it starts, before each test; they are filled once the sandbox is up.
  const entries = providers.map(({ resolve, id }) => ({
    resolve,
    id,
    options: {} as Record<string, unknown>,
  }));
  let current: SandboxWorld | undefined;
  const world = new Proxy({} as SandboxWorld, {
    get: (_target, property) => {
      if (!current) throw new Error('the sandbox world starts in beforeAll: use it inside tests');
      return Reflect.get(current, property);
    },
  });
  beforeAll(async () => {
    current = await startSandboxWorld();
    entries.forEach((entry, index) => Object.assign(entry.options, providers[index]!.options(world)));
  });
  afterAll(async () => {
    await current?.close();
    // Medusa's module runner creates the database and leaves it behind.
    await dropTestDatabase(dbName);
  });
  moduleIntegrationTestRunner<IPaymentModuleService>({
    moduleName: Modules.PAYMENT,
    resolve: path.dirname(require.resolve('@medusajs/payment/package.json')),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    moduleModels: Object.values(require('@medusajs/payment/dist/models')),
    dbName,
    moduleOptions: { providers: entries },
    testSuite: ({ service }) =>
      suite({
        service,
        world,
        async session(provider, amount, currency, data = {}, context = {}) {
          const collection = await service.createPaymentCollections({ currency_code: currency, amount });
          return service.createPaymentSession(collection.id, {
            provider_id: provider,
            currency_code: currency,
            amount,
            data,
            context,
          });
        },
        async authorize(sessionId) {
          const payment = await service.authorizePaymentSession(sessionId, {});
          if (!payment) throw new Error(`session ${sessionId} was not authorized`);
          return payment;
        },
      }),
  });
}
