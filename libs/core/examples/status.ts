import {
  coversOrder,
  isCaptured,
  isRefundable,
  needsCaptureOnApproval,
  needsSweep,
  type AmountPolicy,
  type Capabilities,
  type Payment,
} from '@tijara/core';

/** What a store should do with a payment it just read, decided by core's one vocabulary. */
export function nextStep(
  payment: Pick<Payment, 'status' | 'amount' | 'currency' | 'capturedAmount'>,
  order: { amount: number; currency: string; captureMode: 'automatic' | 'manual' },
  capabilities: Pick<Capabilities, 'captureOnApproval' | 'amountPolicy'>,
): string {
  const policy: AmountPolicy = capabilities.amountPolicy;
  if (!coversOrder(order, payment, policy)) return 'refuse: amount or currency differs';
  const context = { captureMode: order.captureMode, captureOnApproval: capabilities.captureOnApproval };
  if (needsCaptureOnApproval(payment.status, context)) return 'capture now (an approval is not a sale)';
  if (isCaptured(payment.status)) {
    return isRefundable(payment.status) ? 'fulfil; refunds possible' : 'fulfilled';
  }
  if (needsSweep(payment.status, context)) return 'wait; the reconciler re-reads it';
  return `nothing to do (${payment.status})`;
}
