import type { AuthenticatedMedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import type { IPaymentModuleService } from '@medusajs/framework/types';
import { MedusaError, Modules } from '@medusajs/framework/utils';
import { customerMethods } from '../saved-methods.js';

/** `DELETE /store/tijara/payment-methods/:id?provider_id=…`: forget one of the logged-in customer's cards. */
export async function DELETE(req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> {
  const id = req.params['id'];
  const { providerId, accountHolder, methods } = await customerMethods(req);
  if (!id || !methods.some((method) => method.id === id)) {
    throw new MedusaError(
      MedusaError.Types.NOT_FOUND,
      `No saved payment method ${id ?? ''} for this customer`,
    );
  }
  const payments = req.scope.resolve<IPaymentModuleService>(Modules.PAYMENT);
  await payments.deletePaymentMethods({
    provider_id: providerId,
    id,
    context: { account_holder: accountHolder as { data: Record<string, unknown> } },
  } as Parameters<IPaymentModuleService['deletePaymentMethods']>[0]);
  res.json({ id, object: 'payment_method', deleted: true });
}
