import type { RunningSandbox } from '@tijara/sandbox';

/** Plain HTTP calls to a sandbox, as a shop backend would make them (no CLI code involved). */
export function sandboxApi(sandbox: RunningSandbox) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> => {
    const response = await fetch(new URL(path, sandbox.apiBase), {
      method,
      headers: {
        authorization: `Bearer ${sandbox.secretKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    call,
    createPurchase: (extra: Record<string, unknown> = {}) =>
      call<{ id: string; checkout_url: string; status: string }>('POST', 'purchases/', {
        brand_id: sandbox.brandId,
        client: { email: 'buyer@example.com', full_name: 'Amina Buyer' },
        purchase: { currency: 'USD', products: [{ name: 'Dates box', price: 2999, quantity: 1 }] },
        ...extra,
      }),
    /** The control API: pay as the buyer would on the checkout page. */
    pay: async (id: string, cardNumber: string) => {
      const response = await fetch(`${sandbox.url}/__sandbox/purchases/${id}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ card_number: cardNumber }),
      });
      if (!response.ok) throw new Error(`pay answered ${response.status}: ${await response.text()}`);
    },
    webhooks: () =>
      call<{ results: Array<{ id: string; callback: string; events: string[] }> }>('GET', 'webhooks/'),
    deliveries: (id: string) =>
      call<{
        results: Array<{
          id: string;
          event: string;
          status: string;
          response_code: number | null;
          attempt_count: number;
        }>;
      }>('GET', `webhooks/deliveries/?id=${id}&source_type=purchase`),
  };
}
