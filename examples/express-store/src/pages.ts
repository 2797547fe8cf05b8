/** Server-rendered pages. Every value goes through the `html` tag, which escapes it. */
import { fromMinorUnits, type Capabilities, type CaptureMode, type NextAction } from '@tijara/core';
import type { LedgerPayment, LedgerRefund, LedgerSavedMethod } from '@tijara/express';
import { PRODUCTS } from './catalog.js';
import type { GatewayProfile } from './gateways.js';
import { html, money, type Html } from './html.js';
import type { CartLine, Order, OrderStatus, ShippingDetails, TimelineEntry } from './store-db.js';

/** The gateway the store runs on, as the pages need it: what to say about it and what it can do. */
export interface ShopGateway {
  readonly profile: GatewayProfile;
  readonly capabilities: Capabilities;
}

/** Whether the gateway can take a payment of this capture mode (a made-to-order item needs `manual`). */
export function sells(gateway: ShopGateway, capture: CaptureMode): boolean {
  return gateway.capabilities.captureModes.includes(capture);
}

/** Why an item charged when it ships is not sold on this gateway. */
export function notSoldReason(gateway: ShopGateway): string {
  return `Not sold on ${gateway.profile.title}, which takes the payment at once and cannot hold it until the order ships.`;
}

/** A hint with `backticks` around what to type: those parts in <code>, everything escaped. */
export function hintHtml(hint: string): Html {
  return html`${hint.split('`').map((part, index) => (index % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

export interface Layout {
  readonly title: string;
  readonly current?: 'shop' | 'cart' | 'orders' | 'admin';
  readonly cartCount: number;
  readonly gateway: ShopGateway;
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
        <footer id="test-hint">
          Test mode: payments go to ${page.gateway.profile.title} on the local Tijara sandbox.
          ${hintHtml(page.gateway.profile.testHint)}.
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

export function productsPage(flash: Notice, currency: string, gateway: ShopGateway): Html {
  const tiles = PRODUCTS.map((p) => {
    const sold = sells(gateway, p.capture);
    return html`<article class="product" id="product-${p.id}">
      <div class="swatch" style="background:${p.swatch}" aria-hidden="true">${p.name.charAt(0)}</div>
      <div class="body">
        <h3>${p.name}</h3>
        <p>${p.description}</p>
        ${p.capture === 'manual' ? html`<span><span class="badge hold">Charged when it ships</span></span>` : ''}
        ${sold ? '' : html`<p class="muted" id="not-sold-${p.id}">${notSoldReason(gateway)}</p>`}
        <div class="row" style="justify-content:space-between;align-items:center">
          <span class="price">${money(p.price, currency)}</span>
          ${
            sold
              ? html`<form method="post" action="/cart/items">
                  <input type="hidden" name="productId" value="${p.id}" /><button
                    type="submit"
                    id="add-${p.id}"
                  >
                    Add to cart
                  </button>
                </form>`
              : html`<button type="button" class="secondary" id="add-${p.id}" disabled>Not available</button>`
          }
        </div>
      </div>
    </article>`;
  });
  return html`<h1>Shop</h1>
    ${notice(flash)}
    <div class="grid">${tiles}</div>`;
}

export interface CartView {
  readonly lines: readonly CartLine[];
  readonly buyer: { email?: string; name?: string; shipping?: ShippingDetails };
  readonly savedMethods: readonly LedgerSavedMethod[];
  readonly flash: Notice;
  readonly currency: string;
  readonly gateway: ShopGateway;
  /** Why this cart cannot be paid on this gateway (an item it cannot sell, a total over its limit). */
  readonly blocked: string | undefined;
}

export function cartPage(view: CartView): Html {
  const { currency, gateway } = view;
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
  const shipping = view.buyer.shipping;
  // Gateways that check where the goods go (Postpay) get a delivery address; the others are not asked for one.
  const address = gateway.profile.needsAddress
    ? html`<div class="row" id="delivery">
        <label
          >Street address
          <input
            type="text"
            id="address_line1"
            name="addressLine1"
            required
            maxlength="120"
            autocomplete="address-line1"
            value="${shipping?.line1 ?? ''}"
        /></label>
        <label
          >City
          <input
            type="text"
            id="address_city"
            name="addressCity"
            required
            maxlength="80"
            autocomplete="address-level2"
            value="${shipping?.city ?? ''}"
        /></label>
        <label
          >Country (2 letters)
          <input
            type="text"
            id="address_country"
            name="addressCountry"
            required
            pattern="[A-Za-z]{2}"
            maxlength="2"
            autocomplete="country"
            value="${shipping?.country ?? 'AE'}"
        /></label>
        <label
          >Mobile phone
          <input
            type="tel"
            id="phone"
            name="phone"
            maxlength="20"
            autocomplete="tel"
            value="${shipping?.phone ?? ''}"
        /></label>
      </div>`
    : '';
  const oneClick =
    gateway.capabilities.savedMethods && view.savedMethods.length > 0 && view.buyer.email
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
    ${
      view.blocked
        ? html`<p class="notice bad" id="cart-blocked">${view.blocked}</p>`
        : html`${oneClick}
            <form class="panel" method="post" action="/checkout" id="checkout-form">
              <h2 style="margin-top:0">Checkout</h2>
              <div class="row">${buyer}</div>
              ${address}
              ${
                gateway.capabilities.savedMethods
                  ? html`<p>
                      <label class="check"
                        ><input type="checkbox" id="save_card" name="saveCard" /> Save my card for one-click
                        payments next time</label
                      >
                    </p>`
                  : ''
              }
              <p><button type="submit" id="checkout">Pay ${money(total, currency)} securely</button></p>
              <p class="muted">You pay ${gateway.profile.payPlace} (the local sandbox).</p>
            </form>`
    }`;
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
  readonly gateway: ShopGateway;
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

/**
 * What the admin can do with an order on this gateway: buttons for what its driver declares, and a sentence for
 * what it cannot do (so no button is there to fail).
 */
function adminActions(gateway: ShopGateway, order: Order, refundId: () => string): Html[] {
  const { capabilities: can, profile } = gateway;
  const base = `/payments/admin/orders/${encodeURIComponent(order.id)}`;
  const back = html`<input type="hidden" name="redirect" value="/admin" />`;
  const cannot = (action: string, text: string) =>
    html`<span class="muted" data-unsupported="${action}">${text}</span>`;
  const actions: Html[] = [];
  if (order.status === 'authorized') {
    // A hold (manual capture), or an approval a capture-on-approval gateway has not captured yet.
    if (sells(gateway, 'manual') || can.captureOnApproval)
      actions.push(
        html`<form method="post" action="${base}/capture">
          ${back}<button class="small" type="submit" data-action="capture">Capture</button>
        </form>`,
      );
    if (can.release)
      actions.push(
        html`<form method="post" action="${base}/release">
          ${back}<button class="small danger" type="submit" data-action="release">Release</button>
        </form>`,
      );
    else actions.push(cannot('release', `${profile.title} cannot release an approval.`));
  }
  if (order.status === 'paid' || order.status === 'partially_refunded') {
    const left = order.amount - order.refunded;
    if (!can.refund) {
      actions.push(
        cannot(
          'refund',
          `${profile.title} has no refund API: refund this order from ${profile.title}'s own dashboard.`,
        ),
      );
    } else if (order.refunded > 0 && !can.multipleRefunds) {
      actions.push(cannot('refund', `${profile.title} takes one refund per payment.`));
    } else {
      actions.push(
        html`<form method="post" action="${base}/refund">
          ${back}<input type="hidden" name="refundId" value="${refundId()}" />
          ${
            can.partialRefund
              ? html`<input
                  type="text"
                  name="amountDecimal"
                  inputmode="decimal"
                  placeholder="${fromMinorUnits(left, order.currency)}"
                  aria-label="Refund amount for ${order.id}"
                  required
                />`
              : ''
          }
          <button class="small secondary" type="submit" data-action="refund">
            ${can.partialRefund ? 'Refund' : `Refund all ${money(left, order.currency)}`}
          </button>
        </form>`,
      );
    }
  }
  return actions;
}

export function adminPage(view: AdminView): Html {
  const rows = view.rows.map(({ order, payments }) => {
    const latest = payments.at(-1);
    const actions = adminActions(view.gateway, order, view.refundId);
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
  const savedCards = view.gateway.capabilities.savedMethods
    ? html`<h2>Saved cards</h2>
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
        }`
    : '';
  return html`<h1>Admin</h1>
    ${notice(view.flash)}
    <p class="muted" id="admin-gateway">
      Payments go to ${view.gateway.profile.title} (${view.gateway.profile.currency}) on the local sandbox.
    </p>
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
    ${savedCards}`;
}

/**
 * Where the buyer pays when the gateway wants more than a redirect: its widget in a frame (a widget with a page
 * of its own, like Uhmi's on the sandbox), or loaded by its script; or a form to post to it. Only http(s) URLs
 * are put in the page.
 */
export function payPage(view: { order: Order; nextAction: NextAction; gateway: ShopGateway }): Html {
  const { order, nextAction, gateway } = view;
  const safe = (url: string | undefined) => (url && /^https?:\/\//.test(url) ? url : undefined);
  const title = gateway.profile.title;
  let action: Html;
  if (nextAction.type === 'widget' && safe(nextAction.url)) {
    action = html`<iframe
      id="gateway-widget"
      src="${safe(nextAction.url)}"
      title="Pay with ${title}"
      style="width:100%;min-height:32rem;border:1px solid var(--line);border-radius:.75rem;background:#fff"
    ></iframe>`;
  } else if (nextAction.type === 'widget' && safe(nextAction.script)) {
    const data = Object.entries(nextAction.params).map(
      ([name, value]) => html` data-${name.replaceAll('_', '-').replace(/[^a-z0-9-]/gi, '')}="${value}"`,
    );
    action = html`<div id="tijara-widget" ${data}></div>
      <script src="${safe(nextAction.script)}" async></script>`;
  } else if (nextAction.type === 'redirect' && safe(nextAction.url)) {
    action = html`<form
      method="${nextAction.method === 'POST' ? 'post' : 'get'}"
      action="${safe(nextAction.url)}"
    >
      ${Object.entries(nextAction.fields ?? {}).map(
        ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
      )}
      <button type="submit" id="continue">Continue to ${title}</button>
    </form>`;
  } else {
    action = html`<p class="notice bad">${title} asked for something this store cannot show.</p>`;
  }
  return html`<h1>Pay for order <span id="order-id">${order.id}</span></h1>
    <div class="total">
      <span>Total</span><span id="order-total">${money(order.amount, order.currency)}</span>
    </div>
    <p class="muted">
      You pay ${gateway.profile.payPlace}. <a href="/orders/${order.id}">Back to the order</a>
    </p>
    ${action}`;
}

export function notFoundPage(): Html {
  return html`<h1>Not found</h1>
    <p>There is nothing here. <a href="/">Back to the shop</a>.</p>`;
}
