import {
  assertCurrency,
  isCaptured,
  PAYMENT_STATUSES,
  type GatewayEvent,
  type NextAction,
  type Payment,
  type Refund,
} from '@tijara/core';

/** Jest assertions on the shapes every driver returns, shared by the conformance checks. */

function expectHttpUrl(value: unknown): void {
  expect(typeof value).toBe('string');
  const url = new URL(value as string);
  expect(['http:', 'https:']).toContain(url.protocol);
}

function expectStringRecord(value: unknown): void {
  expect(typeof value).toBe('object');
  expect(value).not.toBeNull();
  for (const item of Object.values(value as object)) expect(typeof item).toBe('string');
}

/** A next action the store can act on without knowing the gateway: a redirect, a widget, or nothing. */
export function expectNextAction(action: NextAction): void {
  expect(['redirect', 'widget', 'none']).toContain(action.type);
  if (action.type === 'redirect') {
    expectHttpUrl(action.url);
    expect(['GET', 'POST']).toContain(action.method);
    if (action.fields !== undefined) expectStringRecord(action.fields);
  } else if (action.type === 'widget') {
    expectStringRecord(action.params);
    if (action.script !== undefined) expectHttpUrl(action.script);
    if (action.url !== undefined) expectHttpUrl(action.url);
  }
}

export function expectPayment(value: unknown): asserts value is Payment {
  const payment = value as Payment;
  expect(typeof payment.id).toBe('string');
  expect(payment.id).not.toBe('');
  expect(PAYMENT_STATUSES).toContain(payment.status);
  expect(typeof payment.rawStatus).toBe('string');
  for (const amount of [
    payment.amount,
    payment.capturedAmount,
    payment.refundedAmount,
    payment.refundableAmount,
  ]) {
    expect(Number.isSafeInteger(amount) && amount >= 0).toBe(true);
  }
  expect(assertCurrency(payment.currency)).toBe(payment.currency);
  expect(typeof payment.testMode).toBe('boolean');
  expect(payment.raw).toBeDefined();
  expectNextAction(payment.nextAction);
  // Only a payment waiting for the buyer asks the buyer to do something.
  if (payment.status !== 'pending') expect(payment.nextAction.type).toBe('none');
  if (payment.authorizationExpiresAt !== undefined) {
    expect(payment.authorizationExpiresAt).toBeInstanceOf(Date);
    expect(Number.isNaN(payment.authorizationExpiresAt.getTime())).toBe(false);
  }
}

/** A payment that became a sale: captured, with the captured amount recorded. */
export function expectCaptured(value: unknown): asserts value is Payment {
  expectPayment(value);
  expect(isCaptured(value.status)).toBe(true);
  expect(value.capturedAmount).toBeGreaterThan(0);
}

export function expectRefund(value: unknown): asserts value is Refund {
  const refund = value as Refund;
  expect(typeof refund.id).toBe('string');
  expect(typeof refund.paymentId).toBe('string');
  expect(Number.isSafeInteger(refund.amount) && refund.amount > 0).toBe(true);
  expect(['succeeded', 'pending', 'failed']).toContain(refund.status);
  expect(refund.raw).toBeDefined();
}

export function expectEvent(value: unknown): asserts value is GatewayEvent {
  const event = value as GatewayEvent;
  expect(typeof event.id).toBe('string');
  expect(event.id).not.toBe('');
  expect(typeof event.type).toBe('string');
  expect(event.createdAt).toBeInstanceOf(Date);
}
