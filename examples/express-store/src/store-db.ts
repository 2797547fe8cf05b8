/**
 * The store's own records on node:sqlite: sessions (a browser's customer id), carts and orders, and each order's
 * payment timeline. Payments themselves live in the plugin's ledger; the store only reacts to its events.
 */
import { randomBytes } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import { openSqliteDatabase, type CaptureMode } from '@tijara/core';
import { CURRENCY, findProduct } from './catalog.js';

export type OrderStatus =
  | 'awaiting_payment'
  | 'payment_failed'
  | 'authorized'
  | 'paid'
  | 'partially_refunded'
  | 'refunded'
  | 'canceled';

export interface OrderLine {
  readonly productId: string;
  readonly name: string;
  readonly price: number;
  readonly quantity: number;
}

/** Where the order goes, for gateways that want it (Postpay). */
export interface ShippingDetails {
  readonly line1: string;
  readonly city: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly phone?: string;
}

export interface Buyer {
  readonly email: string;
  readonly name: string;
  readonly shipping?: ShippingDetails;
}

export interface Order {
  readonly id: string;
  readonly sessionId: string;
  readonly customerId: string;
  readonly email: string;
  readonly name: string;
  readonly shipping: ShippingDetails | undefined;
  readonly status: OrderStatus;
  readonly amount: number;
  readonly currency: string;
  readonly capture: CaptureMode;
  readonly refunded: number;
  readonly lines: readonly OrderLine[];
  readonly createdAt: Date;
}

export interface TimelineEntry {
  readonly type: string;
  readonly amount: number;
  readonly at: Date;
}

export interface CartLine extends OrderLine {
  readonly total: number;
}

type Row = Record<string, unknown>;

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

export class StoreDb {
  readonly #db: DatabaseSync;
  /** The currency every new order is priced in (catalog prices are minor units of it). */
  readonly currency: string;

  constructor(path: string, currency: string = CURRENCY) {
    this.currency = currency;
    // Core's opener: WAL, a busy timeout, and a new file readable by this user only (0600, directory 0700).
    this.#db = openSqliteDatabase(path);
    this.#db.exec(`
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  email TEXT,
  name TEXT,
  open_order_id TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cart_items (
  session_id TEXT NOT NULL,
  product_id TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  PRIMARY KEY (session_id, product_id)
);
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  capture TEXT NOT NULL,
  refunded INTEGER NOT NULL DEFAULT 0,
  lines TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS order_events (
  event_id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  type TEXT NOT NULL,
  amount INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);`);
    // Added with the gateways that want a delivery address; older files get the column.
    for (const table of ['sessions', 'orders']) {
      const columns = this.#db.prepare(`PRAGMA table_info(${table})`).all() as Row[];
      if (!columns.some((column) => column.name === 'shipping'))
        this.#db.exec(`ALTER TABLE ${table} ADD COLUMN shipping TEXT`);
    }
  }

  // -------------------------------------------------------------------------------------------- sessions

  createSession(): string {
    const id = randomBytes(24).toString('base64url');
    this.#db
      .prepare('INSERT INTO sessions (id, customer_id, created_at) VALUES (?, ?, ?)')
      .run(id, newId('cus'), Date.now());
    return id;
  }

  session(
    id: string,
  ):
    | { id: string; customerId: string; email?: string; name?: string; shipping?: ShippingDetails }
    | undefined {
    const row = this.#db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    return {
      id: String(row.id),
      customerId: String(row.customer_id),
      ...(row.email ? { email: String(row.email) } : {}),
      ...(row.name ? { name: String(row.name) } : {}),
      ...(row.shipping ? { shipping: JSON.parse(String(row.shipping)) as ShippingDetails } : {}),
    };
  }

  // ------------------------------------------------------------------------------------------------ cart

  addToCart(sessionId: string, productId: string, quantity: number): void {
    this.#db
      .prepare(
        `INSERT INTO cart_items (session_id, product_id, quantity) VALUES (?, ?, ?)
         ON CONFLICT (session_id, product_id) DO UPDATE SET quantity = MIN(quantity + excluded.quantity, 20)`,
      )
      .run(sessionId, productId, quantity);
  }

  setQuantity(sessionId: string, productId: string, quantity: number): void {
    if (quantity <= 0) {
      this.#db
        .prepare('DELETE FROM cart_items WHERE session_id = ? AND product_id = ?')
        .run(sessionId, productId);
    } else {
      this.#db
        .prepare('UPDATE cart_items SET quantity = ? WHERE session_id = ? AND product_id = ?')
        .run(Math.min(quantity, 20), sessionId, productId);
    }
  }

  cart(sessionId: string): CartLine[] {
    const rows = this.#db
      .prepare('SELECT product_id, quantity FROM cart_items WHERE session_id = ? ORDER BY product_id')
      .all(sessionId) as Row[];
    return rows.flatMap((row) => {
      const product = findProduct(String(row.product_id));
      if (!product) return [];
      const quantity = Number(row.quantity);
      return [
        {
          productId: product.id,
          name: product.name,
          price: product.price,
          quantity,
          total: product.price * quantity,
        },
      ];
    });
  }

  // ---------------------------------------------------------------------------------------------- orders

  /**
   * The order for this cart: the still-unpaid one from an earlier checkout when the cart did not change (so a
   * buyer who canceled on the payment page pays the same order), else a new one.
   */
  orderForCart(sessionId: string, buyer: Buyer): Order | undefined {
    const lines = this.cart(sessionId);
    if (lines.length === 0) return undefined;
    const session = this.session(sessionId);
    if (!session) return undefined;
    const shipping = buyer.shipping ? JSON.stringify(buyer.shipping) : null;
    this.#db
      .prepare('UPDATE sessions SET email = ?, name = ?, shipping = COALESCE(?, shipping) WHERE id = ?')
      .run(buyer.email, buyer.name, shipping, sessionId);
    const amount = lines.reduce((sum, line) => sum + line.total, 0);
    const capture: CaptureMode = lines.some((line) => findProduct(line.productId)?.capture === 'manual')
      ? 'manual'
      : 'automatic';
    const snapshot = JSON.stringify(
      lines.map(({ productId, name, price, quantity }) => ({ productId, name, price, quantity })),
    );
    const openId = (
      this.#db.prepare('SELECT open_order_id FROM sessions WHERE id = ?').get(sessionId) as Row | undefined
    )?.open_order_id;
    const open = openId ? this.order(String(openId)) : undefined;
    if (
      open &&
      (open.status === 'awaiting_payment' || open.status === 'payment_failed') &&
      open.currency === this.currency &&
      JSON.stringify(open.lines) === snapshot &&
      open.email === buyer.email &&
      open.name === buyer.name &&
      JSON.stringify(open.shipping ?? null) === (shipping ?? 'null')
    ) {
      return open;
    }
    const id = newId('ord');
    this.#db
      .prepare(
        `INSERT INTO orders (id, session_id, customer_id, email, name, shipping, status, amount, currency, capture, lines, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'awaiting_payment', ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        sessionId,
        session.customerId,
        buyer.email,
        buyer.name,
        shipping,
        amount,
        this.currency,
        capture,
        snapshot,
        Date.now(),
      );
    this.#db.prepare('UPDATE sessions SET open_order_id = ? WHERE id = ?').run(id, sessionId);
    return this.order(id);
  }

  order(id: string): Order | undefined {
    const row = this.#db.prepare('SELECT * FROM orders WHERE id = ?').get(id) as Row | undefined;
    return row && orderFromRow(row);
  }

  ordersOf(sessionId: string): Order[] {
    return (
      this.#db
        .prepare('SELECT * FROM orders WHERE session_id = ? ORDER BY created_at DESC')
        .all(sessionId) as Row[]
    ).map(orderFromRow);
  }

  allOrders(limit = 100): Order[] {
    return (
      this.#db.prepare('SELECT * FROM orders ORDER BY created_at DESC LIMIT ?').all(limit) as Row[]
    ).map(orderFromRow);
  }

  /**
   * Apply one payment event, once per event id (the plugin already delivers each once; this is the store's own
   * belt and braces). `next` decides the new status from the current one. Returns false for a repeat.
   */
  applyPaymentEvent(
    event: { id: string; orderId: string; type: string; amount: number },
    next: (order: Order) => { status: OrderStatus; refunded?: number },
  ): boolean {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const inserted = this.#db
        .prepare(
          'INSERT INTO order_events (event_id, order_id, type, amount, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .run(event.id, event.orderId, event.type, event.amount, Date.now());
      const order = this.order(event.orderId);
      if (Number(inserted.changes) === 1 && order) {
        const change = next(order);
        this.#db
          .prepare('UPDATE orders SET status = ?, refunded = ? WHERE id = ?')
          .run(change.status, change.refunded ?? order.refunded, order.id);
        if (change.status === 'paid' || change.status === 'authorized') {
          // The cart became this order: empty it.
          this.#db.prepare('DELETE FROM cart_items WHERE session_id = ?').run(order.sessionId);
          this.#db
            .prepare('UPDATE sessions SET open_order_id = NULL WHERE id = ? AND open_order_id = ?')
            .run(order.sessionId, order.id);
        }
      }
      this.#db.exec('COMMIT');
      return Number(inserted.changes) === 1;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  timeline(orderId: string): TimelineEntry[] {
    return (
      this.#db
        .prepare(
          'SELECT type, amount, created_at FROM order_events WHERE order_id = ? ORDER BY created_at, rowid',
        )
        .all(orderId) as Row[]
    ).map((row) => ({
      type: String(row.type),
      amount: Number(row.amount),
      at: new Date(Number(row.created_at)),
    }));
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

function orderFromRow(row: Row): Order {
  return {
    id: String(row.id),
    sessionId: String(row.session_id),
    customerId: String(row.customer_id),
    email: String(row.email),
    name: String(row.name),
    shipping: row.shipping ? (JSON.parse(String(row.shipping)) as ShippingDetails) : undefined,
    status: String(row.status) as OrderStatus,
    amount: Number(row.amount),
    currency: String(row.currency),
    capture: String(row.capture) as CaptureMode,
    refunded: Number(row.refunded),
    lines: JSON.parse(String(row.lines)) as OrderLine[],
    createdAt: new Date(Number(row.created_at)),
  };
}
