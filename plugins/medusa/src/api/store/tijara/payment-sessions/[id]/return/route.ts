import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import type { IPaymentModuleService } from '@medusajs/framework/types';
import { MedusaError, Modules } from '@medusajs/framework/utils';

/** Sessions a return can still move: the buyer has not paid yet, or the bank was still deciding. */
const OPEN = new Set(['pending', 'requires_more', 'pending_authorization', 'error']);

/**
 * `POST /store/tijara/payment-sessions/:id/return` with `{ query?, form? }`: what the buyer brought back from the
 * gateway's page (the return URL's query, the form a widget posted). The provider reads the payment it names from
 * the gateway — nothing sent here is trusted as such, and a return naming another payment is refused — and the
 * session's status follows. Then complete the cart as usual. Needed for gateways that learn of a payment only
 * from the return (Uhmi); harmless for the others (a fresh read).
 */
export async function POST(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const id = String(req.params['id'] ?? '');
  const body = (req.body ?? {}) as Record<string, unknown>;
  const payments = req.scope.resolve<IPaymentModuleService>(Modules.PAYMENT);
  const [session] = await payments.listPaymentSessions(
    { id },
    { select: ['id', 'status', 'data', 'amount', 'currency_code'] },
  );
  if (!session) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Payment session ${id} was not found`);
  if (!OPEN.has(session.status)) {
    throw new MedusaError(
      MedusaError.Types.NOT_ALLOWED,
      `Payment session ${id} is ${session.status}: complete the cart instead`,
    );
  }
  const updated = await payments.updatePaymentSession({
    id,
    amount: session.amount,
    currency_code: session.currency_code,
    data: { ...session.data, return_params: { query: body['query'] ?? {}, form: body['form'] ?? {} } },
  });
  res.json({ payment_session: { id: updated.id, status: updated.status, data: updated.data } });
}
