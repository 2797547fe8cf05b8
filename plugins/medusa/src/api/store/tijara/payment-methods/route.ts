import type { AuthenticatedMedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import { customerMethods } from './saved-methods.js';

/** `GET /store/tijara/payment-methods?provider_id=…`: the logged-in customer's saved cards (no tokens but ids). */
export async function GET(req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> {
  const { providerId, methods } = await customerMethods(req);
  res.json({
    payment_methods: methods.map((method) => ({ id: method.id, provider_id: providerId, ...method.data })),
  });
}
