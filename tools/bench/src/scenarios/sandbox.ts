/** Sandbox: purchases created per second (`POST /purchases/` with a full, valid body; each call a new purchase). */
import type { SandboxProcess } from '../lib/gateway.js';
import { load, type LoadResult } from '../lib/load.js';
import type { RunContext } from './env.js';

export async function sandboxScenario(ctx: RunContext, sandbox: SandboxProcess): Promise<LoadResult> {
  const body = JSON.stringify({
    brand_id: sandbox.brandId,
    client: { email: 'buyer@example.com', full_name: 'Bench Buyer' },
    purchase: { currency: 'MYR', products: [{ name: 'Bench item', price: 2999, quantity: 1 }] },
    reference: 'bench',
    success_redirect: 'http://127.0.0.1/s',
    failure_redirect: 'http://127.0.0.1/f',
  });
  const options = {
    url: `${sandbox.apiBase}purchases/`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sandbox.secretKey}` },
    body,
    connections: 8,
  };
  await load({ title: 'sandbox warmup', ...options, durationS: 1 });
  return load({ title: 'sandbox purchases', ...options, durationS: ctx.quick ? 3 : 8 });
}
