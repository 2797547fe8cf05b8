import express, { type Request, type Response, type Router } from 'express';
import { esc, formatMoney, page, sendHtml } from '../../engine/html.js';
import { ApiError, type FieldDetails } from './api-errors.js';
import { TEST_CARDS, type CardInput } from './cards.js';
import { AWAITING_PAYMENT, type Purchase, type PurchaseRecord } from './purchase-model.js';
import type { PaymentOutcome, PurchaseService } from './purchases.js';

const SUCCESS_STATUSES = new Set(['paid', 'hold', 'preauthorized', 'refunded', 'cleared', 'settled']);

interface FormState {
  values?: Partial<CardInput> & { remember_card?: boolean };
  errors?: FieldDetails;
  alert?: string;
}

function productsTable(purchase: Purchase): string {
  const { currency, products, total } = purchase.purchase;
  const rows = products
    .map(
      (p) =>
        `<tr><td>${esc(p.name)}</td><td class="num">${esc(Number(p.quantity))}</td><td class="num">${esc(formatMoney(p.price, currency))}</td></tr>`,
    )
    .join('');
  return `<table id="products"><thead><tr><th>Item</th><th class="num">Qty</th><th class="num">Price</th></tr></thead><tbody>${rows}</tbody></table>
<div class="total"><span>Total</span><span id="total">${esc(formatMoney(total, currency))}</span></div>`;
}

function fieldError(errors: FieldDetails | undefined, field: string): string {
  const messages = errors?.[field];
  return messages ? `<p class="error" id="error-${field}">${esc(messages.join(' '))}</p>` : '';
}

function invalid(errors: FieldDetails | undefined, field: string): string {
  return errors?.[field] ? ' aria-invalid="true"' : '';
}

/** The pages' form parser; the fault layer runs it early too (see the module's `parseBody`). */
export const parsePageForm = express.urlencoded({ extended: false, limit: '64kb' });

/** The hosted checkout form. Element ids are stable (see README) so browser tests can drive it. */
export function renderCheckout(record: PurchaseRecord, state: FormState = {}, prefix = ''): string {
  const purchase = record.object;
  const { values = {}, errors } = state;
  const forced = purchase.force_recurring;
  const lastAttempt = purchase.transaction_data.attempts.at(-1);
  const alert =
    state.alert ??
    (purchase.status === 'error' && lastAttempt?.error
      ? `Payment failed: ${lastAttempt.error.message}`
      : undefined);
  const cancel = purchase.cancel_redirect
    ? `<div class="links"><a id="cancel" href="${esc(purchase.cancel_redirect)}">Return to seller</a></div>`
    : '';
  const cards = Object.keys(TEST_CARDS)
    .map((n) => `<li><code>${n.replace(/(\d{4})(?=\d)/g, '$1 ')}</code></li>`)
    .join('');
  const action = purchase.skip_capture ? (purchase.purchase.total === 0 ? 'Save card' : 'Authorize') : 'Pay';
  return page(
    `Pay ${purchase.issuer_details['brand_name'] as string} — sandbox checkout`,
    `<h1 id="merchant">${esc(purchase.issuer_details['brand_name'])}</h1>
<p class="muted">Purchase <span id="reference">${esc(purchase.reference || purchase.reference_generated)}</span> · <span id="client-email">${esc(purchase.client.email)}</span></p>
${productsTable(purchase)}
${alert ? `<div class="alert" id="error" role="alert">${esc(alert)}</div>` : ''}
<form id="payment-form" method="post" action="${esc(prefix)}/checkout/${esc(purchase.id)}/" autocomplete="on" novalidate>
<label for="cardholder_name">Cardholder name</label>
<input type="text" id="cardholder_name" name="cardholder_name" autocomplete="cc-name" maxlength="30" value="${esc(values.cardholder_name)}"${invalid(errors, 'cardholder_name')}>
${fieldError(errors, 'cardholder_name')}
<label for="card_number">Card number</label>
<input type="text" id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" maxlength="23" placeholder="4242 4242 4242 4242" value="${esc(values.card_number)}"${invalid(errors, 'card_number')}>
${fieldError(errors, 'card_number')}
<div class="row">
<div><label for="expiry">Expiry (MM/YY)</label>
<input type="text" id="expiry" name="expires" inputmode="numeric" autocomplete="cc-exp" maxlength="7" placeholder="MM/YY" value="${esc(values.expires)}"${invalid(errors, 'expires')}>
${fieldError(errors, 'expires')}</div>
<div><label for="cvc">CVC</label>
<input type="tel" id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" maxlength="4" placeholder="123" value="${esc(values.cvc)}"${invalid(errors, 'cvc')}>
${fieldError(errors, 'cvc')}</div>
</div>
<label class="check" for="remember_card"><input type="checkbox" id="remember_card" name="remember_card"${forced || values.remember_card ? ' checked' : ''}${forced ? ' disabled' : ''}> ${forced ? 'This card will be saved for future payments' : 'Remember this card for future payments'}</label>
<button type="submit" id="pay">${action} ${esc(formatMoney(purchase.purchase.total, purchase.purchase.currency))}</button>
</form>
${cancel}
<details id="test-cards"><summary>Test cards</summary><ul>${cards}</ul><p>Any future expiry, CVC <code>123</code>, any Latin name.</p></details>`,
  );
}

export function renderChallenge(
  record: PurchaseRecord,
  challengeId: string,
  error?: string,
  prefix = '',
): string {
  const purchase = record.object;
  return page(
    '3-D Secure — sandbox',
    `<h1 id="challenge-title">3-D Secure verification</h1>
<p class="muted">Your bank asks you to confirm a payment of <strong id="total">${esc(formatMoney(purchase.purchase.total, purchase.purchase.currency))}</strong> to ${esc(purchase.issuer_details['brand_name'])}.</p>
<p class="muted">Sandbox: any one-time code passes with Confirm; Fail simulates a failed authentication.</p>
${error ? `<div class="alert" id="error" role="alert">${esc(error)}</div>` : ''}
<form id="challenge-form" method="post" action="${esc(prefix)}/checkout/${esc(purchase.id)}/3ds/${esc(challengeId)}/" novalidate>
<label for="otp">One-time code</label>
<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="8" placeholder="123456">
<button type="submit" id="confirm" name="action" value="confirm">Confirm</button>
<button type="submit" id="fail" name="action" value="fail" class="secondary">Fail authentication</button>
</form>`,
  );
}

/** Shown when the merchant gave no redirect URL, and for purchases that can no longer be paid. */
export function renderResult(record: PurchaseRecord, prefix = ''): string {
  const purchase = record.object;
  const status = purchase.status;
  const lastError = purchase.transaction_data.attempts.at(-1)?.error;
  let message: string;
  let tone: 'ok' | 'alert';
  if (SUCCESS_STATUSES.has(status)) {
    tone = 'ok';
    message =
      status === 'hold'
        ? 'Payment authorized. The merchant will capture it later.'
        : 'Payment successful. Thank you!';
    if (status === 'preauthorized') message = 'Card saved. You have not been charged.';
  } else if (status.startsWith('pending_')) {
    tone = 'ok';
    message = 'Your payment is being processed. The merchant will be told when it completes.';
  } else if (status === 'error') {
    tone = 'alert';
    message = `Payment failed${lastError ? `: ${lastError.message}` : '.'}`;
  } else if (AWAITING_PAYMENT.has(status)) {
    tone = 'alert';
    message = 'This purchase has not been paid yet.';
  } else {
    tone = 'alert';
    message = `This purchase can no longer be paid (status: ${status}).`;
  }
  const retry = AWAITING_PAYMENT.has(status)
    ? `<div class="links"><a id="retry" href="${esc(prefix)}/checkout/${esc(purchase.id)}/">Try again</a></div>`
    : '';
  return page(
    'Payment result — sandbox',
    `<h1 id="merchant">${esc(purchase.issuer_details['brand_name'])}</h1>
<div class="${tone}" id="message" role="status">${esc(message)}</div>
<p class="muted">Status: <code id="status">${esc(status)}</code> · Total: <span id="total">${esc(formatMoney(purchase.purchase.total, purchase.purchase.currency))}</span></p>
${retry}`,
  );
}

function renderInvoice(record: PurchaseRecord): string {
  const p = record.object;
  const issuer = p.issuer_details;
  const payable = AWAITING_PAYMENT.has(p.status);
  const due = p.due ? new Date(p.due * 1000).toISOString().slice(0, 10) : null;
  return page(
    `Invoice ${p.reference || p.reference_generated} — sandbox`,
    `<h1 id="invoice">Invoice <span id="reference">${esc(p.reference || p.reference_generated)}</span></h1>
<p class="muted">Issued <span id="issued">${esc(p.issued)}</span>${due ? ` · Due <span id="due">${esc(due)}</span>` : ''}</p>
<table id="parties"><tr><th>From</th><th>To</th></tr><tr><td id="issuer">${esc(issuer['legal_name'])}<br>${esc(issuer['brand_name'])}</td><td id="client">${esc(p.client['full_name'])}<br>${esc(p.client.email)}</td></tr></table>
${productsTable(record.object)}
<p class="muted">Status: <code id="status">${esc(p.status)}</code></p>
${p.purchase.notes ? `<p id="notes">${esc(p.purchase.notes)}</p>` : ''}
${payable ? `<div class="links"><a id="pay" href="${esc(p.checkout_url)}">Pay now</a></div>` : ''}`,
  );
}

function cardInput(body: Record<string, unknown>): CardInput {
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  return {
    card_number: text('card_number'),
    expires: text('expires') || text('expiry'),
    cvc: text('cvc'),
    cardholder_name: text('cardholder_name'),
  };
}

function isChecked(value: unknown): boolean {
  return value === 'on' || value === 'true' || value === '1' || value === true;
}

/** Where the buyer goes after an attempt: the merchant's redirect, or the sandbox's own result page. */
export function redirectFor(outcome: PaymentOutcome, prefix = ''): string {
  const purchase = outcome.record.object;
  const fallback = `${prefix}/checkout/${purchase.id}/result/`;
  if (outcome.kind === 'challenge') return `${prefix}/checkout/${purchase.id}/3ds/${outcome.challenge.id}/`;
  // A payment accepted for processing returns like a success; the shop re-reads it and sees it pending.
  if (outcome.kind === 'succeeded' || outcome.kind === 'pending')
    return purchase.success_redirect ?? fallback;
  return purchase.failure_redirect ?? fallback;
}

function notFoundPage(res: Response): void {
  sendHtml(res, 404, page('Not found — sandbox', '<h1 id="not-found">Purchase not found</h1>'));
}

/** Hosted checkout, Direct Post, the 3-D Secure step, the result page and the invoice page. */
export function checkoutRouter(purchases: PurchaseService): Router {
  const router = express.Router();
  router.use(parsePageForm);

  const load = (req: Request, res: Response): PurchaseRecord | undefined => {
    const record = purchases.find(String(req.params['id']));
    if (!record) notFoundPage(res);
    return record ? purchases.get(record.id) : undefined;
  };

  router.get('/checkout/:id/', (req, res) => {
    const record = load(req, res);
    if (!record) return;
    if (!AWAITING_PAYMENT.has(record.object.status)) {
      sendHtml(res, 200, renderResult(record, req.baseUrl));
      return;
    }
    sendHtml(res, 200, renderCheckout(purchases.markViewed(record.id), {}, req.baseUrl));
  });

  const submit = (flow: 'payform' | 'direct_post') => (req: Request, res: Response) => {
    const record = load(req, res);
    if (!record) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input = cardInput(body);
    const remember = isChecked(body['remember_card']);
    let outcome: PaymentOutcome;
    try {
      outcome = purchases.attemptPayment(record.id, input, remember, flow);
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) {
        const details = (error.body['details'] ?? {}) as FieldDetails;
        if (flow === 'direct_post') {
          // Direct Post has no form to show errors on: the gateway treats invalid input as a failed payment.
          const failed = purchases.recordInvalidInput(record.id, details, flow);
          res.redirect(303, redirectFor(failed, req.baseUrl));
          return;
        }
        const { card_number: _pan, cvc: _cvc, ...safe } = input;
        sendHtml(
          res,
          400,
          renderCheckout(
            record,
            { values: { ...safe, remember_card: remember }, errors: details },
            req.baseUrl,
          ),
        );
        return;
      }
      if (error instanceof ApiError && error.status === 409) {
        res.redirect(303, `${req.baseUrl}/checkout/${record.id}/result/`);
        return;
      }
      throw error;
    }
    res.redirect(303, redirectFor(outcome, req.baseUrl));
  };
  router.post('/checkout/:id/', submit('payform'));
  router.post('/checkout/:id/direct_post/', submit('direct_post'));

  router.get('/checkout/:id/3ds/:challenge/', (req, res) => {
    const record = load(req, res);
    if (!record) return;
    try {
      const challenge = purchases.findChallenge(record.id, String(req.params['challenge']));
      if (challenge.status !== 'pending' || !AWAITING_PAYMENT.has(record.object.status)) {
        res.redirect(303, `${req.baseUrl}/checkout/${record.id}/result/`);
        return;
      }
      sendHtml(res, 200, renderChallenge(record, challenge.id, undefined, req.baseUrl));
    } catch {
      notFoundPage(res);
    }
  });

  router.post('/checkout/:id/3ds/:challenge/', (req, res) => {
    const record = load(req, res);
    if (!record) return;
    const challengeId = String(req.params['challenge']);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const passed = body['action'] !== 'fail';
    if (passed && !(typeof body['otp'] === 'string' && body['otp'].trim() !== '')) {
      sendHtml(res, 400, renderChallenge(record, challengeId, 'Enter the one-time code.', req.baseUrl));
      return;
    }
    try {
      res.redirect(
        303,
        redirectFor(purchases.completeChallenge(record.id, challengeId, passed), req.baseUrl),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) notFoundPage(res);
      else res.redirect(303, `${req.baseUrl}/checkout/${record.id}/result/`);
    }
  });

  router.get('/checkout/:id/result/', (req, res) => {
    const record = load(req, res);
    if (record) sendHtml(res, 200, renderResult(record, req.baseUrl));
  });

  router.get('/invoice/:id/', (req, res) => {
    const record = load(req, res);
    if (!record) return;
    const viewed = AWAITING_PAYMENT.has(record.object.status) ? purchases.markViewed(record.id) : record;
    sendHtml(res, 200, renderInvoice(viewed));
  });

  return router;
}
