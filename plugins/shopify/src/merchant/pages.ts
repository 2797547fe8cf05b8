/**
 * The few HTML pages the app shows: install, settings, and the buyer's "finishing your payment" page. Inline
 * styles only (the pages send a CSP without scripts); secrets never appear in them, saved ones are shown as set.
 */
import { escapeHtml as e } from '../http/node-http.js';
import { shopifyLimitations, type GatewayOption } from '../gateways.js';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.5rem}fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:1rem}
label{display:block;margin:.5rem 0 .2rem}input[type=text],input[type=password]{width:100%;padding:.4rem;box-sizing:border-box}
button{padding:.5rem 1rem;font-size:1rem}.error{background:#fde8e8;border:1px solid #e3a0a0;padding:.6rem;border-radius:6px}
.notice{background:#e6f4ea;border:1px solid #8cc59c;padding:.6rem;border-radius:6px}.muted{color:#666;font-size:.9rem}`;

function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(title)}</title>${head}<style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function installPage(authPath: string, error?: string): string {
  return page(
    'Install the payments app',
    `<h1>Install the payments app</h1>${error ? `<p class="error" id="error">${e(error)}</p>` : ''}
<form method="get" action="${e(authPath)}"><label for="shop">Shop domain</label>
<input type="text" id="shop" name="shop" placeholder="my-shop.myshopify.com" required>
<p><button type="submit" id="install">Install</button></p></form>`,
  );
}

export interface SettingsView {
  readonly shop: string;
  readonly gateways: readonly GatewayOption[];
  readonly gateway: string | undefined;
  readonly testMode: boolean;
  readonly ready: boolean;
  /** The saved credentials: only non-secret values are written into the page. */
  readonly saved: Readonly<Record<string, string>>;
  readonly csrf: string;
  readonly action: string;
  /** Where the gateway's webhooks for this shop go (some gateways want it entered in their dashboard). */
  readonly webhookUrl: string;
  readonly error?: string;
  readonly notice?: string;
}

export function settingsPage(view: SettingsView): string {
  const chosen = view.gateway ?? view.gateways[0]?.name;
  const fieldsets = view.gateways
    .map((gateway) => {
      const fields = gateway.fields
        .map((field) => {
          const id = `${gateway.name}.${field.name}`;
          const isSaved = gateway.name === view.gateway && view.saved[field.name] !== undefined;
          const value = !field.secret && isSaved ? (view.saved[field.name] as string) : '';
          const placeholder = field.secret && isSaved ? 'saved — leave blank to keep' : '';
          return `<label for="${e(id)}">${e(field.label)}</label><input type="${field.secret ? 'password' : 'text'}" id="${e(id)}" name="${e(id)}" value="${e(value)}" placeholder="${e(placeholder)}" autocomplete="off">${field.help ? `<div class="muted">${e(field.help)}</div>` : ''}`;
        })
        .join('');
      const limits = shopifyLimitations(gateway.capabilities);
      const onShopify = limits.length
        ? `<ul class="muted" id="limits-${e(gateway.name)}">${limits.map((limit) => `<li>${e(limit)}</li>`).join('')}</ul>`
        : '';
      return `<fieldset><legend><label><input type="radio" name="gateway" value="${e(gateway.name)}" id="gateway-${e(gateway.name)}"${gateway.name === chosen ? ' checked' : ''}> ${e(gateway.label)}</label></legend>${onShopify}${fields}</fieldset>`;
    })
    .join('');
  return page(
    'Payments settings',
    `<h1>Payments settings</h1><p class="muted" id="shop">${e(view.shop)}</p>
<p id="status" data-ready="${view.ready}">${view.ready ? 'Connected: Shopify offers this gateway at checkout.' : 'Not connected yet: save working credentials to connect.'}</p>
${view.error ? `<p class="error" id="error">${e(view.error)}</p>` : ''}${view.notice ? `<p class="notice" id="notice">${e(view.notice)}</p>` : ''}
<form method="post" action="${e(view.action)}" id="settings-form"><input type="hidden" name="csrf" value="${e(view.csrf)}">${fieldsets}
<label><input type="checkbox" name="test_mode" id="test_mode"${view.testMode ? ' checked' : ''}> Test mode (test credentials: no real money moves)</label>
<p><button type="submit" id="save">Check and save</button></p></form>
<p class="muted">Gateway webhook URL for this shop: <code id="webhook-url">${e(view.webhookUrl)}</code></p>
<p class="muted">Saved payment methods are not available: Shopify does not let offsite payments apps vault a buyer's method.</p>`,
  );
}

/** Shown while Shopify cannot be reached: the page asks again by itself, and the outbox keeps trying meanwhile. */
export function finishingPage(retryUrl: string): string {
  return page(
    'Finishing your payment',
    `<h1 id="finishing">Finishing your payment…</h1><p>This page refreshes by itself. <a href="${e(retryUrl)}" id="retry">Check again</a></p>`,
    `<meta http-equiv="refresh" content="3;url=${e(retryUrl)}">`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1 id="title">${e(title)}</h1><p id="message">${e(message)}</p>`);
}

/** The buyer came back without paying: back to the gateway's page, or back to Shopify's checkout. */
export function notCompletedPage(paymentUrl: string | undefined, checkoutUrl: string): string {
  return page(
    'Payment not completed',
    `<h1 id="title">Payment not completed</h1><p id="message">Your payment was not completed.</p><p>${
      paymentUrl ? `<a href="${e(paymentUrl)}" id="pay">Go back to the payment page</a> · ` : ''
    }<a href="${e(checkoutUrl)}" id="checkout">Return to checkout</a></p>`,
  );
}
