import express, { type Request, type Response, type Router } from 'express';
import { esc, formatMoney, page, sendHtml } from '../../engine/html.js';
import type { Session, Transaction } from './model.js';
import { NumipayError, type TransactionService } from './transactions.js';

/** The pages' form parser; the fault layer runs it early too. */
export const parsePageForm = express.urlencoded({ extended: false, limit: '16kb' });

function notFound(res: Response, what: string): void {
  sendHtml(res, 404, page('Numipay sandbox', `<h1>${esc(what)} not found</h1>`));
}

/** Back to the merchant's return URL (303 so the browser GETs it), or a page saying how it ended. */
function finish(res: Response, transactions: TransactionService, transaction: Transaction): void {
  const success = transaction.status !== 'rejected' && transaction.status !== 'cancelled';
  const url = transactions.returnUrl(transaction.request, success ? 'success' : 'failure');
  if (url) {
    res.redirect(303, url);
    return;
  }
  sendHtml(
    res,
    200,
    page(
      'Numipay sandbox',
      `<h1 id="outcome">Transaction ${esc(transaction.status)}</h1><p>Transaction id: <code id="transaction-id">${esc(transaction.id)}</code></p>`,
    ),
  );
}

/** The hosted cashier for one session. Element ids are stable (see the sandbox README) for browser tests. */
function renderCashier(session: Session, action: string, alert?: string): string {
  const { amount, currency } = session.request;
  const deposit = session.type === 'deposit';
  const providers =
    session.flow === 'direct'
      ? `<p class="muted" id="provider">Provider ${esc(session.provider_id ?? '')} (direct integration)</p>`
      : `<label for="provider">Payment provider</label>
<p class="muted"><label class="check"><input type="radio" name="provider" id="provider" value="numipay_simulator" checked> Numipay simulator</label></p>`;
  const buttons = deposit
    ? `<button type="submit" name="outcome" value="success" id="pay">Pay ${esc(formatMoney(amount, currency))}</button>
<button type="submit" name="outcome" value="decline" class="secondary" id="decline">Simulate a declined payment</button>`
    : `<button type="submit" name="outcome" value="request" id="request-payout">Request payout of ${esc(formatMoney(amount, currency))}</button>`;
  return page(
    deposit ? 'Numipay cashier — sandbox' : 'Numipay payout cashier — sandbox',
    `<h1 id="title">${deposit ? 'Deposit' : 'Withdrawal'}</h1>
<div class="total"><span>Amount</span><span id="amount">${esc(formatMoney(amount, currency))}</span></div>
${alert ? `<p class="alert" id="alert">${esc(alert)}</p>` : ''}
<form method="post" action="${esc(action)}" id="cashier">
${providers}
${buttons}
</form>`,
  );
}

function render3ds(transaction: Transaction): string {
  return page(
    '3-D Secure — Numipay sandbox',
    `<h1>Confirm your payment</h1>
<div class="total"><span>Amount</span><span id="amount">${esc(formatMoney(transaction.request.amount, transaction.request.currency))}</span></div>
<p class="muted">Card ending in <span id="last4">${esc(transaction.card_last4 ?? '')}</span></p>
<form method="post" action="${esc(transaction.id)}" id="three-ds">
<button type="submit" name="outcome" value="pass" id="authenticate">Authenticate</button>
<button type="submit" name="outcome" value="fail" class="secondary" id="fail">Fail authentication</button>
</form>`,
  );
}

/**
 * The buyer's pages: the hosted cashier (`/cashier?token=`), a provider's page for direct integration
 * (`/provider/{token}`) and the 3-D Secure step of a card payment (`/3ds/{transaction_id}`). Each ends at the
 * request's `settings.success_url` or `failure_url`.
 */
export function cashierRouter(transactions: TransactionService): Router {
  const router = express.Router();
  const sessionOr404 = (res: Response, token: unknown): Session | undefined => {
    try {
      return transactions.session(String(token ?? ''));
    } catch {
      notFound(res, 'Cashier session');
      return undefined;
    }
  };
  const act = (req: Request, res: Response, session: Session, action: string) => {
    const outcome = (req.body as Record<string, unknown> | undefined)?.['outcome'];
    try {
      const transaction =
        session.type === 'withdrawal'
          ? transactions.requestPayout(session.id)
          : transactions.deposit(session.id, outcome === 'decline' ? 'decline' : 'success');
      finish(res, transactions, transaction);
    } catch (error) {
      if (!(error instanceof NumipayError)) throw error;
      sendHtml(res, 400, renderCashier(session, action, error.message));
    }
  };

  router.get('/cashier', (req, res) => {
    const session = sessionOr404(res, req.query['token']);
    if (session)
      sendHtml(res, 200, renderCashier(session, `cashier?token=${encodeURIComponent(session.id)}`));
  });
  router.post('/cashier', parsePageForm, (req, res) => {
    const session = sessionOr404(res, req.query['token']);
    if (session) act(req, res, session, `cashier?token=${encodeURIComponent(session.id)}`);
  });
  router.get('/provider/:token', (req, res) => {
    const session = sessionOr404(res, req.params['token']);
    if (session) sendHtml(res, 200, renderCashier(session, session.id));
  });
  router.post('/provider/:token', parsePageForm, (req, res) => {
    const session = sessionOr404(res, req.params['token']);
    if (session) act(req, res, session, session.id);
  });
  router.get('/3ds/:id', (req, res) => {
    let transaction: Transaction;
    try {
      transaction = transactions.transaction(String(req.params['id']));
    } catch {
      notFound(res, 'Transaction');
      return;
    }
    sendHtml(res, 200, render3ds(transaction));
  });
  router.post('/3ds/:id', parsePageForm, (req, res) => {
    const pass = (req.body as Record<string, unknown> | undefined)?.['outcome'] !== 'fail';
    try {
      finish(res, transactions, transactions.completeThreeDs(String(req.params['id']), pass));
    } catch (error) {
      if (!(error instanceof NumipayError)) throw error;
      sendHtml(res, error.status, page('Numipay sandbox', `<h1>${esc(error.message)}</h1>`));
    }
  });
  return router;
}
