import { PAYMENT_STATUSES } from '@tijara/core';
import {
  coreStatusOfSession,
  SESSION_STATUS,
  sessionStatusOf,
  UNSETTLED_SESSION_STATUSES,
  WEBHOOK_ACTION,
  webhookActionOf,
} from '../src/session-status.js';

const SESSION_STATUSES = [
  'authorized',
  'captured',
  'pending',
  'requires_more',
  'error',
  'canceled',
  'pending_authorization',
];
const ACTIONS = [
  'authorized',
  'captured',
  'failed',
  'pending',
  'requires_more',
  'canceled',
  'not_supported',
  'pending_authorization',
];

describe('core status → Medusa', () => {
  it('maps every normalized status to a session status and a webhook action Medusa knows', () => {
    expect(Object.keys(SESSION_STATUS).sort()).toEqual([...PAYMENT_STATUSES].sort());
    expect(Object.keys(WEBHOOK_ACTION).sort()).toEqual([...PAYMENT_STATUSES].sort());
    for (const status of PAYMENT_STATUSES) {
      expect(SESSION_STATUSES).toContain(sessionStatusOf(status));
      expect(ACTIONS).toContain(webhookActionOf(status));
    }
  });

  it.each([
    ['pending', 'requires_more', 'pending'],
    ['processing', 'pending_authorization', 'pending_authorization'],
    ['authorized', 'authorized', 'authorized'],
    ['paid', 'captured', 'captured'],
    ['partially_refunded', 'captured', 'captured'],
    ['refunded', 'captured', 'captured'],
    ['disputed', 'captured', 'not_supported'],
    ['canceled', 'canceled', 'canceled'],
    ['expired', 'error', 'canceled'],
    ['failed', 'error', 'failed'],
  ] as const)('%s → session %s, webhook %s', (status, session, action) => {
    expect(sessionStatusOf(status)).toBe(session);
    expect(webhookActionOf(status)).toBe(action);
  });

  it('reads a Medusa session status as what the reconciler last settled', () => {
    expect(coreStatusOfSession('pending')).toBe('pending');
    expect(coreStatusOfSession('requires_more')).toBe('pending');
    expect(coreStatusOfSession('pending_authorization')).toBe('processing');
    expect(coreStatusOfSession('error')).toBe('failed');
    expect(coreStatusOfSession('authorized')).toBe('authorized');
    expect(coreStatusOfSession('captured')).toBe('paid');
    expect(coreStatusOfSession('canceled')).toBe('canceled');
    // Only sessions that may still change are swept.
    for (const status of UNSETTLED_SESSION_STATUSES)
      expect(['pending', 'processing', 'failed']).toContain(coreStatusOfSession(status));
  });
});
