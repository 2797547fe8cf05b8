import type { CardRevocation, ClientService } from './clients.js';
import type { PurchaseRecord } from './purchase-model.js';
import type { PurchaseService } from './purchases.js';

/**
 * A saved card lives in two places: on the purchase that saved it (`is_recurring_token`, its id is the token) and
 * in its client's token list. Whatever removes one removes both, and says so with
 * `purchase.recurring_token_deleted`.
 */
export class SavedCards implements CardRevocation {
  private readonly purchases: PurchaseService;
  private readonly clients: ClientService;

  constructor(purchases: PurchaseService, clients: ClientService) {
    this.purchases = purchases;
    this.clients = clients;
  }

  /** Deleting a client revokes every card it saved. */
  deleteClient(clientId: string): void {
    this.clients.get(clientId);
    for (const token of this.clients.tokens(clientId)) this.revoke(token.id);
    this.clients.delete(clientId);
  }

  deleteClientToken(clientId: string, tokenId: string): void {
    this.revoke(this.clients.token(clientId, tokenId).id);
  }

  /** The latest saved card of a client that still works, if any. */
  latestToken(clientId: string): PurchaseRecord | undefined {
    for (const token of this.clients.tokens(clientId).reverse()) {
      const record = this.purchases.find(token.id);
      if (record?.object.is_recurring_token && record.card) return record;
    }
    return undefined;
  }

  private revoke(purchaseId: string): void {
    const record = this.purchases.find(purchaseId);
    if (record) this.purchases.revokeToken(record);
    else this.clients.dropToken(purchaseId);
  }
}
