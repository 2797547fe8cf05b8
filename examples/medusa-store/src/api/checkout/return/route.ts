import type { MedusaRequest, MedusaResponse } from '@medusajs/framework/http';
import type { IPaymentModuleService } from '@medusajs/framework/types';
import { ContainerRegistrationKeys, Modules } from '@medusajs/framework/utils';
import { completeCartWorkflow } from '@medusajs/medusa/core-flows';

const escape = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function page(res: MedusaResponse, status: number, title: string, body: string): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    })
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>` +
        '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style>' +
        `</head><body><h1>${escape(title)}</h1>${body}</body></html>`,
    );
}

/**
 * `GET /checkout/return?session_id=…`: where the gateway sends the buyer back (the providers' `returnUrl` in this
 * example). A storefront's return page does the same: complete the cart, then show the order. The signed webhook
 * completes it too when the buyer never comes back; completing twice is safe (Medusa locks the cart and answers
 * the order it already placed).
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const sessionId = typeof req.query['session_id'] === 'string' ? req.query['session_id'] : '';
  const payments = req.scope.resolve<IPaymentModuleService>(Modules.PAYMENT);
  const query = req.scope.resolve(ContainerRegistrationKeys.QUERY);
  const [session] = sessionId ? await payments.listPaymentSessions({ id: sessionId }) : [];
  const { data: links } = session
    ? await query.graph({
        entity: 'cart_payment_collection',
        fields: ['cart_id'],
        filters: { payment_collection_id: session.payment_collection_id },
      })
    : { data: [] };
  const cartId = (links[0] as { cart_id?: string } | undefined)?.cart_id;
  if (!session || !cartId) {
    page(
      res,
      404,
      'Unknown checkout',
      '<p id="error">This payment does not belong to a cart of this store.</p>',
    );
    return;
  }
  try {
    const { result } = await completeCartWorkflow(req.scope).run({ input: { id: cartId } });
    page(
      res,
      200,
      'Thank you',
      `<p>Your order is placed.</p><p>Order <strong id="order-id">${escape(result.id)}</strong></p>`,
    );
  } catch (error) {
    const retry = typeof session.data['redirect_url'] === 'string' ? session.data['redirect_url'] : undefined;
    page(
      res,
      200,
      'Payment not completed',
      `<p id="error">${escape(error instanceof Error ? error.message : String(error))}</p>` +
        (retry ? `<p><a id="retry" href="${escape(retry)}">Try the payment again</a></p>` : ''),
    );
  }
}
