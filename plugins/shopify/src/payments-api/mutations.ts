/**
 * The Payments Apps mutations the app sends, as data: one document per mutation, each selecting the session's
 * state (so "already resolved" can be told from a real refusal) and, for payment sessions, the next action Shopify
 * wants the buyer sent to. Every document is validated against Shopify's published schema by the tests' fake.
 */

export type SessionMutationName =
  | 'paymentSessionResolve'
  | 'paymentSessionReject'
  | 'paymentSessionPending'
  | 'refundSessionResolve'
  | 'refundSessionReject'
  | 'captureSessionResolve'
  | 'captureSessionReject'
  | 'voidSessionResolve'
  | 'voidSessionReject';

export type MutationName = SessionMutationName | 'paymentsAppConfigure';

/** The state a session mutation moves the session to; a session already there means the mutation is done. */
export type SessionStateCode = 'RESOLVED' | 'REJECTED' | 'PENDING';

export interface MutationSpec {
  readonly document: string;
  /** Key of the session object in the payload (`paymentSession`, `refundSession`, …). */
  readonly payloadKey: string;
  readonly target?: SessionStateCode;
}

const PAYMENT_SESSION = `paymentSession {
      id
      state { ... on PaymentSessionState { code } ... on PaymentSessionStateRejected { reason } }
      nextAction { action context { ... on PaymentSessionActionsRedirect { redirectUrl } } }
    }
    userErrors { field message }`;

const followUpSession = (type: 'Refund' | 'Capture' | 'Void'): string => `${type.toLowerCase()}Session {
      id
      state { ... on ${type}SessionState { code } }
    }
    userErrors { field message code }`;

export const MUTATIONS: Readonly<Record<MutationName, MutationSpec>> = {
  paymentSessionResolve: {
    document: `mutation PaymentSessionResolve($id: ID!, $authorizationExpiresAt: DateTime) {
  paymentSessionResolve(id: $id, authorizationExpiresAt: $authorizationExpiresAt) {
    ${PAYMENT_SESSION}
  }
}`,
    payloadKey: 'paymentSession',
    target: 'RESOLVED',
  },
  paymentSessionReject: {
    document: `mutation PaymentSessionReject($id: ID!, $reason: PaymentSessionRejectionReasonInput!) {
  paymentSessionReject(id: $id, reason: $reason) {
    ${PAYMENT_SESSION}
  }
}`,
    payloadKey: 'paymentSession',
    target: 'REJECTED',
  },
  paymentSessionPending: {
    document: `mutation PaymentSessionPending($id: ID!, $pendingExpiresAt: DateTime!, $reason: PaymentSessionStatePendingReason!) {
  paymentSessionPending(id: $id, pendingExpiresAt: $pendingExpiresAt, reason: $reason) {
    ${PAYMENT_SESSION}
  }
}`,
    payloadKey: 'paymentSession',
    target: 'PENDING',
  },
  refundSessionResolve: {
    document: `mutation RefundSessionResolve($id: ID!) {
  refundSessionResolve(id: $id) {
    ${followUpSession('Refund')}
  }
}`,
    payloadKey: 'refundSession',
    target: 'RESOLVED',
  },
  refundSessionReject: {
    document: `mutation RefundSessionReject($id: ID!, $reason: RefundSessionRejectionReasonInput!) {
  refundSessionReject(id: $id, reason: $reason) {
    ${followUpSession('Refund')}
  }
}`,
    payloadKey: 'refundSession',
    target: 'REJECTED',
  },
  captureSessionResolve: {
    document: `mutation CaptureSessionResolve($id: ID!) {
  captureSessionResolve(id: $id) {
    ${followUpSession('Capture')}
  }
}`,
    payloadKey: 'captureSession',
    target: 'RESOLVED',
  },
  captureSessionReject: {
    document: `mutation CaptureSessionReject($id: ID!, $reason: CaptureSessionRejectionReasonInput!) {
  captureSessionReject(id: $id, reason: $reason) {
    ${followUpSession('Capture')}
  }
}`,
    payloadKey: 'captureSession',
    target: 'REJECTED',
  },
  voidSessionResolve: {
    document: `mutation VoidSessionResolve($id: ID!) {
  voidSessionResolve(id: $id) {
    ${followUpSession('Void')}
  }
}`,
    payloadKey: 'voidSession',
    target: 'RESOLVED',
  },
  voidSessionReject: {
    document: `mutation VoidSessionReject($id: ID!, $reason: VoidSessionRejectionReasonInput!) {
  voidSessionReject(id: $id, reason: $reason) {
    ${followUpSession('Void')}
  }
}`,
    payloadKey: 'voidSession',
    target: 'REJECTED',
  },
  paymentsAppConfigure: {
    document: `mutation PaymentsAppConfigure($externalHandle: String, $ready: Boolean!) {
  paymentsAppConfigure(externalHandle: $externalHandle, ready: $ready) {
    paymentsAppConfiguration { externalHandle ready }
    userErrors { field message }
  }
}`,
    payloadKey: 'paymentsAppConfiguration',
  },
};
