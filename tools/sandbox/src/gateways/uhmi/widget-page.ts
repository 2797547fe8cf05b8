import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { fromMinorUnits, MoneyError, toMinorUnits } from '@tijara/core';
import { esc, page } from '../../engine/html.js';
import { UhmiError } from './errors.js';
import type { UhmiPaymentObject } from './model.js';
import type { PaymentService } from './payments.js';

/** The widget page's form parser; the fault layer runs it early too. */
export const parseWidgetForm = express.urlencoded({ extended: false, limit: '16kb' });

/**
 * Like the engine's pages, but the widget is made to be embedded (`frame-ancestors *`) and its last page runs one
 * script, by nonce, that posts the transaction id to the merchant as Widget.js does.
 */
function sendWidgetHtml(res: Response, status: number, html: string, nonce?: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; img-src data: https: http:; base-uri 'none'; frame-ancestors *${nonce ? `; script-src 'nonce-${nonce}'` : ''}`,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(html);
}

const euros = (price: number) => `EUR ${fromMinorUnits(Math.round(price * 100), 'EUR')}`;

function describe(payment: UhmiPaymentObject): string {
  if (payment.type !== 'subscription') return payment.type === 'donation' ? 'Donation' : 'Content';
  const every =
    payment.interval_count && payment.interval_count > 1
      ? `${payment.interval_count} ${payment.interval}s`
      : payment.interval;
  const trial = payment.trial_days ? `, ${payment.trial_days} days free` : '';
  return `Subscription, every ${every}${trial}`;
}

/** The widget for one payment. Element ids are stable (see the sandbox README) so browser tests can drive it. */
export function renderWidget(payment: UhmiPaymentObject, alert?: string): string {
  const pwyw = payment.pwyw
    ? `<label for="price">Your price (EUR, at least ${esc(fromMinorUnits(Math.round(payment.price * 100), 'EUR'))})</label>
<input type="text" id="price" name="price" inputmode="decimal" value="${esc(fromMinorUnits(Math.round(payment.price * 100), 'EUR'))}">`
    : '';
  const refund = payment.refundable
    ? '<p class="muted" id="refundable">Refundable within 24 hours.</p>'
    : '<p class="muted" id="refundable">This item is non-refundable.</p>';
  return page(
    `${payment.title} — Uhmi sandbox widget`,
    `<h1 id="title">${esc(payment.title)}</h1>
<p class="muted" id="kind">${esc(describe(payment))}${payment.category ? ` · ${esc(payment.category)}` : ''}</p>
<div class="total"><span>Price</span><span id="price-shown">${esc(payment.price === 0 ? 'Free' : euros(payment.price))}</span></div>
${refund}
${alert ? `<p class="alert" id="alert">${esc(alert)}</p>` : ''}
<form method="post" action="${esc(payment.payment_id)}/pay" target="_top" id="widget">
${pwyw}
<button type="submit" name="outcome" value="paid" id="pay">Pay with Uhmi</button>
<button type="submit" name="outcome" value="failed" class="secondary" id="fail">Simulate a failed payment</button>
<button type="submit" name="outcome" value="open" class="secondary" id="leave-open">Leave it open</button>
</form>
<details><summary>What this page is</summary><p>The sandbox's stand-in for Uhmi's Widget.js: paying makes a
transaction and posts its <code>transaction_id</code> to the payment's <code>success_url</code>.</p></details>`,
  );
}

/** After the widget: post `transaction_id` to `success_url`, by script and by a button if scripts are off. */
function renderReturn(
  payment: UhmiPaymentObject,
  transactionId: string,
  status: string,
  nonce: string,
): string {
  if (!payment.success_url) {
    return page(
      'Uhmi sandbox widget',
      `<h1>Transaction ${esc(status)}</h1><p>Transaction id: <code id="transaction-id">${esc(transactionId)}</code></p>`,
    );
  }
  return page(
    'Returning to the merchant — Uhmi sandbox widget',
    `<h1 id="outcome">Transaction ${esc(status)}</h1>
<form method="post" action="${esc(payment.success_url)}" id="return">
<input type="hidden" name="transaction_id" value="${esc(transactionId)}">
<button type="submit" id="continue">Continue to the merchant</button>
</form>
<script nonce="${nonce}">document.getElementById('return').submit();</script>`,
  );
}

/**
 * Widget.js stand-in: every `.uhmi-widget[data-payment-id]` element gets the widget page in an iframe, the way a
 * store embeds Uhmi's widget.
 */
function widgetScript(origin: string): string {
  return `(function () {
  var base = ${JSON.stringify(origin)};
  var nodes = document.querySelectorAll('.uhmi-widget[data-payment-id]');
  for (var i = 0; i < nodes.length; i++) {
    var id = nodes[i].getAttribute('data-payment-id');
    var frame = document.createElement('iframe');
    frame.src = base + '/widget/' + encodeURIComponent(id);
    frame.title = 'Pay with Uhmi';
    frame.style.cssText = 'width:100%;min-height:520px;border:0';
    nodes[i].appendChild(frame);
  }
})();
`;
}

function priceCents(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  try {
    return toMinorUnits(raw.trim().replace(',', '.'), 'EUR');
  } catch (error) {
    if (error instanceof MoneyError) throw new UhmiError(400, "The 'price' parameter is invalid or missing.");
    throw error;
  }
}

export function widgetRouter(deps: {
  payments: PaymentService;
  gatewayUrl: (req: Request) => string;
}): Router {
  const { payments, gatewayUrl } = deps;
  const router = express.Router();
  router.get('/widget.js', (req, res) => {
    res
      .status(200)
      .set({ 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-store' })
      .send(widgetScript(gatewayUrl(req)));
  });
  router.get('/widget/:id', (req, res) => {
    let payment: UhmiPaymentObject;
    try {
      payment = payments.retrieve(String(req.params['id']));
    } catch {
      sendWidgetHtml(res, 404, page('Uhmi sandbox widget', '<h1>No such payment</h1>'));
      return;
    }
    sendWidgetHtml(res, 200, renderWidget(payment));
  });
  router.post('/widget/:id/pay', parseWidgetForm, (req, res) => {
    const id = String(req.params['id']);
    let payment: UhmiPaymentObject;
    try {
      payment = payments.retrieve(id);
    } catch {
      sendWidgetHtml(res, 404, page('Uhmi sandbox widget', '<h1>No such payment</h1>'));
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const outcome = body['outcome'] === 'failed' ? 'failed' : body['outcome'] === 'open' ? 'open' : 'paid';
    try {
      const price = payment.pwyw ? priceCents(body['price']) : undefined;
      const transaction = payments.pay(id, { outcome, ...(price !== undefined ? { price } : {}) });
      const nonce = randomBytes(16).toString('base64');
      sendWidgetHtml(
        res,
        200,
        renderReturn(payment, transaction.transaction_id, transaction.status, nonce),
        nonce,
      );
    } catch (error) {
      if (!(error instanceof UhmiError)) throw error;
      sendWidgetHtml(res, 400, renderWidget(payment, error.message));
    }
  });
  return router;
}
