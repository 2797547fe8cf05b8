/**
 * Shopify's four session requests, framework-neutral: headers and raw bytes in, a status and body out (plus work
 * to do once the answer is written). Authenticated by mTLS only — never by the app-session helpers, which answer
 * 410 to Shopify's servers.
 */
import {
  ConnectionError,
  GatewayError,
  InvalidRequestError,
  MoneyError,
  RateLimitError,
  redirectUrlOf,
  TijaraError,
  type Customer,
  type HeaderBag,
  type Address,
} from '@tijara/core';
import type { LedgerPayment } from '@tijara/ledger';
import { ShopNotConfiguredError, type AppCore, type ShopContext } from './app-core.js';
import { followUpProblem, purchaseTypeProblem } from './gateways.js';
import { json, type HandlerResponse } from './http/node-http.js';
import type { MtlsVerifier } from './mtls.js';
import { followUpMutation, rejectMutation, type FollowUpKind } from './outcomes.js';
import {
  metaOf,
  metaToJson,
  mutationMessage,
  operationId,
  operationMessage,
  paymentKey,
  type PaymentSessionMeta,
} from './records.js';
import {
  captureSessionBody,
  parseBody,
  paymentSessionBody,
  positiveMinorUnits,
  readRequestContext,
  refundSessionBody,
  voidSessionBody,
  type PaymentSessionBody,
  type ShopifyRequestContext,
} from './session-requests.js';

/** One request from Shopify, as any framework can give it. */
export interface SessionRequest {
  readonly headers: HeaderBag;
  readonly rawBody: Buffer;
  /** The connection (for mTLS): the TLS socket, or a socket with `remoteAddress` behind a trusted proxy. */
  readonly socket: unknown;
}

export type SessionHandler = (request: SessionRequest) => Promise<HandlerResponse>;

export interface SessionHandlers {
  readonly payment: SessionHandler;
  readonly refund: SessionHandler;
  readonly capture: SessionHandler;
  readonly void: SessionHandler;
}

export function createSessionHandlers(core: AppCore, verifyClient: MtlsVerifier): SessionHandlers {
  const guarded =
    (
      name: string,
      handle: (context: ShopifyRequestContext, request: SessionRequest) => Promise<HandlerResponse>,
    ): SessionHandler =>
    async (request) => {
      const mtls = verifyClient({ socket: request.socket, headers: request.headers });
      if (!mtls.ok) {
        core.logger.warn(
          { session: name, reason: mtls.reason },
          'session request refused: client certificate',
        );
        return json(401, { error: 'client_certificate_required' });
      }
      let context: ShopifyRequestContext | undefined;
      try {
        context = readRequestContext(request.headers);
        return await handle(context, request);
      } catch (error) {
        return failure(core, name, context, error);
      }
    };

  return {
    payment: guarded('payment', (context, request) =>
      paymentSession(core, context, parseBody(paymentSessionBody, request.rawBody)),
    ),
    refund: guarded('refund', (context, request) => {
      const body = parseBody(refundSessionBody, request.rawBody);
      return followUpSession(core, context, 'refund', body);
    }),
    capture: guarded('capture', (context, request) => {
      const body = parseBody(captureSessionBody, request.rawBody);
      return followUpSession(core, context, 'capture', body);
    }),
    void: guarded('void', (context, request) => {
      const body = parseBody(voidSessionBody, request.rawBody);
      return followUpSession(core, context, 'void', { ...body, amount: undefined, currency: undefined });
    }),
  };
}

/** Never 2xx on an app error: Shopify then retries the same request (same id), which finds what was done. */
function failure(
  core: AppCore,
  name: string,
  context: ShopifyRequestContext | undefined,
  error: unknown,
): HandlerResponse {
  const log = { session: name, shop: context?.shop, requestId: context?.requestId, err: error };
  if (error instanceof InvalidRequestError || error instanceof MoneyError) {
    core.logger.warn(log, 'session request refused');
    return json(400, {
      error: error.code ?? 'invalid_request',
      message: error.message,
      ...(error instanceof InvalidRequestError && error.details ? { details: error.details } : {}),
    });
  }
  if (error instanceof ShopNotConfiguredError) {
    core.logger.error(log, 'session request for a shop that has not configured a gateway');
    return json(503, { error: error.code ?? 'shop_not_configured' });
  }
  core.logger.error(log, 'session request failed; Shopify will retry it');
  const retryable =
    error instanceof RateLimitError || error instanceof GatewayError || error instanceof ConnectionError;
  return json(retryable ? 503 : 500, { error: retryable ? 'gateway_unavailable' : 'internal_error' });
}

function customerOf(body: PaymentSessionBody): Customer {
  const c = body.customer ?? undefined;
  const address = (
    a: NonNullable<NonNullable<PaymentSessionBody['customer']>['billing_address']> | null | undefined,
  ): Address | undefined =>
    a && a.line1 && a.city && a.country_code
      ? {
          line1: a.line1,
          city: a.city,
          country: a.country_code,
          ...(a.given_name ? { firstName: a.given_name } : {}),
          ...(a.family_name ? { lastName: a.family_name } : {}),
          ...(a.line2 ? { line2: a.line2 } : {}),
          ...(a.province ? { state: a.province } : {}),
          ...(a.postal_code ? { postalCode: a.postal_code } : {}),
        }
      : undefined;
  const billing = address(c?.billing_address);
  const shipping = address(c?.shipping_address);
  const name = [c?.billing_address?.given_name, c?.billing_address?.family_name].filter(Boolean).join(' ');
  return {
    email: c?.email ?? '',
    ...(name ? { name } : {}),
    ...(c?.phone_number ? { phone: c.phone_number } : {}),
    ...(billing ? { billingAddress: billing } : {}),
    ...(shipping ? { shippingAddress: shipping } : {}),
  };
}

async function paymentSession(
  core: AppCore,
  context: ShopifyRequestContext,
  body: PaymentSessionBody,
): Promise<HandlerResponse> {
  const { shop } = context;
  const amount = positiveMinorUnits(body.amount, body.currency);
  const key = paymentKey(shop, body.id);
  const returnUrl = core.urls.returnUrl(shop, body.id);

  const existing = await core.ledger.payments.get(key);
  if (existing) {
    assertSameRequest(existing, amount, body);
    const known = redirectFor(existing, returnUrl);
    if (known) return json(201, { redirect_url: known });
  }
  const shopContext = await core.contexts.get(shop);
  const { driver, gateway } = shopContext;
  const meta: PaymentSessionMeta = {
    shop,
    id: body.id,
    gid: body.gid,
    group: body.group ?? undefined,
    kind: body.kind,
    test: body.test,
    apiVersion: context.apiVersion,
    cancelUrl: body.payment_method.data.cancel_url,
    shopify: 'open',
    shopifyRedirectUrl: undefined,
    refusal: refusalFor(shopContext, body),
  };
  const record =
    existing ??
    (
      await core.ledger.payments.create({
        key,
        gateway: gateway.name,
        orderId: key,
        amount,
        currency: body.currency,
        captureMode: body.kind === 'authorization' ? 'manual' : 'automatic',
        ...(meta.refusal ? { status: 'failed' as const } : {}),
        idempotencyKey: key,
        metadata: metaToJson(meta),
      })
    ).payment;
  assertSameRequest(record, amount, body);

  const refusal = metaOf(record).refusal;
  if (refusal) return refuse(core, record, refusal, returnUrl);

  let payment;
  try {
    payment = await driver.createPayment(
      {
        amount,
        currency: body.currency,
        reference: body.id,
        customer: customerOf(body),
        capture: body.kind === 'authorization' ? 'manual' : 'automatic',
        description: `Shopify payment ${body.id}`,
        returnUrls: { success: returnUrl, failure: returnUrl, cancel: core.urls.cancelUrl(shop, body.id) },
        callbackUrl: core.urls.gatewayWebhookUrl(shop),
        metadata: { shopify_payment_id: body.id, shop },
      },
      { idempotencyKey: key },
    );
  } catch (error) {
    if (error instanceof RateLimitError || error instanceof GatewayError || error instanceof ConnectionError)
      throw error;
    // The gateway refused the payment itself (a currency, an amount, a missing e-mail): Shopify hears a reject
    // and the buyer can pick another method.
    const message = error instanceof TijaraError ? error.message : 'the gateway refused the payment';
    core.logger.warn({ shop, id: body.id, err: error }, 'gateway refused to create the payment');
    const refused = await core.ledger.payments.update(key, {
      status: 'failed',
      metadata: { refusal: { code: 'PROCESSING_ERROR', message: message.slice(0, 255) } },
    });
    return refuse(core, refused, { code: 'PROCESSING_ERROR', message }, returnUrl);
  }
  const attached = await core.ledger.payments.attach(key, {
    paymentId: payment.id,
    nextAction: payment.nextAction,
  });
  core.logger.info({ shop, id: body.id, paymentId: payment.id, kind: body.kind }, 'payment session started');
  return json(201, { redirect_url: redirectFor(attached, returnUrl) ?? returnUrl });
}

/** Refusals decided before any gateway call, from the driver's capabilities and the shop's settings. */
function refusalFor(context: ShopContext, body: PaymentSessionBody): PaymentSessionMeta['refusal'] {
  const { capabilities } = context.driver;
  const problem = purchaseTypeProblem(capabilities, body.kind);
  if (problem) return { code: 'INVALID_PURCHASE_TYPE', message: `${context.gateway.label} ${problem}` };
  if (capabilities.currencies !== 'any' && !capabilities.currencies.includes(body.currency)) {
    return { code: 'INVALID_CURRENCY', message: `${context.gateway.label} does not take ${body.currency}` };
  }
  if (body.test !== context.record.testMode) {
    return {
      code: 'PROCESSING_ERROR',
      message: body.test
        ? 'A test payment reached live gateway credentials: switch the app to test mode for test orders'
        : 'A live payment reached test gateway credentials: no money would move; turn test mode off in the app',
    };
  }
  return undefined;
}

/** Answer with the app's return route, and reject once Shopify has the answer. */
async function refuse(
  core: AppCore,
  record: LedgerPayment,
  refusal: { code: string; message: string },
  returnUrl: string,
): Promise<HandlerResponse> {
  const meta = metaOf(record);
  const message = mutationMessage(
    rejectMutation(meta, refusal.code, refusal.message),
    {
      shop: meta.shop,
      apiVersion: meta.apiVersion,
      paymentKey: record.key,
      session: 'payment',
      stream: record.key,
    },
    new Date(Date.now() + core.holdMs),
  );
  core.logger.warn(
    { shop: meta.shop, id: meta.id, code: refusal.code, reason: refusal.message },
    'payment session refused',
  );
  // Durable before the answer, held back until the answer is written (then sent at once by afterResponse).
  await core.ledger.outbox.enqueue([message]);
  return {
    ...json(201, { redirect_url: returnUrl }),
    afterResponse: () => core.ledger.outbox.deliverStream(record.key, core.deliver),
  };
}

function redirectFor(record: LedgerPayment, returnUrl: string): string | undefined {
  if (metaOf(record).refusal) return returnUrl;
  if (!record.paymentId) return undefined;
  const action = record.nextAction;
  if (!action) return returnUrl;
  return redirectUrlOf(action) ?? (action.type === 'widget' && action.url ? action.url : returnUrl);
}

/** Shopify retries with identical bodies; a different amount under the same id is a bug or an attack. */
function assertSameRequest(record: LedgerPayment, amount: number, body: PaymentSessionBody): void {
  const meta = metaOf(record);
  if (
    record.amount !== amount ||
    record.currency !== body.currency ||
    meta.kind !== body.kind ||
    meta.gid !== body.gid
  ) {
    throw new InvalidRequestError(`Payment session ${body.id} was already started with other terms`, {
      code: 'idempotency_mismatch',
    });
  }
}

interface FollowUpBody {
  readonly id: string;
  readonly gid: string;
  readonly payment_id: string;
  readonly amount: string | undefined;
  readonly currency: string | undefined;
}

async function followUpSession(
  core: AppCore,
  context: ShopifyRequestContext,
  kind: FollowUpKind,
  body: FollowUpBody,
): Promise<HandlerResponse> {
  const { shop } = context;
  const { ledger } = core;
  const opId = operationId(shop, kind, body.id);
  const key = paymentKey(shop, body.payment_id);
  const payment = await ledger.payments.get(key);
  const hold = new Date(Date.now() + core.holdMs);
  const rejectNow = async (message: string, code?: string): Promise<HandlerResponse> => {
    const planned = followUpMutation(kind, body.gid, { ok: false, message, ...(code ? { code } : {}) });
    core.logger.warn({ shop, kind, id: body.id, reason: message }, `${kind} session refused`);
    const queued = mutationMessage(
      planned,
      { shop, apiVersion: context.apiVersion, paymentKey: key, session: kind, stream: opId },
      hold,
    );
    await ledger.outbox.enqueue([queued]);
    return { status: 201, afterResponse: () => ledger.outbox.deliverStream(opId, core.deliver) };
  };
  if (!payment) return rejectNow(`No payment session ${body.payment_id} in this app`);
  // What the gateway cannot do at all is rejected before anything is recorded or sent: nothing half-done.
  const { driver, gateway } = await core.contexts.get(shop);
  const impossible = followUpProblem(driver.capabilities, gateway.label, kind);
  if (impossible) return rejectNow(impossible);
  let amount: number | undefined;
  if (kind !== 'void') {
    if (body.currency !== payment.currency)
      return rejectNow(`Currency ${body.currency} differs from the payment's ${payment.currency}`);
    amount = positiveMinorUnits(body.amount as string, payment.currency);
  }
  try {
    await ledger.operations.record({
      id: opId,
      kind,
      paymentKey: key,
      ...(amount !== undefined ? { amount } : {}),
      metadata: { shop, gid: body.gid, sessionId: body.id, apiVersion: context.apiVersion },
    });
  } catch (error) {
    if (
      error instanceof InvalidRequestError &&
      (error.code === 'refund_limit' ||
        error.code === 'capture_limit' ||
        error.name === 'RefundLimitError' ||
        error.name === 'CaptureLimitError')
    ) {
      return rejectNow(error.message);
    }
    throw error;
  }
  await ledger.outbox.enqueue([
    operationMessage(
      {
        shop,
        operationId: opId,
        kind,
        gid: body.gid,
        apiVersion: context.apiVersion,
        paymentKey: key,
        sessionId: body.id,
      },
      hold,
    ),
  ]);
  core.logger.info({ shop, kind, id: body.id, amount }, `${kind} session received`);
  return { status: 201, afterResponse: () => ledger.outbox.deliverStream(opId, core.deliver) };
}
