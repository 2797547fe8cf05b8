import express, { type Request, type Response, type Router } from 'express';
import type { SandboxClock } from '../../engine/clock.js';
import { esc, formatMoney, page, sendHtml } from '../../engine/html.js';
import { PostpayApiError } from './api-errors.js';
import { cardOutcome, isFutureExpiry, normalizeCardNumber, TEST_CARDS } from './cards.js';
import type { PostpayConfig } from './config.js';
import type { OrderRecord } from './model.js';
import type { OrderService } from './orders.js';

/** The hosted page's form (urlencoded, from the page itself). */
export const parsePageForm = express.urlencoded({ extended: false, limit: '64kb' });

const DAY_MS = 86_400_000;

/** The plan the buyer pays: equal instalments every 30 days, the first carrying what does not divide. */
export function instalments(total: number, count: number): number[] {
  const base = Math.floor(total / count);
  return Array.from({ length: count }, (_, i) => (i === 0 ? total - base * (count - 1) : base));
}

const digitsOf = (phone: string) => phone.replace(/\D/g, '');

function phoneOf(order: OrderRecord): string {
  const { customer, billing_address: billing, shipping } = order.checkout;
  return customer.default_address?.phone ?? billing?.phone ?? shipping.address.phone ?? '';
}

interface FormState {
  readonly values: Record<string, string>;
  readonly errors: Record<string, string>;
  readonly alert?: string;
}

function field(id: string, label: string, state: FormState, attrs: string): string {
  const error = state.errors[id];
  return `<label for="${id}">${esc(label)}</label>
<input type="text" id="${id}" name="${id}" value="${esc(state.values[id] ?? '')}" ${attrs}${error ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
${error ? `<p class="error" id="${id}-error">${esc(error)}</p>` : ''}`;
}

function summary(order: OrderRecord, config: PostpayConfig, nowMs: number): string {
  const { items, discounts, shipping, num_instalments: fixed } = order.checkout;
  const money = (amount: number) => esc(formatMoney(amount, order.currency));
  const lines = items
    .map(
      (item) =>
        `<tr><td>${esc(item.name)} × ${item.qty}</td><td class="num">${money(item.unit_price * item.qty)}</td></tr>`,
    )
    .join('');
  const discountLines = (discounts ?? [])
    .map((d) => `<tr><td>${esc(d.name ?? d.code)}</td><td class="num">−${money(d.amount)}</td></tr>`)
    .join('');
  const plan = instalments(order.total_amount, fixed ?? config.defaultInstalments)
    .map((amount, i) => {
      const when = i === 0 ? 'Today' : new Date(nowMs + i * 30 * DAY_MS).toISOString().slice(0, 10);
      return `<tr><td>${esc(when)}</td><td class="num">${money(amount)}</td></tr>`;
    })
    .join('');
  return `<table id="order-lines">${lines}${discountLines}
<tr><td>${esc(shipping.name)}</td><td class="num">${money(shipping.amount)}</td></tr>
<tr><td>Tax</td><td class="num">${money(order.tax_amount)}</td></tr></table>
<div class="total"><span>Total</span><span id="total">${money(order.total_amount)}</span></div>
<table id="instalments"><tr><th>Instalment</th><th class="num">Amount</th></tr>${plan}</table>`;
}

function checkoutPage(order: OrderRecord, config: PostpayConfig, nowMs: number, state: FormState): string {
  return page(
    'Pay with Postpay',
    `<h1>Pay in instalments with Postpay</h1>
<p class="muted">Order <code id="order-id">${esc(order.id)}</code> · ${esc(order.checkout.customer.email)}</p>
${state.alert ? `<p class="alert" role="alert">${esc(state.alert)}</p>` : ''}
${summary(order, config, nowMs)}
<form method="post" novalidate>
${field('phone', 'Mobile phone', state, 'inputmode="tel" autocomplete="tel"')}
${field('sms_code', 'SMS code', state, 'inputmode="numeric" autocomplete="one-time-code" maxlength="4"')}
<p class="muted">The sandbox sends no SMS: enter the last 4 digits of the phone number.</p>
${field('card_number', 'Card number', state, 'inputmode="numeric" autocomplete="cc-number"')}
<div class="row"><div>${field('expiry', 'Expiry (MM/YY)', state, 'autocomplete="cc-exp"')}</div>
<div>${field('cvc', 'CVC', state, 'inputmode="numeric" autocomplete="cc-csc" maxlength="4"')}</div></div>
<button type="submit" id="approve" name="action" value="approve">Confirm and pay ${esc(formatMoney(instalments(order.total_amount, order.checkout.num_instalments ?? config.defaultInstalments)[0]!, order.currency))} today</button>
<button type="submit" id="cancel" name="action" value="cancel" class="secondary">Cancel and return to the store</button>
</form>
<details><summary>Test cards</summary><p>Approve: ${Object.entries(TEST_CARDS)
      .map(([number, brand]) => `${esc(brand)} <code>${esc(number)}</code>`)
      .join(', ')}. Denied: <code>4000 0000 0000 0002</code>. Approved, then declined at capture:
<code>4000 0000 0000 0341</code>. Any 3 digits (4 for American Express) and any future date.</p></details>`,
  );
}

/** A checkout the buyer can no longer act on: expired (its token ran out, approved or not yet), or decided. */
function closedPage(order: OrderRecord, returnUrl: string | undefined, status: number, res: Response): void {
  const text =
    order.status === 'expired' || order.status === 'pending'
      ? 'This checkout has expired.'
      : `This checkout is ${order.status === 'approved' || order.status === 'captured' ? 'approved' : order.status}.`;
  const link = returnUrl
    ? `<p class="links"><a id="return" href="${esc(returnUrl)}">Return to the store</a></p>`
    : '';
  sendHtml(res, status, page('Postpay checkout', `<h1 id="outcome">${esc(text)}</h1>${link}`));
}

/** What the buyer typed; undefined errors mean it may be sent to the credit decision. */
function validate(values: Record<string, string>, nowMs: number): Record<string, string> {
  const found: Record<string, string> = {};
  const phone = digitsOf(values.phone ?? '');
  if (phone.length < 7) found.phone = 'Enter your mobile phone number.';
  else if ((values.sms_code ?? '').trim() !== phone.slice(-4)) {
    found.sms_code = 'Wrong code: enter the last 4 digits of the phone number.';
  }
  const card = normalizeCardNumber(values.card_number ?? '');
  if (cardOutcome(card) === undefined) found.card_number = 'Enter a valid card number.';
  if (!isFutureExpiry(values.expiry ?? '', nowMs)) found.expiry = 'Enter a future date as MM/YY.';
  const cvcLength = card.startsWith('34') || card.startsWith('37') ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test((values.cvc ?? '').trim())) {
    found.cvc = `Enter the ${cvcLength}-digit security code.`;
  }
  return found;
}

export interface CheckoutPageDeps {
  readonly orders: OrderService;
  readonly config: PostpayConfig;
  readonly clock: SandboxClock;
}

/**
 * The hosted checkout at `redirect_url` (`/checkout/<token>`): the order and its instalment plan, phone
 * verification (the sandbox's SMS code is the phone's last 4 digits, as seed 003 says), the card, then approve or
 * cancel. The buyer is sent back to `confirmation_url` or `cancel_url` with `order_id` and `status`.
 */
export function checkoutPageRouter({ orders, config, clock }: CheckoutPageDeps): Router {
  const router = express.Router();
  const token = (req: Request) => String(req.params['token']);

  router.get('/checkout/:token', (req, res) => {
    const order = orders.byToken(token(req));
    if (!order)
      return sendHtml(res, 404, page('Postpay checkout', '<h1 id="outcome">No such checkout.</h1>'));
    if (!orders.isOpen(order)) {
      const expired = order.status === 'expired' || order.status === 'pending';
      return closedPage(order, expired ? undefined : orders.returnUrl(order), expired ? 410 : 200, res);
    }
    const values = { phone: phoneOf(order) };
    sendHtml(res, 200, checkoutPage(order, config, clock.nowMs(), { values, errors: {} }));
  });

  router.post('/checkout/:token', parsePageForm, (req, res) => {
    const order = orders.byToken(token(req));
    if (!order)
      return sendHtml(res, 404, page('Postpay checkout', '<h1 id="outcome">No such checkout.</h1>'));
    if (!orders.isOpen(order)) return closedPage(order, orders.returnUrl(order), 409, res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(
      ['phone', 'sms_code', 'card_number', 'expiry', 'cvc'].map((name) => [name, String(body[name] ?? '')]),
    );
    const action = body.action === 'cancel' ? 'cancel' : 'approve';
    if (action === 'approve') {
      const found = validate(values, clock.nowMs());
      if (Object.keys(found).length > 0) {
        const state = {
          values: { ...values, cvc: '' },
          errors: found,
          alert: 'Check the highlighted fields.',
        };
        return sendHtml(res, 422, checkoutPage(order, config, clock.nowMs(), state));
      }
    }
    try {
      const { order: decided, redirectUrl } = orders.decide(token(req), action, values.card_number);
      res.redirect(303, redirectUrl ?? `${req.baseUrl}/checkout/${encodeURIComponent(decided.token)}`);
    } catch (error) {
      if (!(error instanceof PostpayApiError)) throw error;
      sendHtml(res, error.status, page('Postpay checkout', `<h1 id="outcome">${esc(error.message)}</h1>`));
    }
  });

  return router;
}
