/**
 * The routes, as one request handler that mounts like an Express sub-app. It speaks Node's request and response
 * directly, so Express 4 and 5 (and a bare http.Server) run the same code and the plugin never loads its own
 * copy of Express. Looking like a sub-app (`handle`, `set`, `emit`) gets it Express's 'mount' event, which is
 * where a JSON parser mounted ahead of the webhook is caught at start-up rather than on the first delivery.
 */
import type { ServerResponse } from 'node:http';
import {
  CardError,
  ConfigurationError,
  fromMinorUnits,
  InvalidRequestError,
  InvalidResponseError,
  LockTimeoutError,
  NotFoundError,
  SignatureVerificationError,
  TijaraError,
  toMinorUnits,
  UnsupportedOperationError,
  type Logger,
  type ReturnSettlement,
} from '@tijara/core';
import { defaultActionPage } from './action-page.js';
import { NoPaymentError, RefundLimitError, StoreCallbackError } from './errors.js';
import {
  assertSameOrigin,
  HttpError,
  isJsonType,
  isLocalPath,
  mediaType,
  readFields,
  redirect,
  sendJson,
  wantsJson,
  type RequestLike,
} from './http.js';
import type { PaymentService } from './payment-service.js';
import { assertRawBodyReachable, webhookBytes } from './raw-body.js';
import type {
  ActionPageContext,
  AdminOptions,
  CheckoutResult,
  LedgerPayment,
  LedgerRefund,
  ReturnContext,
} from './types.js';

type Next = (error?: unknown) => void;

/** Mount with `app.use(mountPath, router)`; also callable as plain middleware or an http.Server handler. */
export interface TijaraRouter {
  (req: RequestLike, res: ServerResponse, next?: Next): void;
  /** Express's sub-app entry point. */
  handle(req: RequestLike, res: ServerResponse, next?: Next): void;
  /** Present so Express treats the router as a sub-app; settings are not used. */
  set(setting: string, value?: unknown): TijaraRouter;
  on(event: 'mount', listener: (parent: unknown) => void): TijaraRouter;
  emit(event: string, ...args: unknown[]): boolean;
  /** Set by Express when mounted. */
  mountpath?: string | string[];
  parent?: unknown;
}

export interface RouterSettings {
  readonly service: PaymentService;
  /** `scheme://host[:port]` of publicUrl, for the same-origin check. */
  readonly origin: string;
  readonly mountPath: string;
  readonly returnUrl: (context: ReturnContext) => string;
  readonly webhookLimitBytes: number;
  readonly rawBodyProperty: string;
  readonly rawBodyConfigured: boolean;
  readonly admin: AdminOptions | undefined;
  readonly actionPage: ((context: ActionPageContext) => string | undefined) | undefined;
  readonly logger: Logger;
}

const FORM_LIMIT_BYTES = 16 * 1024;
const OUTCOMES = new Set(['success', 'failure', 'cancel']);

export function createRouter(settings: RouterSettings): TijaraRouter {
  const listeners: Array<(parent: unknown) => void> = [];
  const handle = (req: RequestLike, res: ServerResponse, next: Next = () => notFound(res)) => {
    dispatch(settings, req, res, next).catch((error: unknown) => fail(settings, req, res, error));
  };
  const router = handle as TijaraRouter;
  router.handle = handle;
  router.set = () => router;
  router.on = (event, listener) => {
    if (event === 'mount') listeners.push(listener);
    return router;
  };
  router.emit = (event, ...args) => {
    if (event !== 'mount') return false;
    for (const listener of listeners) listener(args[0]);
    return listeners.length > 0;
  };
  router.on('mount', (parent) => {
    const path = typeof router.mountpath === 'string' ? router.mountpath : undefined;
    if (path !== undefined && trimSlash(path) !== trimSlash(settings.mountPath)) {
      throw new ConfigurationError(
        `The Tijara router was mounted at "${path}" but mountPath is "${settings.mountPath}": return URLs would ` +
          `not reach it. Pass mountPath: '${path}' to createTijaraExpress, or mount it at '${settings.mountPath}'.`,
      );
    }
    assertRawBodyReachable(parent, `${trimSlash(settings.mountPath)}/webhook`, settings.rawBodyConfigured);
  });
  return router;
}

function trimSlash(path: string): string {
  return path === '/' ? '' : path.replace(/\/+$/, '');
}

async function dispatch(s: RouterSettings, req: RequestLike, res: ServerResponse, next: Next): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  let segments: string[];
  try {
    segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, 'malformed_path', 'The path is not valid');
  }
  const [first, ...rest] = segments;
  const method = req.method ?? 'GET';

  if (first === 'webhook' && rest.length <= 1) {
    return only(method, ['POST'], () => webhook(s, req, res, rest[0]));
  }
  if (first === 'checkout' && rest.length === 0) return only(method, ['POST'], () => checkout(s, req, res));
  if (first === 'return' && rest.length === 3) {
    const [orderId, attempt, outcome] = rest as [string, string, string];
    return only(method, ['GET', 'POST'], () => returned(s, req, res, orderId, attempt, outcome));
  }
  if (first === 'admin' && s.admin) {
    const [kind, id, action, extra] = rest;
    if (kind === 'orders' && id !== undefined && action === undefined) {
      return only(method, ['GET'], () => admin(s, req, res, () => orderState(s, res, id)));
    }
    if (kind === 'orders' && id !== undefined && action !== undefined && extra === undefined) {
      if (action === 'capture' || action === 'release' || action === 'refund') {
        return only(method, ['POST'], () => admin(s, req, res, () => orderAction(s, req, res, id, action)));
      }
    }
    if (kind === 'saved-methods' && id !== undefined && action === 'delete' && extra === undefined) {
      return only(method, ['POST'], () => admin(s, req, res, () => deleteMethod(s, req, res, id)));
    }
  }
  next();
}

async function only(method: string, allowed: readonly string[], run: () => Promise<void>): Promise<void> {
  if (!allowed.includes(method)) {
    const allow = allowed.join(', ');
    throw new HttpError(405, 'method_not_allowed', `Use ${allow}`, { allow });
  }
  await run();
}

function notFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'not_found', message: 'No such route' });
}

// ------------------------------------------------------------------------------------------------ webhook

/** `POST /webhook` (the default gateway) or `POST /webhook/<gateway>`. */
async function webhook(
  s: RouterSettings,
  req: RequestLike,
  res: ServerResponse,
  gateway: string | undefined,
): Promise<void> {
  if (gateway !== undefined && !s.service.gatewayNames.includes(gateway)) {
    throw new HttpError(404, 'not_found', 'No such gateway');
  }
  const type = mediaType(req);
  if (!isJsonType(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Webhook deliveries must be application/json');
  }
  const bytes = await webhookBytes(req, s.webhookLimitBytes, s.rawBodyProperty);
  const result = await s.service.pipeline(gateway).handleWebhook(bytes, req.headers);
  s.logger.info(
    {
      eventId: result.eventId ?? result.gatewayEvent?.id,
      type: result.gatewayEvent?.rawType,
      outcome: result.outcome,
      refetched: result.refetched,
    },
    'webhook processed',
  );
  sendJson(res, 200, { received: true, outcome: result.outcome });
}

// ----------------------------------------------------------------------------------------------- checkout

async function checkout(s: RouterSettings, req: RequestLike, res: ServerResponse): Promise<void> {
  assertSameOrigin(req, s.origin);
  const fields = await readFields(req, FORM_LIMIT_BYTES);
  const orderId = fields.orderId ?? '';
  if (orderId === '') throw new HttpError(400, 'missing_order_id', 'orderId is required');
  const savedMethodId = fields.savedMethodId || undefined;
  try {
    const result = savedMethodId
      ? await s.service.chargeSavedMethod(orderId, savedMethodId, { request: req })
      : await s.service.checkout(orderId, {
          saveMethod: isTrue(fields.saveMethod),
          request: req,
          ...(fields.gateway ? { gateway: fields.gateway } : {}),
        });
    if (result.kind === 'redirect') {
      if (wantsJson(req))
        return sendJson(res, 200, { redirectUrl: result.url, payment: publicPayment(result.payment) });
      return redirect(res, result.url);
    }
    if (result.kind === 'action') return nextActionAnswer(s, req, res, orderId, result);
    const target = storePage(s, {
      orderId,
      outcome: savedMethodId ? 'charged' : 'success',
      status: result.payment.status,
    });
    if (wantsJson(req))
      return sendJson(res, 200, { redirectUrl: target, payment: publicPayment(result.payment) });
    return redirect(res, target);
  } catch (error) {
    if (savedMethodId && error instanceof CardError) {
      const reason =
        error.type === 'invalid_saved_method' ? 'invalid_saved_method' : (error.code ?? 'card_declined');
      s.logger.info({ orderId, reason }, 'one-click payment declined');
      const target = storePage(s, { orderId, outcome: 'declined', reason });
      if (wantsJson(req))
        return sendJson(res, 402, { error: reason, message: safeMessage(error), redirectUrl: target });
      return redirect(res, target);
    }
    if (error instanceof NoPaymentError && error.code === 'already_paid') {
      return redirect(res, storePage(s, { orderId, outcome: 'success' }));
    }
    throw error;
  }
}

/**
 * A next action other than a GET redirect: JSON clients get it as data (to render the widget or post the form
 * themselves); a browser gets the widget's own page when the gateway has one, else the store's `actionPage`, else
 * the plugin's plain page (an auto-submitting form, or the widget's script with its parameters).
 */
function nextActionAnswer(
  s: RouterSettings,
  req: RequestLike,
  res: ServerResponse,
  orderId: string,
  result: Extract<CheckoutResult, { kind: 'action' }>,
): void {
  const { nextAction, payment } = result;
  if (wantsJson(req)) return sendJson(res, 200, { nextAction, payment: publicPayment(payment) });
  if (nextAction.type === 'widget' && nextAction.url && /^https?:\/\//.test(nextAction.url)) {
    return redirect(res, nextAction.url);
  }
  const html = s.actionPage?.({ orderId, nextAction, payment }) ?? defaultActionPage(nextAction);
  if (html === undefined) {
    throw new ConfigurationError(
      `No page can show the gateway's ${nextAction.type} action for order ${orderId}`,
    );
  }
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': String(Buffer.byteLength(html)),
    'cache-control': 'no-store',
  });
  res.end(html);
}

function isTrue(value: string | undefined): boolean {
  return value === 'on' || value === 'true' || value === '1' || value === 'yes';
}

// ------------------------------------------------------------------------------------------------- return

/**
 * Where the buyer comes back from the gateway: a GET with query parameters (a hosted page's redirect, Postpay's
 * `?order_id&status`) or a POST with a form (a widget posting its `transaction_id`). Unsigned — anyone can open the
 * URL — so the parameters only make the plugin re-read the payment from the gateway (through the driver's
 * `resolveReturn` where it has one), the source of truth.
 */
async function returned(
  s: RouterSettings,
  req: RequestLike,
  res: ServerResponse,
  orderId: string,
  attemptText: string,
  outcome: string,
): Promise<void> {
  const attempt = Number(attemptText);
  if (!OUTCOMES.has(outcome) || !Number.isSafeInteger(attempt) || attempt < 1) {
    throw new HttpError(404, 'not_found', 'No such return page');
  }
  const payment = await s.service.findAttempt(orderId, attempt);
  if (!payment) throw new HttpError(404, 'not_found', 'No such payment');
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://localhost').searchParams);
  let status = payment.status;
  let claimed: ReturnSettlement['claimed'];
  try {
    const form = req.method === 'POST' ? await readFields(req, FORM_LIMIT_BYTES) : undefined;
    const result = await s.service.settleReturn(payment, { query, ...(form ? { form } : {}) });
    status = result.record?.status ?? status;
    claimed = result.claimed;
  } catch (error) {
    // The buyer still gets their page; the webhook or the reconciler settles the payment.
    s.logger.warn(
      { orderId, paymentId: payment.paymentId, err: error },
      'could not settle on return; will retry',
    );
  }
  // Gateways that send every outcome to one or two URLs (Postpay: a denial to the cancel URL) say which it was.
  const said = claimed === undefined ? undefined : CLAIMED_OUTCOME[claimed];
  redirect(res, storePage(s, { orderId, outcome: said ?? (outcome as ReturnContext['outcome']), status }));
}

const CLAIMED_OUTCOME: Record<NonNullable<ReturnSettlement['claimed']>, ReturnContext['outcome']> = {
  approved: 'success',
  declined: 'failure',
  canceled: 'cancel',
};

/** The store's page for this outcome, made absolute; only same-site targets are accepted. */
function storePage(s: RouterSettings, context: ReturnContext): string {
  const target = s.returnUrl(context);
  if (isLocalPath(target)) return `${s.origin}${target}`;
  if (target.startsWith(`${s.origin}/`)) return target;
  throw new ConfigurationError(`returnUrl must give a path on this site, got "${target}"`);
}

// -------------------------------------------------------------------------------------------------- admin

async function admin(
  s: RouterSettings,
  req: RequestLike,
  res: ServerResponse,
  run: () => Promise<void>,
): Promise<void> {
  if (!(await s.admin!.authorize(req))) throw new HttpError(401, 'unauthorized', 'Not allowed');
  if (req.method !== 'GET') assertSameOrigin(req, s.origin);
  await run();
}

async function orderState(s: RouterSettings, res: ServerResponse, orderId: string): Promise<void> {
  const payments = await s.service.listPayments(orderId);
  if (payments.length === 0)
    throw new NotFoundError(`Order ${orderId} has no payment`, { code: 'no_payment' });
  const refunds = await s.service.listRefunds(orderId);
  sendJson(res, 200, { orderId, payments: payments.map(publicPayment), refunds: refunds.map(publicRefund) });
}

async function orderAction(
  s: RouterSettings,
  req: RequestLike,
  res: ServerResponse,
  orderId: string,
  action: 'capture' | 'release' | 'refund',
): Promise<void> {
  const fields = await readFields(req, FORM_LIMIT_BYTES);
  await adminAnswer(s, res, fields, { action, order: orderId }, async () => {
    if (action === 'release') return { payment: publicPayment(await s.service.release(orderId)) };
    const amount = await amountField(s, orderId, fields);
    if (action === 'capture') return { payment: publicPayment(await s.service.capture(orderId, amount)) };
    const refund = await s.service.refund(orderId, {
      ...(amount === undefined ? {} : { amount }),
      ...(fields.refundId ? { refundId: fields.refundId } : {}),
      ...(fields.reason ? { reason: fields.reason } : {}),
    });
    return { refund: publicRefund(refund) };
  });
}

/**
 * JSON for API clients; for an admin form that sent `redirect` (a same-site path), a 303 back to that page with
 * `done=<action>` or `error=<code>&message=<safe text>`, so the page can show what happened.
 */
async function adminAnswer(
  s: RouterSettings,
  res: ServerResponse,
  fields: Record<string, string>,
  context: { action: string; order?: string },
  run: () => Promise<Record<string, unknown>>,
): Promise<void> {
  const back = fields.redirect && isLocalPath(fields.redirect) ? fields.redirect : undefined;
  const extra: Record<string, string> = context.order === undefined ? {} : { order: context.order };
  let body: Record<string, unknown>;
  try {
    body = await run();
  } catch (error) {
    if (!back) throw error;
    const { status, code } = describe(error);
    const log = { ...extra, action: context.action, code, err: error };
    if (status >= 500) s.logger.error(log, 'admin action failed');
    else s.logger.info(log, 'admin action refused');
    return redirect(
      res,
      `${s.origin}${withQuery(back, { ...extra, error: code, message: safeMessage(error) })}`,
    );
  }
  if (back) return redirect(res, `${s.origin}${withQuery(back, { ...extra, done: context.action })}`);
  sendJson(res, 200, body);
}

/** `amount` in minor units, or `amountDecimal` ("12.50") converted exactly with the payment's currency. */
async function amountField(
  s: RouterSettings,
  orderId: string,
  fields: Record<string, string>,
): Promise<number | undefined> {
  if (fields.amount) {
    if (!/^\d+$/.test(fields.amount))
      throw new InvalidRequestError('amount must be whole minor units', { code: 'invalid_amount' });
    return Number(fields.amount);
  }
  if (fields.amountDecimal) {
    const [payment] = (await s.service.listPayments(orderId)).slice(-1);
    if (!payment) throw new NoPaymentError(orderId, `Order ${orderId} has no payment`);
    return toMinorUnits(fields.amountDecimal.trim(), payment.currency);
  }
  return undefined;
}

async function deleteMethod(
  s: RouterSettings,
  req: RequestLike,
  res: ServerResponse,
  methodId: string,
): Promise<void> {
  const fields = await readFields(req, FORM_LIMIT_BYTES);
  await adminAnswer(s, res, fields, { action: 'delete-card' }, async () => {
    await s.service.deleteSavedMethod(methodId, fields.customerId || undefined);
    return { deleted: methodId };
  });
}

function withQuery(path: string, params: Record<string, string>): string {
  const url = new URL(path, 'http://localhost');
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return `${url.pathname}${url.search}`;
}

/** What API clients may see of a payment: no tokens, no raw gateway object. */
export function publicPayment(p: LedgerPayment) {
  return {
    gateway: p.gateway,
    paymentId: p.paymentId,
    orderId: p.orderId,
    attempt: p.attempt,
    kind: p.kind,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    capturedAmount: p.capturedAmount,
    refundedAmount: p.refundedAmount,
    captureMode: p.captureMode,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function publicRefund(r: LedgerRefund) {
  return {
    refundId: r.id,
    paymentId: r.paymentId,
    orderId: r.orderId,
    amount: r.amount,
    currency: r.currency,
    status: r.status,
    ...(r.failure ? { failure: r.failure } : {}),
    createdAt: r.createdAt.toISOString(),
  };
}

// ------------------------------------------------------------------------------------------------- errors

interface Described {
  readonly status: number;
  readonly code: string;
  readonly headers?: Record<string, string>;
}

function describe(error: unknown): Described {
  if (error instanceof HttpError)
    return { status: error.status, code: error.code, headers: { ...error.headers } };
  if (error instanceof SignatureVerificationError) return { status: 403, code: 'invalid_signature' };
  if (error instanceof InvalidResponseError) return { status: 400, code: 'malformed_body' };
  if (error instanceof RefundLimitError)
    return { status: 422, code: error.code ?? 'refund_exceeds_refundable' };
  if (error instanceof NoPaymentError) return { status: 409, code: error.code ?? 'no_payment' };
  if (error instanceof NotFoundError) return { status: 404, code: error.code ?? 'not_found' };
  if (error instanceof CardError) return { status: 402, code: error.code ?? 'card_declined' };
  if (error instanceof InvalidRequestError) return { status: 400, code: error.code ?? 'invalid_request' };
  // The gateway cannot do this at all (its capabilities say so): not worth trying again.
  if (error instanceof UnsupportedOperationError) return { status: 422, code: 'unsupported_operation' };
  if (error instanceof LockTimeoutError)
    return { status: 503, code: 'busy', headers: { 'retry-after': '5' } };
  if (error instanceof StoreCallbackError) return { status: 500, code: error.code };
  if (error instanceof TijaraError && error.type === 'money')
    return { status: 400, code: error.code ?? 'invalid_amount' };
  if (error instanceof TijaraError && error.type === 'conflict')
    return { status: 409, code: error.code ?? 'conflict' };
  if (error instanceof ConfigurationError) return { status: 500, code: 'configuration' };
  if (error instanceof TijaraError) return { status: 502, code: 'gateway_error' };
  return { status: 500, code: 'internal_error' };
}

/**
 * Messages safe for a client: ours and the gateway's 4xx explanations (already redacted by core). Server-side
 * failures get a generic sentence; the details go to the log.
 */
function safeMessage(error: unknown): string {
  const { status } = describe(error);
  if (error instanceof RefundLimitError) {
    const left = fromMinorUnits(error.refundable, error.currency);
    const asked = fromMinorUnits(error.requested, error.currency);
    return error.refundable === 0
      ? `Nothing is left to refund.`
      : `Cannot refund ${asked} ${error.currency}: only ${left} ${error.currency} can still be refunded.`;
  }
  if (error instanceof HttpError && status < 500) return error.message;
  if (error instanceof HttpError && error.code === 'raw_body_unavailable') return error.message;
  if (error instanceof TijaraError && status < 500) return error.message;
  if (status === 503) return 'Busy with this payment; try again in a moment.';
  if (status === 502) return 'The payment gateway could not complete the request; try again.';
  return 'Something went wrong; try again.';
}

/** What a refused request did wrong, for the log: the error's name and message, never its stack. */
function refusalReason(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

function fail(s: RouterSettings, req: RequestLike, res: ServerResponse, error: unknown): void {
  const { status, code, headers } = describe(error);
  const where = { method: req.method, path: req.originalUrl ?? req.url, status, code };
  if (status >= 500) s.logger.error({ ...where, err: error }, 'payment route failed');
  // A refusal is the request's fault, not ours: what was wrong, without a stack. A refused webhook is a warning,
  // since it is either an attack or a misconfiguration (a wrong key, a parser ahead of the router).
  else if (
    /^\/webhook(\/[^/]+)?$/.test(new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, ''))
  )
    s.logger.warn({ ...where, reason: refusalReason(error) }, 'webhook refused');
  else s.logger.info({ ...where, reason: refusalReason(error) }, 'payment route refused the request');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body: Record<string, unknown> = { error: code, message: safeMessage(error) };
  if (error instanceof RefundLimitError)
    Object.assign(body, { refundable: error.refundable, currency: error.currency });
  sendJson(res, status, body, headers);
}
