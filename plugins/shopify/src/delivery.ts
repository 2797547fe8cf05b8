/**
 * Handing outbox messages over: a mutation goes to Shopify (and Shopify's answer is written back to the payment
 * session's record); a gateway operation (refund, capture, void) runs at the gateway and queues its mutation.
 * Throwing leaves the message queued: the outbox retries it with backoff, and alerts when it gives up.
 */
import {
  ConnectionError,
  GatewayError,
  LockTimeoutError,
  RateLimitError,
  TijaraError,
  type Payment,
} from '@tijara/core';
import type { ClaimedMessage, Settlement, SettlementMessage } from '@tijara/ledger';
import type { AppCore } from './app-core.js';
import { followUpMutation, paymentSessionMutation } from './outcomes.js';
import { MUTATIONS } from './payments-api/mutations.js';
import {
  metaOf,
  mutationMessage,
  MUTATION_TOPIC,
  OPERATION_TOPIC,
  type MutationPayload,
  type OperationPayload,
  type ShopifyState,
} from './records.js';

/** Shopify did not take a mutation this time; the outbox tries again later. */
export class MutationNotDeliveredError extends TijaraError {
  override readonly type = 'gateway' as const;
}

/** A gateway operation must be tried again later (the gateway is down, or the refund is still pending). */
class RetryLaterError extends TijaraError {
  override readonly type = 'gateway' as const;
}

const STATE_OF_TARGET: Record<string, ShopifyState> = {
  RESOLVED: 'resolved',
  REJECTED: 'rejected',
  PENDING: 'pending',
};

export function createDispatcher(core: AppCore): (message: ClaimedMessage) => Promise<void> {
  return async (message) => {
    if (message.topic === MUTATION_TOPIC)
      return sendMutation(core, message.payload as unknown as MutationPayload);
    if (message.topic === OPERATION_TOPIC)
      return runOperation(core, message.payload as unknown as OperationPayload);
    core.logger.warn(
      { topic: message.topic, messageId: message.id },
      'outbox message with an unknown topic dropped',
    );
  };
}

async function sendMutation(core: AppCore, payload: MutationPayload): Promise<void> {
  const { shop, mutation, apiVersion } = payload;
  const session = await core.sessionStorage.loadSession(core.offlineSessionId(shop));
  if (!session?.accessToken) {
    throw new MutationNotDeliveredError(`${mutation}: no access token for ${shop} (is the app installed?)`, {
      code: 'no_access_token',
    });
  }
  let result;
  try {
    result = await core
      .paymentsApi(shop, session.accessToken, apiVersion)
      .mutate(mutation, payload.variables);
  } catch (error) {
    core.logger.warn(
      { shop, mutation, gid: payload.variables.id, err: error },
      'Shopify did not take a mutation; will retry',
    );
    throw error;
  }
  const target = MUTATIONS[mutation].target;
  const finalState = result.state === 'RESOLVED' || result.state === 'REJECTED' ? result.state : undefined;
  // A pending notice for a session that is already final is moot, not a conflict.
  const moot = mutation === 'paymentSessionPending' && finalState !== undefined;
  if (result.done || moot) {
    core.logger.info(
      { shop, mutation, gid: payload.variables.id, state: result.state },
      'Shopify accepted a mutation',
    );
    if (payload.session === 'payment') {
      await recordShopifyAnswer(core, payload, (finalState ?? target) as string, result.redirectUrl);
    }
    return;
  }
  if (finalState && finalState !== target) {
    // Shopify decided this session earlier and nothing will change that: stop retrying and tell someone.
    core.alert({
      type: 'mutation_conflict',
      shop,
      gid: String(payload.variables.id),
      mutation,
      shopifyState: finalState,
    });
    if (payload.session === 'payment')
      await recordShopifyAnswer(core, payload, finalState, result.redirectUrl);
    return;
  }
  throw new MutationNotDeliveredError(
    `${mutation} refused by Shopify: ${result.userErrors.map((e) => e.message).join('; ') || 'no reason given'}`,
    { code: 'user_errors' },
  );
}

async function recordShopifyAnswer(
  core: AppCore,
  payload: MutationPayload,
  state: string,
  redirectUrl: string | undefined,
): Promise<void> {
  const shopify = STATE_OF_TARGET[state];
  if (!shopify) return;
  await core.ledger.payments.update(payload.paymentKey, {
    metadata: { shopify, ...(redirectUrl ? { shopifyRedirectUrl: redirectUrl } : {}) },
  });
}

/** What a settlement must tell Shopify about the payment session, as messages on the payment's stream. */
export function settlementMessages(core: AppCore, settlement: Settlement): SettlementMessage[] {
  const payment = settlement.gatewayPayment;
  if (!payment) return [];
  const meta = metaOf(settlement.payment);
  if (meta.shopify === 'resolved' || meta.shopify === 'rejected') {
    if (meta.shopify === 'rejected' && settlement.events.some((e) => e.type === 'payment.paid')) {
      core.alert({ type: 'paid_after_reject', shop: meta.shop, gid: meta.gid, paymentId: payment.id });
    }
    return [];
  }
  const planned = paymentSessionMutation(meta, payment);
  if (!planned) return [];
  const { stream: _stream, ...message } = mutationMessage(planned, {
    shop: meta.shop,
    apiVersion: meta.apiVersion,
    paymentKey: settlement.payment.key,
    session: 'payment',
    stream: settlement.payment.key,
  });
  return [message];
}

function isTransient(error: unknown): boolean {
  return (
    error instanceof RateLimitError ||
    error instanceof GatewayError ||
    error instanceof ConnectionError ||
    error instanceof LockTimeoutError ||
    error instanceof RetryLaterError
  );
}

/** Run a refund, capture or void at the gateway (exactly once, by its id) and queue what Shopify must hear. */
async function runOperation(core: AppCore, payload: OperationPayload): Promise<void> {
  const { ledger } = core;
  const operation = await ledger.operations.get(payload.operationId);
  if (!operation || operation.status !== 'pending') return;
  const payment = await ledger.payments.get(payload.paymentKey);
  const context = await core.contexts.get(payload.shop);
  const { driver } = context;
  let outcome: { ok: true; gatewayId?: string } | { ok: false; code?: string; message: string };
  try {
    if (!payment?.paymentId) throw new Error('the payment session has no gateway payment');
    const options = { idempotencyKey: payload.operationId };
    let settled: Payment | undefined;
    if (operation.kind === 'refund' && operation.gatewayId !== undefined) {
      // Submitted earlier and pending at the gateway: repeating the call would only replay that answer, so the
      // payment is read instead — the refund is done once nothing is pending on the payment any more and the
      // refunded total covers it.
      const current = await driver.retrievePayment(payment.paymentId);
      const others = (await ledger.operations.list(payment.key, 'refund'))
        .filter((o) => o.id !== operation.id && o.status === 'succeeded')
        .reduce((sum, o) => sum + (o.amount ?? 0), 0);
      if (current.status === 'processing' || current.refundedAmount < others + (operation.amount ?? 0)) {
        throw new RetryLaterError(`refund ${operation.gatewayId} is still pending at ${driver.name}`, {
          code: 'refund_pending',
        });
      }
      outcome = { ok: true, gatewayId: operation.gatewayId };
    } else if (operation.kind === 'refund') {
      const refund = await driver.refund(
        payment.paymentId,
        {
          ...(operation.amount !== undefined ? { amount: operation.amount } : {}),
          reference: payload.sessionId,
        },
        options,
      );
      if (refund.status === 'pending') {
        await ledger.operations.resolve(operation.id, { status: 'pending', gatewayId: refund.id });
        throw new RetryLaterError(`refund ${refund.id} is still pending at ${driver.name}`, {
          code: 'refund_pending',
        });
      }
      if (refund.status === 'failed') throw new Error(`${driver.name} reports the refund as failed`);
      outcome = { ok: true, gatewayId: refund.id };
    } else if (operation.kind === 'capture') {
      const whole = operation.amount === undefined || operation.amount === payment.amount;
      settled = await driver.capture(payment.paymentId, whole ? undefined : operation.amount, options);
      outcome = { ok: true };
    } else {
      settled = await driver.release(payment.paymentId, options);
      outcome = { ok: true };
    }
    if (settled) {
      await context.pipeline.settleWithPayment(settled).catch((error: unknown) => {
        core.logger.warn(
          { paymentId: payment.paymentId, err: error },
          'settling after an operation failed; the sweep will',
        );
      });
    }
  } catch (error) {
    if (isTransient(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const expired =
      operation.kind === 'capture' && (payment?.status === 'expired' || payment?.status === 'canceled');
    outcome = { ok: false, message, ...(expired ? { code: 'AUTHORIZATION_EXPIRED' } : {}) };
    core.logger.warn(
      { shop: payload.shop, operation: payload.operationId, err: error },
      `${operation.kind} refused by the gateway`,
    );
  }
  const planned = followUpMutation(operation.kind, payload.gid, outcome);
  await ledger.operations.resolve(
    payload.operationId,
    outcome.ok
      ? { status: 'succeeded', ...(outcome.gatewayId ? { gatewayId: outcome.gatewayId } : {}) }
      : { status: 'failed', failure: outcome.message.slice(0, 500) },
    {
      enqueue: [
        mutationMessage(planned, {
          shop: payload.shop,
          apiVersion: payload.apiVersion,
          paymentKey: payload.paymentKey,
          session: operation.kind,
          stream: payload.operationId,
        }),
      ],
    },
  );
}
