/**
 * Where the buyer comes back from the gateway, and where the gateway's webhooks arrive. The return route never
 * trusts what the buyer brings: it re-reads the payment (or lets the driver resolve the return), settles it,
 * makes sure Shopify has heard the outcome, and sends the buyer to the page Shopify named in its answer.
 */
import {
  InvalidResponseError,
  isFunded,
  readHeader,
  redirectUrlOf,
  SignatureVerificationError,
  type HeaderBag,
} from '@tijara/core';
import type { LedgerPayment } from '@tijara/ledger';
import { ShopNotConfiguredError, type AppCore } from './app-core.js';
import { MutationNotDeliveredError } from './delivery.js';
import { html, json, redirect, type HandlerResponse } from './http/node-http.js';
import { finishingPage, messagePage, notCompletedPage } from './merchant/pages.js';
import { pendingMutation, rejectMutation, type PlannedMutation } from './outcomes.js';
import { metaOf, mutationMessage, paymentKey } from './records.js';

export interface BuyerRequest {
  readonly shop: string;
  readonly id: string;
  readonly query: Readonly<Record<string, string | undefined>>;
}

/** How long the return route waits for Shopify's answer before showing the self-refreshing page. */
const DELIVERY_WAIT_MS = 5_000;

export async function handleReturn(core: AppCore, request: BuyerRequest): Promise<HandlerResponse> {
  const found = await buyerPayment(core, request);
  if (!found) return html(404, messagePage('Payment not found', 'This payment link is not valid.'));
  if (metaOf(found).shopifyRedirectUrl) return redirect(metaOf(found).shopifyRedirectUrl as string);
  let record = found;
  if (metaOf(record).refusal) {
    const meta = metaOf(record);
    await core.ledger.outbox.enqueue([
      sessionMessage(
        record,
        rejectMutation(meta, meta.refusal?.code ?? 'PROCESSING_ERROR', meta.refusal?.message),
      ),
    ]);
  } else if (record.paymentId) {
    record = await settleFromGateway(core, record, request.query);
    const meta = metaOf(record);
    if (record.status === 'pending') {
      // Back without paying (the browser's back button, a closed 3-D Secure window): offer both ways on.
      const paymentUrl = record.nextAction ? redirectUrlOf(record.nextAction) : undefined;
      return html(200, notCompletedPage(paymentUrl, meta.cancelUrl));
    }
    if ((record.status === 'canceled' || record.status === 'expired') && meta.shopify === 'open') {
      return redirect(meta.cancelUrl);
    }
    if (record.status === 'processing' && meta.shopify === 'open') {
      await core.ledger.outbox.enqueue([sessionMessage(record, pendingMutation(meta, new Date()))]);
    }
  }
  return sendToShopify(core, record);
}

/**
 * The buyer left the gateway's page through its cancel link: back to Shopify's checkout to choose again, with no
 * reject. Some gateways send a refusal there too (Postpay's `DENIED`): what the gateway says decides, so a
 * declined payment is rejected (and a paid one resolved) like on the return route.
 */
export async function handleCancel(core: AppCore, request: BuyerRequest): Promise<HandlerResponse> {
  const found = await buyerPayment(core, request);
  if (!found) return html(404, messagePage('Payment not found', 'This payment link is not valid.'));
  const meta = metaOf(found);
  if (meta.shopifyRedirectUrl) return redirect(meta.shopifyRedirectUrl);
  if (!found.paymentId || meta.refusal) return redirect(meta.cancelUrl);
  const record = await settleFromGateway(core, found, request.query);
  if (record.status === 'failed' || isFunded(record.status)) return sendToShopify(core, record);
  try {
    const context = await core.contexts.get(meta.shop);
    // So the abandoned payment cannot be paid later behind Shopify's back (drivers never cancel a paid one).
    if (context.driver.capabilities.cancel && record.status !== 'canceled') {
      const canceled = await context.driver.cancel(found.paymentId, {
        idempotencyKey: `${record.key}:cancel`,
      });
      await context.pipeline.settleWithPayment(canceled);
    }
  } catch (error) {
    core.logger.warn(
      { shop: meta.shop, id: meta.id, err: error },
      'cancel: the gateway payment could not be cancelled',
    );
  }
  return redirect(meta.cancelUrl);
}

/** Settle what the buyer brought back, as the gateway tells it now; the record as it stands afterwards. */
async function settleFromGateway(
  core: AppCore,
  record: LedgerPayment,
  query: BuyerRequest['query'],
): Promise<LedgerPayment> {
  const meta = metaOf(record);
  try {
    const context = await core.contexts.get(meta.shop);
    await context.pipeline.settleReturn({ query, paymentId: record.paymentId as string });
  } catch (error) {
    if (!(error instanceof MutationNotDeliveredError)) {
      core.logger.warn(
        { shop: meta.shop, id: meta.id, err: error },
        'return: settling from the gateway failed',
      );
    }
  }
  return (await core.ledger.payments.get(record.key)) ?? record;
}

/** Make sure Shopify has heard the outcome, then send the buyer where Shopify said (or to a page that waits). */
async function sendToShopify(core: AppCore, record: LedgerPayment): Promise<HandlerResponse> {
  const meta = metaOf(record);
  await core.ledger.outbox
    .deliverStream(record.key, core.deliver, { waitMs: DELIVERY_WAIT_MS })
    .catch((error: unknown) => {
      core.logger.warn(
        { shop: meta.shop, id: meta.id, err: error },
        'return: Shopify has not taken the outcome yet',
      );
    });
  const latest = (await core.ledger.payments.get(record.key)) ?? record;
  const url = metaOf(latest).shopifyRedirectUrl;
  return url ? redirect(url) : html(200, finishingPage(core.urls.returnUrl(meta.shop, meta.id)));
}

function sessionMessage(record: LedgerPayment, planned: PlannedMutation) {
  const meta = metaOf(record);
  return mutationMessage(planned, {
    shop: meta.shop,
    apiVersion: meta.apiVersion,
    paymentKey: record.key,
    session: 'payment',
    stream: record.key,
  });
}

async function buyerPayment(core: AppCore, request: BuyerRequest): Promise<LedgerPayment | undefined> {
  if (!core.buyerToken.verify(request.shop, request.id, request.query.t)) return undefined;
  const record = await core.ledger.payments.get(paymentKey(request.shop, request.id));
  return record && metaOf(record).shop === request.shop ? record : undefined;
}

/** A gateway webhook or callback for one shop. */
export async function handleGatewayWebhook(
  core: AppCore,
  shop: string,
  rawBody: Buffer,
  headers: HeaderBag,
): Promise<HandlerResponse> {
  let context;
  try {
    context = await core.contexts.get(shop);
  } catch (error) {
    if (error instanceof ShopNotConfiguredError) return json(404, { error: 'unknown_shop' });
    throw error;
  }
  try {
    const result = await context.pipeline.handleWebhook(rawBody, headers);
    return json(200, { received: true, outcome: result.outcome });
  } catch (error) {
    if (error instanceof SignatureVerificationError) {
      core.logger.warn(
        { shop, signature: Boolean(readHeader(headers, 'x-signature')) },
        'gateway webhook with a bad signature',
      );
      return json(401, { error: 'invalid_signature' });
    }
    if (error instanceof InvalidResponseError) return json(400, { error: 'invalid_event' });
    if (error instanceof MutationNotDeliveredError || isShopifyFailure(error)) {
      // Settled and queued: the outbox keeps trying Shopify; the gateway need not send this again.
      return json(200, { received: true, outcome: 'queued' });
    }
    core.logger.error({ shop, err: error }, 'gateway webhook failed; the gateway will retry');
    return json(500, { error: 'internal_error' });
  }
}

/** Errors of the Payments Apps client carry `gateway: 'shopify'`. */
function isShopifyFailure(error: unknown): boolean {
  return (error as { gateway?: unknown } | null)?.gateway === 'shopify';
}
