import type { RunningSandbox } from '@tijara/sandbox';

/** Pay a sandbox purchase the way its checkout page would (the control API runs the same code path). */
export async function payOnSandbox(
  sandbox: RunningSandbox,
  checkoutUrl: string,
  card = '4242 4242 4242 4242',
): Promise<string> {
  const id = /\/checkout\/([^/]+)\//.exec(checkoutUrl)?.[1];
  if (!id) throw new Error(`not a sandbox checkout URL: ${checkoutUrl}`);
  const response = await fetch(`${sandbox.url}/__sandbox/purchases/${id}/pay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_number: card }),
  });
  if (response.status !== 200)
    throw new Error(`sandbox pay answered ${response.status}: ${await response.text()}`);
  return id;
}

/** A purchase as the sandbox's API has it now. */
export async function sandboxPurchase(sandbox: RunningSandbox, id: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.apiBase}purchases/${id}/`, {
    headers: { authorization: `Bearer ${sandbox.secretKey}` },
  });
  return (await response.json()) as Record<string, unknown>;
}
