import { ENDPOINTS } from '@tijara/ummah';
import type { SandboxClock } from '../../engine/clock.js';
import type { ObjectStore } from '../../engine/database.js';
import { newId } from '../../engine/ids.js';
import { notFound } from './api-errors.js';
import type { SavedCard } from './cards.js';
import type { UmmahConfig } from './config.js';
import { implement, listPage, noContent, type Implementation } from './endpoints.js';
import { clientDetails } from './purchase-model.js';

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

/** Clients and the list of each one's saved cards. (Revoking a card on its purchase too: `saved-cards.ts`.) */
export class ClientService {
  private readonly store: ObjectStore;
  private readonly clock: SandboxClock;
  private readonly config: UmmahConfig;

  constructor(store: ObjectStore, clock: SandboxClock, config: UmmahConfig) {
    this.store = store;
    this.clock = clock;
    this.config = config;
  }

  find(id: string): Client | undefined {
    return this.store.get<Client>('client', id);
  }

  list(): Client[] {
    return this.store.list<Client>('client');
  }

  get(id: string): Client {
    const client = this.find(id);
    if (!client) throw notFound();
    return client;
  }

  create(fields: Record<string, unknown>): Client {
    const now = this.clock.now();
    const client: Client = {
      id: newId(),
      // Seed 000 shows `"type": "personal"` on a Client; CHIP's client kind is `client_type`.
      type: 'personal',
      client_type: 'personal',
      ...clientDetails(fields),
      is_test: true,
      company_id: this.config.companyId,
      created_on: now,
      updated_on: now,
    };
    return this.store.put('client', client);
  }

  /** PUT replaces every field; PATCH (`partial`) keeps what the body does not mention. */
  update(id: string, fields: Record<string, unknown>, partial: boolean): Client {
    const client = this.get(id);
    const merged = partial ? { ...client, ...fields } : fields;
    const updated: Client = {
      ...client,
      ...clientDetails(merged),
      updated_on: this.clock.now(),
    };
    return this.store.put('client', updated);
  }

  /** Only the client record; its saved cards are revoked first by `SavedCards.deleteClient`. */
  delete(id: string): void {
    this.get(id);
    this.store.delete('client', id);
  }

  tokens(clientId: string): ClientRecurringToken[] {
    return this.store.list<ClientRecurringToken>('recurring_token', { '$.client_id': clientId });
  }

  token(clientId: string, tokenId: string): ClientRecurringToken {
    this.get(clientId);
    const token = this.store.get<ClientRecurringToken>('recurring_token', tokenId);
    if (!token || token.client_id !== clientId) throw notFound();
    return token;
  }

  /** Called when a purchase made with `client_id` saves its card; the token is that purchase's id. */
  saveToken(clientId: string, purchaseId: string, card: SavedCard, description: string): void {
    if (!this.find(clientId)) return;
    const now = this.clock.now();
    const extra = card.extra;
    this.store.put<ClientRecurringToken>('recurring_token', {
      id: purchaseId,
      type: 'client_recurring_token',
      client_id: clientId,
      recurring_token: purchaseId,
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

  dropToken(purchaseId: string): void {
    this.store.delete('recurring_token', purchaseId);
  }
}

const C = ENDPOINTS.clients;
const tag = 'Customers';

/** What deleting a client or one of its cards does to the purchases that saved them (see `saved-cards.ts`). */
export interface CardRevocation {
  deleteClient(clientId: string): void;
  deleteClientToken(clientId: string, tokenId: string): void;
}

export function clientEndpoints(clients: ClientService, revocation: CardRevocation): Implementation[] {
  return [
    implement(C.create, { summary: 'Create a client', tag, status: 201 }, ({ input }) =>
      clients.create(input),
    ),
    implement(C.list, { summary: 'List clients', tag }, (ctx) => {
      const q = typeof ctx.req.query['q'] === 'string' ? ctx.req.query['q'].toLowerCase() : undefined;
      const all = clients.list().reverse();
      return listPage(ctx, q ? all.filter((c) => c.email.toLowerCase().includes(q)) : all);
    }),
    implement(C.retrieve, { summary: 'Retrieve a client', tag }, ({ params }) => clients.get(params['id']!)),
    implement(C.update, { summary: 'Update a client', tag }, ({ params, input }) =>
      clients.update(params['id']!, input, false),
    ),
    implement(C.patch, { summary: 'Partially update a client', tag }, ({ params, input }) =>
      clients.update(params['id']!, input, true),
    ),
    implement(C.delete, { summary: 'Delete a client', tag }, ({ params }) => {
      revocation.deleteClient(params['id']!);
      return noContent();
    }),
    implement(C.recurringTokens.list, { summary: "List a client's saved payment methods", tag }, (ctx) => {
      clients.get(ctx.params['client_id']!);
      return listPage(ctx, clients.tokens(ctx.params['client_id']!).reverse());
    }),
    implement(C.recurringTokens.retrieve, { summary: 'Get a saved payment method', tag }, ({ params }) =>
      clients.token(params['client_id']!, params['token_id']!),
    ),
    implement(C.recurringTokens.delete, { summary: 'Delete a saved payment method', tag }, ({ params }) => {
      revocation.deleteClientToken(params['client_id']!, params['token_id']!);
      return noContent();
    }),
  ];
}
