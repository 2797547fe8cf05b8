/**
 * Plain pages for next actions that are not a GET redirect, used when the store gives no `actionPage` of its own:
 * a form that posts the gateway's fields to it (submitted by a script, with a button for browsers without one),
 * and a page that loads a gateway's widget script with its parameters as `data-` attributes.
 */
import type { NextAction } from '@tijara/core';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);

/** Only http(s) targets are put in a page (a `javascript:` URL from a compromised gateway answer is not). */
function safeUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const protocol = new URL(url).protocol;
  return protocol === 'https:' || protocol === 'http:' ? url : undefined;
}

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
  `<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;

/** The plugin's page for `action`, or undefined when it cannot show one (then the checkout fails clearly). */
export function defaultActionPage(action: NextAction): string | undefined {
  if (action.type === 'redirect' && action.method === 'POST') {
    const target = safeUrl(action.url);
    if (!target) return undefined;
    const fields = Object.entries(action.fields ?? {})
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    return page(
      'Continue to payment',
      `<form id="tijara-pay" method="post" action="${escapeHtml(target)}">${fields}` +
        `<p>Taking you to the payment page…</p><button type="submit">Continue to payment</button></form>` +
        `<script>document.getElementById('tijara-pay').submit();</script>`,
    );
  }
  if (action.type === 'widget') {
    const script = action.script === undefined ? undefined : safeUrl(action.script);
    if (action.script !== undefined && !script) return undefined;
    const data = Object.entries(action.params)
      .filter(([name]) => /^[a-z0-9_-]+$/i.test(name))
      .map(
        ([name, value]) =>
          ` data-${escapeHtml(name.toLowerCase().replaceAll('_', '-'))}="${escapeHtml(value)}"`,
      )
      .join('');
    return page(
      'Pay',
      `<div id="tijara-widget"${data}></div>${script ? `<script src="${escapeHtml(script)}" async></script>` : ''}`,
    );
  }
  return undefined;
}
