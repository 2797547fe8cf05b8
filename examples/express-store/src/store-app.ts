/**
 * The store: an Express 5 app with products, cart, checkout, orders and an admin page, taking payments through
 * @tijara/express. Everything about money (checkout, return, webhooks, capture, refunds, saved cards) is the
 * plugin's; the store only keeps its orders and reacts to payment events.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  assertCurrency,
  CardError,
  ConfigurationError,
  InvalidRequestError,
  NotFoundError,
  UnsupportedOperationError,
  type GatewayDriver,
  type Logger,
} from '@tijara/core';
import {
  createTijaraExpress,
  type PaymentEvent,
  type ReconcileOptions,
  type StoreOrder,
  type TijaraExpress,
} from '@tijara/express';
import { findProduct } from './catalog.js';
import { profileOf, type GatewayName } from './gateways.js';
import { money, type Html } from './html.js';
import {
  adminPage,
  cartPage,
  layout,
  notFoundPage,
  notSoldReason,
  orderPage,
  ordersPage,
  payPage,
  productsPage,
  sells,
  type Layout,
  type Notice,
  type ShopGateway,
} from './pages.js';
import {
  StoreDb,
  newId,
  type CartLine,
  type Order,
  type OrderStatus,
  type ShippingDetails,
} from './store-db.js';
import { STYLES } from './styles.js';

export interface StoreAppOptions {
  /**
   * The gateway. Its name picks what the pages say about it (`gateways.ts`); its capabilities decide what is
   * offered: made-to-order items only where it can hold a payment, saved cards and admin actions only where it
   * declares them.
   */
  readonly driver: GatewayDriver;
  /** Where buyers reach the store, e.g. http://127.0.0.1:3000. */
  readonly publicUrl: string;
  /**
   * Directory for the store's SQLite files: orders (`express-store.sqlite`), and the plugin's ledger
   * (`express-payments.sqlite`) unless `database` says otherwise. On another gateway than Ummah the names carry
   * it (`express-store-postpay.sqlite`): each gateway is a shop of its own, in its own currency.
   */
  readonly dataDir: string;
  /** The plugin's ledger URL (default: a SQLite file in `dataDir`). */
  readonly database?: string;
  /**
   * The admin's password: /admin and the plugin's admin routes (capture, release, refund, delete a saved card)
   * answer 401 unless the request carries HTTP Basic credentials `admin:<password>`. Required: a store has no
   * open admin. `npm start` generates one when ADMIN_PASSWORD is not set.
   */
  readonly adminPassword: string;
  readonly reconcile?: ReconcileOptions | false;
  readonly logger: Logger;
  /** Strings to scrub from the plugin's logs (the gateway key; the admin password is added). */
  readonly secrets?: readonly string[];
  /**
   * ISO 4217 code the store sells in (default: the gateway's, MYR on Ummah, AED on Postpay, EUR on Uhmi, GBP on
   * Numipay). Catalog prices are minor units of it, so the same price is shown and charged with the currency's
   * own decimals: 8900 is MYR 89.00, KWD 8.900 or JPY 8900.
   */
  readonly currency?: string;
}

/** The store's two SQLite files in `dataDir` for a gateway; Ummah's keep the names they always had. */
export function storeFiles(dataDir: string, gateway: GatewayName): { store: string; payments: string } {
  const suffix = gateway === 'ummah' ? '' : `-${gateway}`;
  return {
    store: join(dataDir, `express-store${suffix}.sqlite`),
    payments: join(dataDir, `express-payments${suffix}.sqlite`),
  };
}

export interface StoreApp {
  readonly app: express.Express;
  readonly tijara: TijaraExpress;
  readonly db: StoreDb;
  close(): Promise<void>;
}

const OPEN: ReadonlySet<OrderStatus> = new Set(['awaiting_payment', 'payment_failed']);
const SESSION_COOKIE = 'sid';

/** The delivery address of the checkout form, when it is complete. */
function shippingOf(body: Record<string, unknown> | undefined): ShippingDetails | undefined {
  const field = (name: string, max: number) =>
    String(body?.[name] ?? '')
      .trim()
      .slice(0, max);
  const line1 = field('addressLine1', 120);
  const city = field('addressCity', 80);
  const country = field('addressCountry', 2).toUpperCase();
  const phone = field('phone', 20);
  if (line1 === '' || city === '' || !/^[A-Z]{2}$/.test(country)) return undefined;
  if (phone !== '' && !/^\+?[\d\s()-]{7,20}$/.test(phone)) return undefined;
  return { line1, city, country, ...(phone ? { phone } : {}) };
}

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0) out[part.slice(0, index).trim()] = decodeURIComponent(part.slice(index + 1).trim());
  }
  return out;
}

export async function createStoreApp(options: StoreAppOptions): Promise<StoreApp> {
  const gateway: ShopGateway = {
    profile: profileOf(options.driver),
    capabilities: options.driver.capabilities,
  };
  const { profile } = gateway;
  const files = storeFiles(options.dataDir, profile.name);
  const db = new StoreDb(files.store, assertCurrency(options.currency ?? profile.currency));
  const origin = new URL(options.publicUrl).origin;
  const secureCookie = origin.startsWith('https:');
  const log = options.logger;

  if (typeof options.adminPassword !== 'string' || options.adminPassword === '') {
    throw new ConfigurationError(
      'createStoreApp: adminPassword is required (the admin routes are never open)',
    );
  }
  const admin = adminGate(options.adminPassword, log);
  const isAdmin = admin.check;

  /** Payment events move the order; each handler runs once per event (the plugin guarantees it). */
  const apply =
    (next: (order: Order, event: PaymentEvent) => OrderStatus | { status: OrderStatus; refunded: number }) =>
    (event: PaymentEvent) => {
      const applied = db.applyPaymentEvent(event, (order) => {
        const result = next(order, event);
        return typeof result === 'string' ? { status: result } : result;
      });
      if (applied)
        log.info({ orderId: event.orderId, event: event.type, amount: event.amount }, 'order updated');
    };

  const tijara = await createTijaraExpress({
    driver: options.driver,
    publicUrl: options.publicUrl,
    database: options.database ?? `sqlite:${files.payments}`,
    getOrder: async (orderId, request): Promise<StoreOrder | undefined> => {
      const order = db.order(orderId);
      // A buyer may only pay for an order of their own session.
      if (!order || (request && cookies(request)[SESSION_COOKIE] !== order.sessionId)) return undefined;
      return {
        id: order.id,
        amount: order.amount,
        currency: order.currency,
        capture: order.capture,
        customer: {
          id: order.customerId,
          email: order.email,
          name: order.name,
          ...(order.shipping?.phone ? { phone: order.shipping.phone } : {}),
          ...(order.shipping
            ? {
                shippingAddress: {
                  line1: order.shipping.line1,
                  city: order.shipping.city,
                  country: order.shipping.country,
                },
              }
            : {}),
        },
        lineItems: order.lines.map((line) => ({
          name: line.name,
          price: line.price,
          quantity: line.quantity,
        })),
        description: `Souq Tijara order ${order.id}`,
      };
    },
    on: {
      'payment.authorized': apply(() => 'authorized'),
      'payment.paid': apply(() => 'paid'),
      // A decline or a canceled page only matters while the order is still unpaid; a released hold cancels it.
      'payment.failed': apply((order) => (OPEN.has(order.status) ? 'payment_failed' : order.status)),
      'payment.canceled': apply((order) =>
        order.status === 'authorized'
          ? 'canceled'
          : OPEN.has(order.status)
            ? 'awaiting_payment'
            : order.status,
      ),
      'payment.refunded': apply((order, event) => ({
        status:
          event.refundedAmount >= (event.payment.capturedAmount || order.amount)
            ? 'refunded'
            : 'partially_refunded',
        refunded: event.refundedAmount,
      })),
    },
    returnUrl: ({ orderId, outcome }) =>
      outcome === 'cancel'
        ? `/cart?canceled=${encodeURIComponent(orderId)}`
        : `/orders/${encodeURIComponent(orderId)}`,
    admin: { authorize: isAdmin },
    reconcile: options.reconcile ?? { intervalMs: 30_000, minAgeMs: 60_000 },
    logger: log,
    secrets: [...(options.secrets ?? []), options.adminPassword],
  });

  const app = express();
  app.disable('x-powered-by');
  app.get('/styles.css', (_req, res) => {
    res.type('text/css').set('cache-control', 'public, max-age=300').send(STYLES);
  });
  // Every admin route asks for the admin's credentials before anything else runs; the plugin checks them too.
  const requireAdmin = (req: Request, res: Response, next: NextFunction) => {
    if (isAdmin(req)) return next();
    res
      .status(401)
      .set('www-authenticate', 'Basic realm="Souq Tijara admin", charset="UTF-8"')
      .set('cache-control', 'no-store')
      .type('text')
      .send(
        'Admin login required: user "admin" and the admin password (ADMIN_PASSWORD, or the one printed at start-up).',
      );
  };
  app.use(['/admin', '/payments/admin'], requireAdmin);
  // The payment routes first: the webhook needs its body untouched.
  app.use('/payments', tijara.router);
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));

  // Refuse form posts from other sites (the session cookie is SameSite=Lax too).
  app.use((req, res, next) => {
    const from = req.headers.origin;
    if (req.method === 'POST' && from !== undefined && from !== origin) {
      res.status(403).send('Cross-site form posts are not accepted.');
      return;
    }
    next();
  });

  // A session is a random id in a cookie; the customer id and everything else stay on the server.
  app.use((req, res, next) => {
    let sid = cookies(req)[SESSION_COOKIE];
    if (!sid || !db.session(sid)) {
      sid = db.createSession();
      res.cookie(SESSION_COOKIE, sid, { httpOnly: true, sameSite: 'lax', secure: secureCookie, path: '/' });
    }
    res.locals.sessionId = sid;
    next();
  });

  const sessionOf = (res: Response) => db.session(String(res.locals.sessionId))!;
  const render = (res: Response, page: Omit<Layout, 'cartCount' | 'gateway'>, body: Html, status = 200) => {
    const cartCount = db.cart(sessionOf(res).id).reduce((n, line) => n + line.quantity, 0);
    res
      .status(status)
      .type('html')
      .set('cache-control', 'no-store')
      .send(layout({ ...page, cartCount, gateway }, body));
  };
  /**
   * Why this cart cannot be paid on this gateway, said before the buyer is sent anywhere: an item it cannot sell
   * (charged when it ships, on a gateway that cannot hold), or a total over what it takes in one payment.
   */
  const cartProblem = (lines: readonly CartLine[]): string | undefined => {
    const unsold = lines.filter(
      (line) => !sells(gateway, findProduct(line.productId)?.capture ?? 'automatic'),
    );
    if (unsold.length > 0)
      return `${unsold.map((line) => line.name).join(', ')}: ${notSoldReason(gateway).replace(/^N/, 'n')} Remove it to pay for the rest.`;
    const total = lines.reduce((sum, line) => sum + line.total, 0);
    if (profile.maxAmount !== undefined && db.currency === profile.currency && total > profile.maxAmount)
      return `${profile.title} takes at most ${money(profile.maxAmount, db.currency)} in one payment, and this cart comes to ${money(total, db.currency)}. Remove something to pay for the rest.`;
    return undefined;
  };
  const cartView = async (res: Response, flash: Notice) => {
    const session = sessionOf(res);
    const lines = db.cart(session.id);
    return cartPage({
      lines,
      buyer: {
        ...(session.email ? { email: session.email } : {}),
        ...(session.name ? { name: session.name } : {}),
        ...(session.shipping ? { shipping: session.shipping } : {}),
      },
      savedMethods: gateway.capabilities.savedMethods
        ? await tijara.listSavedMethods(session.customerId)
        : [],
      flash,
      currency: db.currency,
      gateway,
      blocked: cartProblem(lines),
    });
  };
  /** Where checkout sends the buyer: the gateway's page, the store's page for its widget, or the order. */
  const afterCheckout = (orderId: string, result: Awaited<ReturnType<TijaraExpress['checkout']>>) =>
    result.kind === 'redirect'
      ? result.url
      : result.kind === 'action'
        ? `/orders/${encodeURIComponent(orderId)}/pay`
        : `/orders/${encodeURIComponent(orderId)}`;
  // A buyer's pages show the buyer's own orders, whoever else the browser is logged in as: the admin sees other
  // people's orders under /admin only.
  const ownOrder = (req: Request, res: Response): Order | undefined => {
    const order = db.order(String(req.params.id));
    return order && order.sessionId === sessionOf(res).id ? order : undefined;
  };

  app.get('/', (_req, res) =>
    render(res, { title: 'Shop', current: 'shop' }, productsPage(undefined, db.currency, gateway)),
  );

  app.post('/cart/items', (req, res) => {
    const product = findProduct(String(req.body?.productId ?? ''));
    if (product && !sells(gateway, product.capture)) {
      res.redirect(303, '/');
      return;
    }
    if (product) db.addToCart(sessionOf(res).id, product.id, 1);
    res.redirect(303, '/cart');
  });

  app.post('/cart/items/:productId', (req, res) => {
    const quantity = Number(req.body?.quantity);
    if (Number.isInteger(quantity)) db.setQuantity(sessionOf(res).id, String(req.params.productId), quantity);
    res.redirect(303, '/cart');
  });

  app.get('/cart', async (req, res) => {
    let flash: Notice;
    if (req.query.canceled)
      flash = { tone: 'info', text: 'Payment canceled. Nothing was charged; your cart is still here.' };
    if (req.query.error === 'details')
      flash = {
        tone: 'bad',
        text: profile.needsAddress
          ? 'Please give your name (first and last), a valid email address and where to deliver: street, city and a 2-letter country code.'
          : 'Please give your name and a valid email address.',
      };
    if (req.query.error === 'card') flash = { tone: 'bad', text: 'That saved card is no longer available.' };
    render(res, { title: 'Cart', current: 'cart' }, await cartView(res, flash));
  });

  app.post('/checkout', async (req, res) => {
    const name = String(req.body?.name ?? '')
      .trim()
      .slice(0, 80);
    const email = String(req.body?.email ?? '')
      .trim()
      .slice(0, 120);
    const shipping = profile.needsAddress ? shippingOf(req.body) : undefined;
    if (
      name === '' ||
      !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ||
      (profile.needsAddress && (!shipping || !/\S\s+\S/.test(name)))
    ) {
      res.redirect(303, '/cart?error=details');
      return;
    }
    const session = sessionOf(res);
    if (cartProblem(db.cart(session.id))) {
      render(res, { title: 'Cart', current: 'cart' }, await cartView(res, undefined), 409);
      return;
    }
    const order = db.orderForCart(session.id, { email, name, ...(shipping ? { shipping } : {}) });
    if (!order) {
      res.redirect(303, '/cart');
      return;
    }
    const savedMethodId = String(req.body?.savedMethodId ?? '');
    if (savedMethodId) {
      try {
        await tijara.chargeSavedMethod(order.id, savedMethodId, { request: req });
        res.redirect(303, `/orders/${order.id}`);
      } catch (error) {
        if (error instanceof CardError) res.redirect(303, `/orders/${order.id}?declined=1`);
        else if (error instanceof NotFoundError) res.redirect(303, '/cart?error=card');
        else throw error;
      }
      return;
    }
    try {
      const result = await tijara.checkout(order.id, {
        saveMethod: gateway.capabilities.savedMethods && req.body?.saveCard === 'on',
        request: req,
      });
      res.redirect(303, afterCheckout(order.id, result));
    } catch (error) {
      // The gateway (or its driver, before sending anything) refused what it was asked: say why, in the cart.
      if (!(error instanceof InvalidRequestError || error instanceof UnsupportedOperationError)) throw error;
      log.info({ orderId: order.id, code: error.code, err: error }, 'the gateway refused the checkout');
      const flash: Notice = { tone: 'bad', text: `${profile.title} refused this payment: ${error.message}` };
      render(res, { title: 'Cart', current: 'cart' }, await cartView(res, flash), 422);
    }
  });

  app.get('/orders', (_req, res) => {
    render(res, { title: 'Orders', current: 'orders' }, ordersPage(db.ordersOf(sessionOf(res).id)));
  });

  app.get('/orders/:id', async (req, res) => {
    const order = ownOrder(req, res);
    if (!order) return render(res, { title: 'Not found' }, notFoundPage(), 404);
    const flash: Notice = req.query.declined
      ? { tone: 'bad', text: 'Your saved card was declined. You can pay with another card.' }
      : undefined;
    render(
      res,
      { title: `Order ${order.id}`, current: 'orders' },
      orderPage({
        order,
        payments: await tijara.listPayments(order.id),
        refunds: await tijara.listRefunds(order.id),
        timeline: db.timeline(order.id),
        flash,
      }),
    );
  });

  app.post('/orders/:id/pay', async (req, res) => {
    const order = ownOrder(req, res);
    if (!order) return render(res, { title: 'Not found' }, notFoundPage(), 404);
    const result = await tijara.checkout(order.id, { request: req });
    res.redirect(303, afterCheckout(order.id, result));
  });

  // The gateway's widget (or form) for the order's open payment, in the store's own page.
  app.get('/orders/:id/pay', async (req, res) => {
    const order = ownOrder(req, res);
    if (!order) return render(res, { title: 'Not found' }, notFoundPage(), 404);
    const open = (await tijara.listPayments(order.id))
      .filter((p) => p.status === 'pending' && p.nextAction !== undefined && p.nextAction.type !== 'none')
      .at(-1);
    if (!open?.nextAction || !OPEN.has(order.status)) {
      res.redirect(303, `/orders/${encodeURIComponent(order.id)}`);
      return;
    }
    render(
      res,
      { title: `Pay for order ${order.id}`, current: 'orders' },
      payPage({ order, nextAction: open.nextAction, gateway }),
    );
  });

  app.get('/admin', async (req, res) => {
    const orders = db.allOrders();
    const rows = await Promise.all(
      orders.map(async (order) => ({ order, payments: await tijara.listPayments(order.id) })),
    );
    const customers = new Map<string, string>();
    for (const order of orders) customers.set(order.customerId, order.email);
    const savedMethods = await Promise.all(
      [...customers].map(async ([customer, email]) => ({
        customer,
        email,
        methods: await tijara.listSavedMethods(customer),
      })),
    );
    const message = typeof req.query.message === 'string' ? req.query.message : undefined;
    const done = typeof req.query.done === 'string' ? req.query.done : undefined;
    const doneText: Record<string, string> = {
      capture: 'Payment captured.',
      release: 'Hold released.',
      refund: 'Refund sent.',
      'delete-card': 'Saved card deleted.',
    };
    const flash: Notice = req.query.error
      ? { tone: 'bad', text: message ?? 'That did not work.' }
      : done && doneText[done]
        ? { tone: 'good', text: doneText[done] }
        : undefined;
    render(
      res,
      { title: 'Admin', current: 'admin' },
      adminPage({
        gateway,
        rows,
        savedMethods: savedMethods.filter((s) => s.methods.length > 0),
        flash,
        refundId: () => newId('re'),
      }),
    );
  });

  // Any order, read-only, for the admin (behind requireAdmin like every /admin route).
  app.get('/admin/orders/:id', async (req, res) => {
    const order = db.order(String(req.params.id));
    if (!order) return render(res, { title: 'Not found', current: 'admin' }, notFoundPage(), 404);
    render(
      res,
      { title: `Order ${order.id}`, current: 'admin' },
      orderPage({
        order,
        payments: await tijara.listPayments(order.id),
        refunds: await tijara.listRefunds(order.id),
        timeline: db.timeline(order.id),
        flash: undefined,
        forAdmin: true,
      }),
    );
  });

  app.use((_req: Request, res: Response) => render(res, { title: 'Not found' }, notFoundPage(), 404));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    log.error({ err: error, path: req.path }, 'request failed');
    if (res.headersSent) return;
    res.status(500).type('text').send('Something went wrong. Please try again.');
  });

  return {
    app,
    tijara,
    db,
    close: async () => {
      await tijara.close();
      db.close();
    },
  };
}

/** Failed logins from one address before it must wait; the generated password is far beyond guessing anyway. */
const MAX_FAILURES = 10;
const LOCKOUT_MS = 60_000;

/**
 * HTTP Basic for the admin: `admin:<password>`, compared in constant time (both sides hashed first, so neither
 * the content nor the length of the password leaks through timing), with a per-address lockout after repeated
 * failures. Nothing about the credentials is logged.
 */
function adminGate(password: string, log: Logger): { check: (req: IncomingMessage) => boolean } {
  const digest = (value: Buffer | string) => createHash('sha256').update(value).digest();
  const expected = digest(`admin:${password}`);
  const failures = new Map<string, { count: number; until: number }>();
  return {
    check: (req) => {
      const address = req.socket.remoteAddress ?? 'unknown';
      const now = Date.now();
      const record = failures.get(address);
      if (record && record.count >= MAX_FAILURES && record.until > now) return false;
      const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!match) return false;
      const ok = timingSafeEqual(digest(Buffer.from(match[1]!, 'base64')), expected);
      if (ok) {
        failures.delete(address);
        return true;
      }
      const count = record && record.until > now ? record.count + 1 : 1;
      failures.set(address, { count, until: now + LOCKOUT_MS });
      if (count === MAX_FAILURES)
        log.warn({ address }, 'admin login failed repeatedly; address locked out for a minute');
      // Forget stale entries so a scan from many addresses cannot grow this without bound.
      if (failures.size > 10_000)
        for (const [key, value] of failures) if (value.until <= now) failures.delete(key);
      return false;
    },
  };
}
