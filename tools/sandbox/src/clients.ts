import { ENDPOINTS } from '@tijara/ummah';
import { notFound } from './api-errors.js';
import type { SandboxContext } from './context.js';
import { implement, listPage, noContent, type Implementation } from './endpoints.js';
import { newId } from './ids.js';
import { clientDetails, type PurchaseRecord } from './purchases.js';

export interface Client extends Record<string, unknown> {
  id: string;
  type: string;
  client_type: string;
  email: string;
  is_test: true;
  company_id: string;
  created_on: number;
  updated_on: number;
}

/** A saved card of a client. Its id is the id of the purchase that saved it (what `charge/` takes). */
export interface ClientRecurringToken {
  id: string;
  type: 'client_recurring_token';
  client_id: string;
  recurring_token: string;
  payment_method: 'card';
  description: string;
  card_brand: string;
  masked_pan: string;
  expiry_month: number;
  expiry_year: number;
  cardholder_name: string;
  is_test: true;
  created_on: number;
  updated_on: number;
}

export class ClientService {
  private readonly sandbox: SandboxContext;

  constructor(sandbox: SandboxContext) {
    this.sandbox = sandbox;
  }

  find(id: string): Client | undefined {
    return this.sandbox.store.get<Client>('client', id);
  }

  get(id: string): Client {
    const client = this.find(id);
    if (!client) throw notFound();
    return client;
  }

  create(fields: Record<string, unknown>): Client {
    const now = this.sandbox.clock.now();
    const client: Client = {
      id: newId(),
      // Seed 000 shows `"type": "personal"` on a Client; CHIP's client kind is `client_type`.
      type: 'personal',
      client_type: 'personal',
      ...clientDetails(fields),
      is_test: true,
      company_id: this.sandbox.config.companyId,
      created_on: now,
      updated_on: now,
    };
    return this.sandbox.store.put('client', client);
  }

  /** PUT replaces every field; PATCH (`partial`) keeps what the body does not mention. */
  update(id: string, fields: Record<string, unknown>, partial: boolean): Client {
    const client = this.get(id);
    const merged = partial ? { ...client, ...fields } : fields;
    const updated: Client = {
      ...client,
      ...clientDetails(merged),
      updated_on: this.sandbox.clock.now(),
    };
    return this.sandbox.store.put('client', updated);
  }

  delete(id: string): void {
    this.get(id);
    for (const token of this.tokens(id)) {
      const record = this.sandbox.purchases.find(token.id);
      if (record) this.sandbox.purchases.revokeToken(record);
      else this.dropToken(token.id);
    }
    this.sandbox.store.delete('client', id);
  }

  tokens(clientId: string): ClientRecurringToken[] {
    return this.sandbox.store.list<ClientRecurringToken>('recurring_token', { '$.client_id': clientId });
  }

  token(clientId: string, tokenId: string): ClientRecurringToken {
    this.get(clientId);
    const token = this.sandbox.store.get<ClientRecurringToken>('recurring_token', tokenId);
    if (!token || token.client_id !== clientId) throw notFound();
    return token;
  }

  /** Called when a purchase made with `client_id` saves its card. */
  saveToken(clientId: string, record: PurchaseRecord, description: string): void {
    if (!this.find(clientId) || !record.card) return;
    const now = this.sandbox.clock.now();
    const extra = record.card.extra;
    this.sandbox.store.put<ClientRecurringToken>('recurring_token', {
      id: record.id,
      type: 'client_recurring_token',
      client_id: clientId,
      recurring_token: record.id,
      payment_method: 'card',
      description,
      card_brand: extra.card_brand,
      masked_pan: extra.masked_pan,
      expiry_month: extra.expiry_month,
      expiry_year: extra.expiry_year,
      cardholder_name: extra.cardholder_name,
      is_test: true,
      created_on: now,
      updated_on: now,
    });
  }

  /** The latest saved card of a client that still works, if any. */
  latestToken(clientId: string): PurchaseRecord | undefined {
    const tokens = this.tokens(clientId).reverse();
    for (const token of tokens) {
      const record = this.sandbox.purchases.find(token.id);
      if (record?.object.is_recurring_token && record.card) return record;
    }
    return undefined;
  }

  dropToken(purchaseId: string): void {
    this.sandbox.store.delete('recurring_token', purchaseId);
  }
}

const C = ENDPOINTS.clients;
const tag = 'Customers';

export function clientEndpoints(): Implementation[] {
  return [
    implement(C.create, { summary: 'Create a client', tag, status: 201 }, ({ sandbox, input }) =>
      sandbox.clients.create(input),
    ),
    implement(C.list, { summary: 'List clients', tag }, (ctx) => {
      const q = typeof ctx.req.query['q'] === 'string' ? ctx.req.query['q'].toLowerCase() : undefined;
      const all = ctx.sandbox.store.list<Client>('client').reverse();
      return listPage(ctx, q ? all.filter((c) => c.email.toLowerCase().includes(q)) : all);
    }),
    implement(C.retrieve, { summary: 'Retrieve a client', tag }, ({ sandbox, params }) =>
      sandbox.clients.get(params['id']!),
    ),
    implement(C.update, { summary: 'Update a client', tag }, ({ sandbox, params, input }) =>
      sandbox.clients.update(params['id']!, input, false),
    ),
    implement(C.patch, { summary: 'Partially update a client', tag }, ({ sandbox, params, input }) =>
      sandbox.clients.update(params['id']!, input, true),
    ),
    implement(C.delete, { summary: 'Delete a client', tag }, ({ sandbox, params }) => {
      sandbox.clients.delete(params['id']!);
      return noContent();
    }),
    implement(C.recurringTokens.list, { summary: "List a client's saved payment methods", tag }, (ctx) => {
      ctx.sandbox.clients.get(ctx.params['client_id']!);
      return listPage(ctx, ctx.sandbox.clients.tokens(ctx.params['client_id']!).reverse());
    }),
    implement(
      C.recurringTokens.retrieve,
      { summary: 'Get a saved payment method', tag },
      ({ sandbox, params }) => sandbox.clients.token(params['client_id']!, params['token_id']!),
    ),
    implement(
      C.recurringTokens.delete,
      { summary: 'Delete a saved payment method', tag },
      ({ sandbox, params }) => {
        const token = sandbox.clients.token(params['client_id']!, params['token_id']!);
        const record = sandbox.purchases.find(token.id);
        if (record) sandbox.purchases.revokeToken(record);
        else sandbox.clients.dropToken(token.id);
        return noContent();
      },
    ),
  ];
}
