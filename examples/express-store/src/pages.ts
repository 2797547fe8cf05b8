/** Server-rendered pages. Every value goes through the `html` tag, which escapes it. */
import { fromMinorUnits } from '@tijara/core';
import type { LedgerPayment, LedgerRefund, LedgerSavedMethod } from '@tijara/express';
import { PRODUCTS } from './catalog.js';
import { html, money, type Html } from './html.js';
import type { CartLine, Order, OrderStatus, TimelineEntry } from './store-db.js';

export interface Layout {
  readonly title: string;
  readonly current?: 'shop' | 'cart' | 'orders' | 'admin';
  readonly cartCount: number;
}

export type Notice = { readonly tone: 'good' | 'bad' | 'info'; readonly text: string } | undefined;

export function layout(page: Layout, body: Html): string {
  const link = (href: string, key: Layout['current'], label: Html | string) =>
    html`<a href="${href}" ${page.current === key ? html` class="current"` : ''}>${label}</a>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${page.title} · Souq Tijara</title>
        <link rel="stylesheet" href="/styles.css" />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">Souq <span>Tijara</span></a>
          <nav>
            ${link('/', 'shop', 'Shop')}${link('/cart', 'cart', html`Cart (<span id="cart-count">${page.cartCount}</span>)`)}${link('/orders', 'orders', 'Orders')}${link('/admin', 'admin', 'Admin')}
          </nav>
        </header>
        <main>${body}</main>
        <footer>
          Test mode: payments go to the local Tijara sandbox. <code>4242 4242 4242 4242</code> pays,
          <code>4000 0000 0000 0002</code> is declined, <code>4000 0000 0000 3220</code> asks for 3-D Secure
          (any future expiry, CVC <code>123</code>).
        </footer>
      </body>
    </html> `.text;
}

function notice(n: Notice): Html | '' {
  return n ? html`<p class="notice ${n.tone}" id="notice" role="status">${n.text}</p>` : '';
}

const STATUS_LABELS: Record<OrderStatus, string> = {
  awaiting_payment: 'Awaiting payment',
  payment_failed: 'Payment failed',
  authorized: 'Card held',
  paid: 'Paid',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
  canceled: 'Canceled',
};

function statusBadge(status: OrderStatus): Html {
  return html`<span class="status ${status}" id="order-status" data-status="${status}"
    >${STATUS_LABELS[status]}</span
  >`;
}

export function productsPage(flash: Notice, currency: string): Html {
  const tiles = PRODUCTS.map(
    (p) =>
      html`<article class="product" id="product-${p.id}">
        <div class="swatch" style="background:${p.swatch}" aria-hidden="true">${p.name.charAt(0)}</div>
        <div class="body">
          <h3>${p.name}</h3>
          <p>${p.description}</p>
          ${p.capture === 'manual' ? html`<span><span class="badge hold">Charged when it ships</span></span>` : ''}
          <div class="row" style="justify-content:space-between;align-items:center">
            <span class="price">${money(p.price, currency)}</span>
            <form method="post" action="/cart/items">
              <input type="hidden" name="productId" value="${p.id}" /><button type="submit" id="add-${p.id}">
                Add to cart
              </button>
            </form>
          </div>
        </div>
      </article>`,
  );
  return html`<h1>Shop</h1>
    ${notice(flash)}
    <div class="grid">${tiles}</div>`;
}

export interface CartView {
  readonly lines: readonly CartLine[];
  readonly buyer: { email?: string; name?: string };
  readonly savedMethods: readonly LedgerSavedMethod[];
  readonly flash: Notice;
  readonly currency: string;
}

export function cartPage(view: CartView): Html {
  const { currency } = view;
  if (view.lines.length === 0) {
    return html`<h1>Cart</h1>
      ${notice(view.flash)}
      <p class="muted" id="cart-empty">Your cart is empty. <a href="/">Browse the shop</a>.</p>`;
  }
  const total = view.lines.reduce((sum, line) => sum + line.total, 0);
  const rows = view.lines.map(
    (line) =>
      html`<tr>
        <td>${line.name}</td>
        <td class="num">${money(line.price, currency)}</td>
        <td class="num">
          <form method="post" action="/cart/items/${line.productId}" class="actions">
            <input
              type="number"
              name="quantity"
              min="0"
              max="20"
              value="${line.quantity}"
              aria-label="Quantity of ${line.name}"
            /><button class="small secondary" type="submit">Update</button>
          </form>
        </td>
        <td class="num">${money(line.total, currency)}</td>
      </tr>`,
  );
  const buyer = html`<label
      >Full name
      <input
        type="text"
        id="name"
        name="name"
        required
        maxlength="80"
        autocomplete="name"
        value="${view.buyer.name ?? ''}"
    /></label>
    <label
      >Email
      <input
        type="email"
        id="email"
        name="email"
        required
        maxlength="120"
        autocomplete="email"
        value="${view.buyer.email ?? ''}"
    /></label>`;
  const oneClick =
    view.savedMethods.length > 0 && view.buyer.email
      ? html`<div class="panel" id="one-click">
          <h2 style="margin-top:0">Pay in one click</h2>
          <p class="muted">With a card you saved before; no payment page.</p>
          <div class="cards">
            ${view.savedMethods.map(
              (m) =>
                html`<form method="post" action="/checkout">
                  <input type="hidden" name="name" value="${view.buyer.name ?? ''}" /><input
                    type="hidden"
                    name="email"
                    value="${view.buyer.email ?? ''}"
                  />
                  <input type="hidden" name="savedMethodId" value="${m.id}" />
                  <button type="submit" class="one-click" id="pay-with-${m.id}">
                    Pay ${money(total, currency)} with ${cardLabel(m)}
                  </button>
                </form>`,
            )}
          </div>
        </div>`
      : '';
  return html`<h1>Cart</h1>
    ${notice(view.flash)}
    <table id="cart">
      <thead>
        <tr>
          <th>Item</th>
          <th class="num">Price</th>
          <th class="num">Qty</th>
          <th class="num">Total</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
    <div class="total"><span>Total</span><span id="cart-total">${money(total, currency)}</span></div>
    ${oneClick}
    <form class="panel" method="post" action="/checkout" id="checkout-form">
      <h2 style="margin-top:0">Checkout</h2>
      <div class="row">${buyer}</div>
      <p>
        <label class="check"
          ><input type="checkbox" id="save_card" name="saveCard" /> Save my card for one-click payments next
          time</label
        >
      </p>
      <button type="submit" id="checkout">Pay ${money(total, currency)} securely</button>
      <p class="muted">You will enter your card on the payment page of the gateway (the local sandbox).</p>
    </form>`;
}

export function cardLabel(m: LedgerSavedMethod): string {
  const brand = m.brand ? m.brand.charAt(0).toUpperCase() + m.brand.slice(1) : 'Card';
  const expiry =
    m.expiryMonth && m.expiryYear
      ? ` (${String(m.expiryMonth).padStart(2, '0')}/${String(m.expiryYear).slice(-2)})`
      : '';
  return `${brand} •••• ${m.last4 ?? '????'}${expiry}`;
}

export interface OrderView {
  readonly order: Order;
  readonly payments: readonly LedgerPayment[];
  readonly refunds: readonly LedgerRefund[];
  readonly timeline: readonly TimelineEntry[];
  readonly flash: Notice;
  /** The admin's read-only view: no "Pay now", a way back to the admin page. */
  readonly forAdmin?: boolean;
}

const PAYMENT_STATUS_LABELS: Record<string, string> = {
  pending: 'awaiting the buyer',
  processing: 'processing',
  authorized: 'held',
  paid: 'paid',
  partially_refunded: 'partly refunded',
  refunded: 'refunded',
  canceled: 'canceled',
  failed: 'declined',
  expired: 'expired',
  disputed: 'disputed',
};

const EVENT_LABELS: Record<string, string> = {
  'payment.authorized': 'Card held',
  'payment.paid': 'Paid',
  'payment.failed': 'Payment declined',
  'payment.canceled': 'Payment canceled',
  'payment.refunded': 'Refunded',
  'payment.disputed': 'Disputed',
};

export function orderPage(view: OrderView): Html {
  const { order } = view;
  const lines = order.lines.map(
    (line) =>
      html`<tr>
        <td>${line.name}</td>
        <td class="num">${line.quantity}</td>
        <td class="num">${money(line.price * line.quantity, order.currency)}</td>
      </tr>`,
  );
  const canPay = !view.forAdmin && (order.status === 'awaiting_payment' || order.status === 'payment_failed');
  const attempts = view.payments.map(
    (p) =>
      html`<li>
        Attempt ${p.attempt}: ${p.kind === 'saved_method' ? 'saved card' : 'payment page'},
        ${PAYMENT_STATUS_LABELS[p.status] ?? p.status}${p.refundedAmount > 0 ? html`, ${money(p.refundedAmount, p.currency)} refunded` : ''}
      </li>`,
  );
  const events = view.timeline.map(
    (e) =>
      html`<li>
        ${e.at.toISOString().replace('T', ' ').slice(0, 19)} UTC: ${EVENT_LABELS[e.type] ?? e.type}
        (${money(e.amount, order.currency)})
      </li>`,
  );
  const explanation: Record<OrderStatus, string> = {
    awaiting_payment: 'We have not received your payment yet.',
    payment_failed: 'Your card was declined. You can try again with another card.',
    authorized: 'Your card is held for this amount. You are charged when the order ships.',
    paid: 'Thank you! Your payment has been received.',
    partially_refunded: 'Part of this order has been refunded.',
    refunded: 'This order has been refunded.',
    canceled: 'This order was canceled and the hold on your card released.',
  };
  return html`${view.forAdmin ? html`<p><a href="/admin">← Admin</a></p>` : ''}
    <h1>Order <span id="order-id">${order.id}</span></h1>
    ${notice(view.flash)}
    <p>
      ${statusBadge(order.status)}
      <span class="muted" id="order-explanation">${explanation[order.status]}</span>
    </p>
    <table>
      <thead>
        <tr>
          <th>Item</th>
          <th class="num">Qty</th>
          <th class="num">Total</th>
        </tr>
      </thead>
      <tbody>
        ${lines}
      </tbody>
    </table>
    <div class="total">
      <span>Total</span><span id="order-total">${money(order.amount, order.currency)}</span>
    </div>
    ${order.refunded > 0 ? html`<p>Refunded: <strong id="order-refunded">${money(order.refunded, order.currency)}</strong></p>` : ''}
    ${canPay ? html`<form method="post" action="/orders/${order.id}/pay"><button type="submit" id="retry">${order.status === 'payment_failed' ? 'Try again' : 'Pay now'}</button></form>` : ''}
    <div class="panel">
      <h2 style="margin-top:0">Payment</h2>
      ${
        attempts.length > 0
          ? html`<ul id="payment-attempts">
              ${attempts}
            </ul>`
          : html`<p class="muted">No payment yet.</p>`
      }
      ${
        events.length > 0
          ? html`<h2>History</h2>
              <ol class="timeline" id="timeline">
                ${events}
              </ol>`
          : ''
      }
    </div>`;
}

export function ordersPage(orders: readonly Order[]): Html {
  if (orders.length === 0)
    return html`<h1>Your orders</h1>
      <p class="muted">No orders yet.</p>`;
  const rows = orders.map(
    (o) =>
      html`<tr>
        <td><a href="/orders/${o.id}">${o.id}</a></td>
        <td>${o.createdAt.toISOString().slice(0, 10)}</td>
        <td><span class="status ${o.status}">${STATUS_LABELS[o.status]}</span></td>
        <td class="num">${money(o.amount, o.currency)}</td>
      </tr>`,
  );
  return html`<h1>Your orders</h1>
    <table>
      <thead>
        <tr>
          <th>Order</th>
          <th>Date</th>
          <th>Status</th>
          <th class="num">Total</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}

export interface AdminRow {
  readonly order: Order;
  readonly payments: readonly LedgerPayment[];
}

export interface AdminView {
  readonly rows: readonly AdminRow[];
  readonly savedMethods: ReadonlyArray<{
    customer: string;
    email: string;
    methods: readonly LedgerSavedMethod[];
  }>;
  readonly flash: Notice;
  /** A fresh id per refund form, so a double submit refunds once. */
  readonly refundId: () => string;
}

export function adminPage(view: AdminView): Html {
  const rows = view.rows.map(({ order, payments }) => {
    const latest = payments.at(-1);
    const base = `/payments/admin/orders/${encodeURIComponent(order.id)}`;
    const back = html`<input type="hidden" name="redirect" value="/admin" />`;
    const actions: Html[] = [];
    if (order.status === 'authorized') {
      actions.push(
        html`<form method="post" action="${base}/capture">
          ${back}<button class="small" type="submit" data-action="capture">Capture</button>
        </form>`,
      );
      actions.push(
        html`<form method="post" action="${base}/release">
          ${back}<button class="small danger" type="submit" data-action="release">Release</button>
        </form>`,
      );
    }
    if (order.status === 'paid' || order.status === 'partially_refunded') {
      actions.push(
        html`<form method="post" action="${base}/refund">
          ${back}<input type="hidden" name="refundId" value="${view.refundId()}" />
          <input
            type="text"
            name="amountDecimal"
            inputmode="decimal"
            placeholder="${fromMinorUnits(order.amount - order.refunded, order.currency)}"
            aria-label="Refund amount for ${order.id}"
            required
          />
          <button class="small secondary" type="submit" data-action="refund">Refund</button>
        </form>`,
      );
    }
    return html`<tr id="admin-order-${order.id}" data-status="${order.status}">
      <td>
        <a href="/admin/orders/${order.id}">${order.id}</a><br /><span class="muted"
          >${order.name} · ${order.email}</span
        >
      </td>
      <td>
        <span class="status ${order.status}">${STATUS_LABELS[order.status]}</span
        >${order.capture === 'manual' ? html`<br /><span class="badge hold">manual capture</span>` : ''}
      </td>
      <td class="num">
        ${money(order.amount, order.currency)}${order.refunded > 0 ? html`<br /><span class="muted">−${money(order.refunded, order.currency)}</span>` : ''}
      </td>
      <td>
        ${latest ? html`${PAYMENT_STATUS_LABELS[latest.status] ?? latest.status}<br /><span class="muted">${payments.length} attempt${payments.length === 1 ? '' : 's'}</span>` : html`<span class="muted">none</span>`}
      </td>
      <td><div class="actions">${actions}</div></td>
    </tr>`;
  });
  const cards = view.savedMethods.flatMap(({ customer, email, methods }) =>
    methods.map(
      (m) =>
        html`<tr id="saved-${m.id}">
          <td>${email}<br /><span class="muted">${customer}</span></td>
          <td>${cardLabel(m)}</td>
          <td>${m.holderName ?? ''}</td>
          <td>
            <form method="post" action="/payments/admin/saved-methods/${m.id}/delete">
              <input type="hidden" name="redirect" value="/admin" /><button
                class="small danger"
                type="submit"
                data-action="delete-card"
              >
                Delete
              </button>
            </form>
          </td>
        </tr>`,
    ),
  );
  return html`<h1>Admin</h1>
    ${notice(view.flash)}
    <h2>Orders</h2>
    ${
      rows.length > 0
        ? html`<table id="admin-orders">
            <thead>
              <tr>
                <th>Order</th>
                <th>Status</th>
                <th class="num">Total</th>
                <th>Payment</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              ${rows}
            </tbody>
          </table>`
        : html`<p class="muted">No orders yet.</p>`
    }
    <h2>Saved cards</h2>
    ${
      cards.length > 0
        ? html`<table id="saved-cards">
            <thead>
              <tr>
                <th>Customer</th>
                <th>Card</th>
                <th>Name on card</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${cards}
            </tbody>
          </table>`
        : html`<p class="muted">No saved cards.</p>`
    }`;
}

export function notFoundPage(): Html {
  return html`<h1>Not found</h1>
    <p>There is nothing here. <a href="/">Back to the shop</a>.</p>`;
}
