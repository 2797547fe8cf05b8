import { randomUUID } from 'node:crypto';
import type { LedgerContext } from './context.js';
import { savedMethodFromRow, sqlValue } from './rows.js';
import { all, get, run, type Program } from './sql/program.js';
import type { LedgerSavedMethod, NewSavedMethod } from './types.js';

/** Cards customers chose to keep, one row per customer, gateway and token. */
export class SavedMethods {
  readonly #c: LedgerContext;

  constructor(context: LedgerContext) {
    this.#c = context;
  }

  /** Insert or refresh (display data) a saved method; returns the stored row, whose id never changes. */
  async save(method: NewSavedMethod): Promise<LedgerSavedMethod> {
    return this.#c.write(() => this.saveProgram(method));
  }

  *saveProgram(method: NewSavedMethod): Program<LedgerSavedMethod> {
    const c = this.#c;
    const row = yield* get(c.q.saveMethod, {
      id: method.id ?? `pm_${randomUUID()}`,
      customer_key: method.customerKey,
      gateway: method.gateway,
      token: method.token,
      brand: sqlValue(method.brand),
      last4: sqlValue(method.last4),
      expiry_month: sqlValue(method.expiryMonth),
      expiry_year: sqlValue(method.expiryYear),
      holder_name: sqlValue(method.holderName),
      source_payment_id: method.sourcePaymentId,
      now: c.now(),
    });
    return savedMethodFromRow(row as NonNullable<typeof row>);
  }

  /** A customer's saved methods, oldest first. */
  async list(customerKey: string): Promise<LedgerSavedMethod[]> {
    const rows = await this.#c.read(() => all(this.#c.q.savedMethodsOf, { customer_key: customerKey }));
    return rows.map(savedMethodFromRow);
  }

  async get(id: string): Promise<LedgerSavedMethod | undefined> {
    const row = await this.#c.read(() => get(this.#c.q.savedMethodById, { id }));
    return row && savedMethodFromRow(row);
  }

  async delete(id: string): Promise<void> {
    const c = this.#c;
    await c.autocommit(() => run(c.q.deleteSavedMethod, { id }));
  }
}
