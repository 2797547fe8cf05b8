import path from 'node:path';
import type { IPaymentModuleService, PaymentDTO, PaymentSessionDTO } from '@medusajs/framework/types';
import { Modules } from '@medusajs/framework/utils';
import { moduleIntegrationTestRunner } from '@medusajs/test-utils';
import { dropTestDatabase, testDatabaseName } from '@tijara/testkit';

export interface ProviderEntry {
  readonly resolve: unknown;
  readonly id: string;
  /** Filled in by the test's beforeAll: the Payment module reads it when it starts, before each test. */
  readonly options: Record<string, unknown>;
}

export interface PaymentModuleHelpers {
  readonly service: IPaymentModuleService;
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
 * registered as medusa-config would.
 */
export function paymentModuleSuite(
  label: string,
  providers: readonly ProviderEntry[],
  suite: (helpers: PaymentModuleHelpers) => void,
): void {
  const dbName = testDatabaseName(label);
  // Medusa's module runner creates the database and leaves it behind.
  afterAll(() => dropTestDatabase(dbName));
  moduleIntegrationTestRunner<IPaymentModuleService>({
    moduleName: Modules.PAYMENT,
    resolve: path.dirname(require.resolve('@medusajs/payment/package.json')),
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    moduleModels: Object.values(require('@medusajs/payment/dist/models')),
    dbName,
    moduleOptions: { providers },
    testSuite: ({ service }) =>
      suite({
        service,
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
