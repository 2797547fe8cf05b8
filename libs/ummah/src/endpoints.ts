import {
  defineEndpoint,
  listEndpoints as listGroupEndpoints,
  type Endpoint,
  type HttpMethod,
  type NamedEndpoint,
} from '@tijara/core';
import type { z } from 'zod';
import {
  accountReportQuerySchema,
  addSubscriberRequestSchema,
  addSubscriberResponseSchema,
  balanceSchema,
  billingTemplateListSchema,
  billingTemplateSchema,
  capturePurchaseRequestSchema,
  chargePurchaseRequestSchema,
  clientListSchema,
  clientSchema,
  companyStatementCancelResponseSchema,
  companyStatementListSchema,
  companyStatementSchema,
  createBillingTemplateRequestSchema,
  createClientRequestSchema,
  createCompanyStatementRequestSchema,
  createInvoiceRequestSchema,
  createInvoiceResponseSchema,
  createPurchaseRequestSchema,
  createWebhookRequestSchema,
  emptyResponseSchema,
  listQuerySchema,
  markAsPaidRequestSchema,
  patchClientRequestSchema,
  patchSubscriberRequestSchema,
  patchWebhookRequestSchema,
  paymentMethodsQuerySchema,
  paymentMethodsSchema,
  payoutMethodsSchema,
  publicKeyResponseSchema,
  purchaseActionResponseSchema,
  purchaseSchema,
  purchaseViewSchema,
  checkedInPlace,
  recurringTokenListSchema,
  recurringTokenSchema,
  refundPurchaseRequestSchema,
  refundSchema,
  sendInvoiceRequestSchema,
  subscriberListSchema,
  subscriberSchema,
  turnoverSchema,
  updateBillingTemplateRequestSchema,
  updateClientRequestSchema,
  updateWebhookRequestSchema,
  webhookDeliveriesQuerySchema,
  webhookDeliveryListSchema,
  webhookListSchema,
  webhookSchema,
} from './schemas/index.js';

/**
 * An Ummah endpoint: every POST acts (and carries an Idempotency-Key), every other method is idempotent, as the
 * reference documents them (its PATCHes set fields to values).
 */
function endpoint<
  const Path extends string,
  Request extends z.ZodType | undefined = undefined,
  Response extends z.ZodType = z.ZodType,
  Item = never,
>(spec: {
  method: HttpMethod;
  path: Path;
  request?: Request;
  response: Response;
  items?: (page: z.output<Response>) => readonly Item[];
}): Endpoint<Path, Request, Response, Item> {
  return defineEndpoint({ ...spec, idempotent: spec.method !== 'POST' });
}

const results = <T>(page: { results: T[] }) => page.results;

/**
 * Every endpoint of the Ummah reference (seed 000), plus `POST /purchases/{id}/charge/` and the list of a client's
 * recurring tokens that the CHIP family documents. Grouped the way the client exposes them.
 */
export const ENDPOINTS = {
  purchases: {
    create: endpoint({
      method: 'POST',
      path: 'purchases/',
      request: createPurchaseRequestSchema,
      response: purchaseSchema,
    }),
    retrieve: endpoint({ method: 'GET', path: 'purchases/{id}/', response: purchaseSchema }),
    cancel: endpoint({
      method: 'POST',
      path: 'purchases/{id}/cancel/',
      response: purchaseActionResponseSchema,
    }),
    release: endpoint({
      method: 'POST',
      path: 'purchases/{id}/release/',
      response: purchaseActionResponseSchema,
    }),
    capture: endpoint({
      method: 'POST',
      path: 'purchases/{id}/capture/',
      request: capturePurchaseRequestSchema,
      response: purchaseActionResponseSchema,
    }),
    refund: endpoint({
      method: 'POST',
      path: 'purchases/{id}/refund/',
      request: refundPurchaseRequestSchema,
      response: refundSchema,
    }),
    markAsPaid: endpoint({
      method: 'POST',
      path: 'purchases/{id}/mark_as_paid/',
      request: markAsPaidRequestSchema,
      response: purchaseActionResponseSchema,
    }),
    resendInvoice: endpoint({
      method: 'POST',
      path: 'purchases/{id}/resend_invoice/',
      response: purchaseActionResponseSchema,
    }),
    deleteRecurringToken: endpoint({
      method: 'POST',
      path: 'purchases/{id}/delete_recurring_token/',
      response: purchaseActionResponseSchema,
    }),
    charge: endpoint({
      method: 'POST',
      path: 'purchases/{id}/charge/',
      request: chargePurchaseRequestSchema,
      response: purchaseActionResponseSchema,
    }),
  },
  paymentMethods: {
    list: endpoint({
      method: 'GET',
      path: 'payment_methods/',
      request: paymentMethodsQuerySchema,
      response: paymentMethodsSchema,
    }),
  },
  payoutMethods: {
    list: endpoint({
      method: 'GET',
      path: 'payout_methods/',
      request: paymentMethodsQuerySchema,
      response: payoutMethodsSchema,
    }),
  },
  billingTemplates: {
    create: endpoint({
      method: 'POST',
      path: 'billing_templates/',
      request: createBillingTemplateRequestSchema,
      response: billingTemplateSchema,
    }),
    list: endpoint({
      method: 'GET',
      path: 'billing_templates/',
      request: listQuerySchema,
      response: billingTemplateListSchema,
      items: results,
    }),
    retrieve: endpoint({ method: 'GET', path: 'billing_templates/{id}/', response: billingTemplateSchema }),
    update: endpoint({
      method: 'PUT',
      path: 'billing_templates/{id}/',
      request: updateBillingTemplateRequestSchema,
      response: billingTemplateSchema,
    }),
    delete: endpoint({ method: 'DELETE', path: 'billing_templates/{id}/', response: emptyResponseSchema }),
    addSubscriber: endpoint({
      method: 'POST',
      path: 'billing_templates/{id}/add_subscriber/',
      request: addSubscriberRequestSchema,
      response: addSubscriberResponseSchema,
    }),
    sendInvoice: endpoint({
      method: 'POST',
      path: 'billing_templates/{id}/send_invoice/',
      request: sendInvoiceRequestSchema,
      response: purchaseSchema,
    }),
    subscribers: {
      list: endpoint({
        method: 'GET',
        path: 'billing_templates/{id}/clients/',
        request: listQuerySchema,
        response: subscriberListSchema,
        items: results,
      }),
      retrieve: endpoint({
        method: 'GET',
        path: 'billing_templates/{id}/clients/{client_id}/',
        response: subscriberSchema,
      }),
      update: endpoint({
        method: 'PATCH',
        path: 'billing_templates/{id}/clients/{client_id}/',
        request: patchSubscriberRequestSchema,
        response: subscriberSchema,
      }),
    },
  },
  billing: {
    createInvoice: endpoint({
      method: 'POST',
      path: 'billing/',
      request: createInvoiceRequestSchema,
      response: createInvoiceResponseSchema,
    }),
  },
  clients: {
    create: endpoint({
      method: 'POST',
      path: 'clients/',
      request: createClientRequestSchema,
      response: clientSchema,
    }),
    list: endpoint({
      method: 'GET',
      path: 'clients/',
      request: listQuerySchema,
      response: clientListSchema,
      items: results,
    }),
    retrieve: endpoint({ method: 'GET', path: 'clients/{id}/', response: clientSchema }),
    update: endpoint({
      method: 'PUT',
      path: 'clients/{id}/',
      request: updateClientRequestSchema,
      response: clientSchema,
    }),
    patch: endpoint({
      method: 'PATCH',
      path: 'clients/{id}/',
      request: patchClientRequestSchema,
      response: clientSchema,
    }),
    delete: endpoint({ method: 'DELETE', path: 'clients/{id}/', response: emptyResponseSchema }),
    recurringTokens: {
      list: endpoint({
        method: 'GET',
        path: 'clients/{client_id}/recurring_tokens/',
        request: listQuerySchema,
        response: recurringTokenListSchema,
        items: results,
      }),
      retrieve: endpoint({
        method: 'GET',
        path: 'clients/{client_id}/recurring_tokens/{token_id}/',
        response: recurringTokenSchema,
      }),
      delete: endpoint({
        method: 'DELETE',
        path: 'clients/{client_id}/recurring_tokens/{token_id}/',
        response: emptyResponseSchema,
      }),
    },
  },
  balance: {
    retrieve: endpoint({
      method: 'GET',
      path: 'balance/',
      request: accountReportQuerySchema,
      response: balanceSchema,
    }),
  },
  account: {
    balance: endpoint({
      method: 'GET',
      path: 'account/json/balance/',
      request: accountReportQuerySchema,
      response: balanceSchema,
    }),
    turnover: endpoint({
      method: 'GET',
      path: 'account/json/turnover/',
      request: accountReportQuerySchema,
      response: turnoverSchema,
    }),
  },
  companyStatements: {
    create: endpoint({
      method: 'POST',
      path: 'company_statements/',
      request: createCompanyStatementRequestSchema,
      response: companyStatementSchema,
    }),
    list: endpoint({
      method: 'GET',
      path: 'company_statements/',
      request: listQuerySchema,
      response: companyStatementListSchema,
      items: results,
    }),
    retrieve: endpoint({ method: 'GET', path: 'company_statements/{id}/', response: companyStatementSchema }),
    cancel: endpoint({
      method: 'POST',
      path: 'company_statements/{id}/cancel/',
      response: companyStatementCancelResponseSchema,
    }),
  },
  webhooks: {
    create: endpoint({
      method: 'POST',
      path: 'webhooks/',
      request: createWebhookRequestSchema,
      response: webhookSchema,
    }),
    list: endpoint({
      method: 'GET',
      path: 'webhooks/',
      request: listQuerySchema,
      response: webhookListSchema,
      items: results,
    }),
    retrieve: endpoint({ method: 'GET', path: 'webhooks/{id}/', response: webhookSchema }),
    update: endpoint({
      method: 'PUT',
      path: 'webhooks/{id}/',
      request: updateWebhookRequestSchema,
      response: webhookSchema,
    }),
    patch: endpoint({
      method: 'PATCH',
      path: 'webhooks/{id}/',
      request: patchWebhookRequestSchema,
      response: webhookSchema,
    }),
    delete: endpoint({ method: 'DELETE', path: 'webhooks/{id}/', response: emptyResponseSchema }),
    deliveries: endpoint({
      method: 'GET',
      path: 'webhooks/deliveries/',
      request: webhookDeliveriesQuerySchema,
      response: webhookDeliveryListSchema,
      items: results,
    }),
  },
  publicKey: {
    retrieve: endpoint({ method: 'GET', path: 'public_key/', response: publicKeyResponseSchema }),
  },
} as const;

export type Endpoints = typeof ENDPOINTS;

/**
 * `GET /purchases/{id}/` (the table's `purchases.retrieve`) answered as a checked `PurchaseView` that keeps the
 * gateway's object whole: what a read that only settles needs (see `purchaseViewSchema`).
 */
export const PURCHASE_VIEW = endpoint({
  method: 'GET',
  path: 'purchases/{id}/',
  response: checkedInPlace(purchaseViewSchema),
});

/** Every Ummah endpoint with its dotted name (`clients.recurringTokens.list`), in declaration order. */
export function listEndpoints(group: object = ENDPOINTS): NamedEndpoint[] {
  return listGroupEndpoints(group);
}

export type { Endpoint, NamedEndpoint };
