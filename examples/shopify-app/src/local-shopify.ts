/**
 * Local mode: Shopify is the fake from @tijara/shopify, the gateway is the sandbox. The app installs a
 * development shop through the real OAuth round trip and connects it through the real settings page, and
 * `/dev/checkout` plays Shopify's checkout: it starts a payment session against the app and sends the browser to
 * the page the app answered with.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeShopify, ShopifyPaymentsApp } from '@tijara/shopify';

/** One development shop per gateway. */
export const LOCAL_SHOPS = {
  ummah: 'tijara-dev.myshopify.com',
  postpay: 'tijara-dev-postpay.myshopify.com',
  numipay: 'tijara-dev-numipay.myshopify.com',
} as const;
const BROWSER = 'Mozilla/5.0 (tijara local mode)';

/** The development shop the form names (Ummah's for anything else). */
function localShop(gateway: string | null): string {
  return gateway && Object.hasOwn(LOCAL_SHOPS, gateway)
    ? LOCAL_SHOPS[gateway as keyof typeof LOCAL_SHOPS]
    : LOCAL_SHOPS.ummah;
}

function cookies(response: Response, jar: Map<string, string>): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const index = (pair ?? '').indexOf('=');
    if (index > 0) jar.set((pair as string).slice(0, index), (pair as string).slice(index + 1));
  }
}

const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** Install a development shop (OAuth against the fake) and connect it to a sandbox account of `gateway`. */
export async function connectLocalShop(
  appUrl: string,
  fake: FakeShopify,
  shop: string,
  gateway: string,
  credentials: Record<string, string>,
): Promise<void> {
  const jar = new Map<string, string>();
  const begin = await fetch(`${appUrl}/auth?shop=${shop}`, {
    redirect: 'manual',
    headers: { 'user-agent': BROWSER },
  });
  cookies(begin, jar);
  const granted = await fake.fetch(begin.headers.get('location') ?? '', { redirect: 'manual' });
  const callback = await fetch(granted.headers.get('location') ?? '', {
    redirect: 'manual',
    headers: { cookie: header(jar), 'user-agent': BROWSER },
  });
  cookies(callback, jar);
  if (callback.status !== 303) throw new Error(`installing ${shop} failed (${callback.status})`);
  const page = await (await fetch(`${appUrl}/settings`, { headers: { cookie: header(jar) } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const saved = await fetch(`${appUrl}/settings`, {
    method: 'POST',
    headers: { cookie: header(jar), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      csrf,
      gateway,
      test_mode: 'on',
      ...Object.fromEntries(
        Object.entries(credentials).map(([name, value]) => [`${gateway}.${name}`, value]),
      ),
    }),
  });
  if (saved.status !== 200) throw new Error(`connecting ${shop} to the sandbox failed (${saved.status})`);
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local Shopify checkout</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.6rem 0 .2rem}input,select{padding:.3rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;font-size:.9rem}</style></head><body>${body}</body></html>`;
}

/** `/dev/checkout` (GET: the form; POST: start a payment session) and `/dev/mutations`. */
export function devCheckout(app: ShopifyPaymentsApp, fake: FakeShopify) {
  return async (req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const send = (status: number, html: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        ...headers,
      });
      res.end(html);
    };
    if (url.pathname === '/dev/checkout' && req.method === 'GET') {
      return send(
        200,
        page(`<h1>Local Shopify checkout</h1><p>Plays Shopify: starts a payment session on the app.</p>
<form method="post" action="/dev/checkout" id="checkout"><label for="shop">Shop</label><select id="shop" name="shop"><option value="ummah">${LOCAL_SHOPS.ummah} (Ummah)</option><option value="postpay">${LOCAL_SHOPS.postpay} (Postpay)</option><option value="numipay">${LOCAL_SHOPS.numipay} (Numipay)</option></select>
<label for="amount">Amount</label><input id="amount" name="amount" value="49.90">
<label for="currency">Currency</label><select id="currency" name="currency"><option>MYR</option><option>AED</option><option>GBP</option><option>EUR</option><option>USD</option><option>KWD</option><option>JPY</option></select>
<label for="kind">Kind</label><select id="kind" name="kind"><option value="sale">sale (captured at once)</option><option value="authorization">authorization (captured later)</option></select>
<p><button type="submit" id="pay">Pay with Tijara</button></p></form><p><a href="/dev/mutations">What Shopify has been told</a></p>`),
      );
    }
    if (url.pathname === '/dev/checkout' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const started = await fake.startPaymentSession({
        shop: localShop(form.get('shop')),
        url: app.urls.paymentSession,
        amount: form.get('amount') ?? '0',
        currency: form.get('currency') ?? 'MYR',
        kind: form.get('kind') === 'authorization' ? 'authorization' : 'sale',
      });
      if (started.status === 201 && started.redirectUrl)
        return send(303, '', { location: started.redirectUrl });
      return send(
        502,
        page(
          `<h1>The app refused the session</h1><pre id="error">${escape(`${started.status} ${started.body}`)}</pre>`,
        ),
      );
    }
    if (url.pathname === '/dev/mutations' && req.method === 'GET') {
      const rows = fake.mutations
        .map(
          (m) =>
            `<tr><td>${escape(String(m.name))}</td><td>${escape(String(m.variables.id ?? ''))}</td><td>${m.accepted ? 'accepted' : escape(m.userErrors.join('; '))}</td></tr>`,
        )
        .join('');
      return send(
        200,
        page(
          `<h1>Mutations Shopify received</h1><table id="mutations"><tr><th>mutation</th><th>session</th><th>result</th></tr>${rows}</table>`,
        ),
      );
    }
    next();
  };
}
