/**
 * "Already done" is success. A capture of a captured payment, a release of a released hold and a cancel of a
 * cancelled payment are the outcomes the caller wanted; gateways answer them with a conflict (409 invalid state).
 * This is the one place that decides when such a refusal means the work is done, so every driver and plugin treats
 * a repeated operation the same way. Refunds repeat by their merchant reference (or idempotency key) instead:
 * each driver finds the first refund with it.
 */
import { ConflictError, InvalidRequestError } from './errors.js';
import type { Payment } from './gateway.js';
import { isCaptured } from './status.js';

export type RepeatableOperation = 'capture' | 'release' | 'cancel';

/** Whether `payment` already shows the effect of `operation`. */
export function isAlreadyDone(operation: RepeatableOperation, payment: Payment): boolean {
  switch (operation) {
    case 'capture':
      return isCaptured(payment.status);
    case 'release':
      return payment.status === 'canceled' && payment.capturedAmount === 0;
    case 'cancel':
      return payment.status === 'canceled' || payment.status === 'expired';
  }
}

/**
 * Run a gateway operation; when the gateway refuses it as invalid in the payment's state, re-read the payment and
 * answer it if it already shows the operation's effect. Any other refusal (a cancel of a paid payment, a capture of
 * a declined one) is rethrown unchanged.
 */
export async function runRepeatable(
  operation: RepeatableOperation,
  run: () => Promise<Payment>,
  reread: () => Promise<Payment>,
): Promise<Payment> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ConflictError || error instanceof InvalidRequestError)) throw error;
    const payment = await reread();
    if (isAlreadyDone(operation, payment)) return payment;
    throw error;
  }
}
