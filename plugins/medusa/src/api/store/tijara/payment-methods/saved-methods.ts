import type { AuthenticatedMedusaRequest } from '@medusajs/framework/http';
import type { IPaymentModuleService, PaymentMethodDTO } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, MedusaError, Modules } from '@medusajs/framework/utils';

export interface CustomerMethods {
  readonly providerId: string;
  readonly accountHolder: Record<string, unknown> | undefined;
  readonly methods: PaymentMethodDTO[];
}

/**
 * The logged-in customer's saved methods with one payment provider (`?provider_id=pp_ummah_ummah`), listed by the
 * provider from the customer's own account holder: a customer never sees or touches another's methods.
 */
export async function customerMethods(req: AuthenticatedMedusaRequest): Promise<CustomerMethods> {
  const providerId = req.query['provider_id'];
  if (typeof providerId !== 'string' || !/^pp_[A-Za-z0-9_-]+$/.test(providerId)) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, 'provider_id (e.g. pp_ummah_ummah) is required');
  }
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY);
  const { data } = await query.graph({
    entity: 'customer',
    fields: ['id', 'account_holders.*'],
    filters: { id: req.auth_context.actor_id },
  });
  const holders = (data[0]?.account_holders ?? []) as Array<Record<string, unknown> | null>;
  const accountHolder = holders.find((holder) => holder?.['provider_id'] === providerId) ?? undefined;
  if (!accountHolder) return { providerId, accountHolder, methods: [] };
  const payments = req.scope.resolve<IPaymentModuleService>(Modules.PAYMENT);
  const methods = await payments.listPaymentMethods({
    provider_id: providerId,
    context: { account_holder: accountHolder as { data: Record<string, unknown> } },
  });
  return { providerId, accountHolder, methods };
}
