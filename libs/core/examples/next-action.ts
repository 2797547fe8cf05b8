import type { NextAction } from '@tijara/core';

/** What a store's checkout route answers for a payment's next action, whatever the gateway. */
export interface CheckoutAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function answerFor(action: NextAction, orderPage: string): CheckoutAnswer {
  switch (action.type) {
    case 'redirect':
      if (action.method === 'GET') return { status: 303, headers: { location: action.url }, body: '' };
      // A POST redirect (3-D Secure, some hosted cashiers): a form the browser submits by itself.
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body:
          `<form method="post" action="${escape(action.url)}">` +
          Object.entries(action.fields ?? {})
            .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
            .join('') +
          '</form><script>document.forms[0].submit()</script>',
      };
    case 'widget':
      // The gateway's widget runs in the store's page, with the parameters the driver gave.
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body:
          `<div id="pay" data-params="${escape(JSON.stringify(action.params))}"></div>` +
          (action.script ? `<script src="${escape(action.script)}"></script>` : ''),
      };
    case 'none':
      // Paid, held, processing or final: nothing for the buyer to do but look at the order.
      return { status: 303, headers: { location: orderPage }, body: '' };
  }
}
