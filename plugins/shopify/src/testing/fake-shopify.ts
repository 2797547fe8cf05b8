/**
 * A local stand-in for Shopify's side of a payments app: it starts payment, refund, capture and void sessions
 * against the app the way Shopify does (headers, bodies, optional client certificate), answers the Payments Apps
 * GraphQL API after validating every document and its variables against Shopify's published schema, keeps the
 * sessions' state machine (first final mutation wins, a repeat succeeds, mutations before Shopify has the app's
 * answer fail), runs OAuth's authorize and token endpoints, signs webhooks, and can answer throttled, 5xx or
 * `userErrors`. Tests and the example app's local checkout run on it; nothing here talks to the real Shopify.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { DocumentNode } from 'graphql';
import { loadPaymentsSchema, PAYMENTS_SCHEMA_VERSION } from './payments-schema.js';

export type FakeFailure = 'throttled' | 'server_error' | 'rate_limited' | 'user_errors';

export type SessionKind = 'payment' | 'refund' | 'capture' | 'void';

/** One GraphQL request the fake answered (or refused). */
export interface RecordedMutation {
  readonly shop: string;
  readonly apiVersion: string;
  /** The root field, e.g. `paymentSessionResolve`; undefined when the document did not parse. */
  readonly name: string | undefined;
  readonly variables: Readonly<Record<string, unknown>>;
  /** Whether the fake applied it (false for injected failures, schema errors, auth failures and userErrors). */
  readonly accepted: boolean;
  readonly userErrors: readonly string[];
  readonly receivedAt: number;
}

export interface FakeSession {
  readonly kind: SessionKind;
  readonly shop: string;
  readonly id: string;
  readonly gid: string;
  /** Shopify has the app's 2xx answer to the session request. */
  answered: boolean;
  state: 'open' | 'pending' | 'resolved' | 'rejected';
  rejection?: { readonly code: string; readonly merchantMessage?: string | undefined };
  authorizationExpiresAt?: string;
  readonly body: Record<string, unknown>;
}

export interface ClientCertificate {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

export interface FakeShopifyOptions {
  /** The app's API key and secret: OAuth's authorize step checks the key, callbacks and webhooks are signed with the secret. */
  readonly apiKey: string;
  readonly apiSecretKey: string;
  /** Presented on session requests, as Shopify's Payments Platform certificate is. */
  readonly clientCertificate?: ClientCertificate;
  /** CA to trust for an app served over HTTPS (a self-signed test certificate). */
  readonly appCa?: string | Buffer;
  /** API version sent in `Shopify-Api-Version` (default: the vendored schema's). */
  readonly apiVersion?: string;
}

export interface SessionRequestResult {
  readonly status: number;
  readonly body: string;
  readonly json: unknown;
  readonly session: FakeSession;
  /** `redirect_url` of a payment session's answer. */
  readonly redirectUrl: string | undefined;
}

export interface PaymentSessionInput {
  readonly shop: string;
  /** The app's payment session URL. */
  readonly url: string;
  readonly amount: string;
  readonly currency: string;
  readonly kind?: 'sale' | 'authorization';
  readonly test?: boolean;
  /** Reuse an id to replay Shopify's retry of the same request. */
  readonly id?: string;
  readonly customer?: Record<string, unknown> | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FollowUpSessionInput {
  readonly shop: string;
  readonly url: string;
  /** The payment session `id` this refund, capture or void is for. */
  readonly paymentId: string;
  readonly amount?: string;
  readonly currency?: string;
  readonly id?: string;
}

export interface FakeShopify {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every GraphQL request, in arrival order. */
  readonly mutations: RecordedMutation[];
  /** A fetch that sends `https://<shop>.myshopify.com/…` to the fake; anything else goes out unchanged. */
  readonly fetch: typeof fetch;
  /** What `paymentsAppConfigure` last set, per shop. */
  readonly configurations: Map<string, { externalHandle: string | null; ready: boolean }>;
  /** Install the app on a shop without OAuth; returns its offline access token. */
  installShop(shop: string): string;
  accessToken(shop: string): string | undefined;
  /** Forget a shop's token (an uninstall). */
  revokeShop(shop: string): void;
  session(kind: SessionKind, id: string): FakeSession | undefined;
  startPaymentSession(input: PaymentSessionInput): Promise<SessionRequestResult>;
  startRefundSession(input: FollowUpSessionInput): Promise<SessionRequestResult>;
  startCaptureSession(input: FollowUpSessionInput): Promise<SessionRequestResult>;
  startVoidSession(input: FollowUpSessionInput): Promise<SessionRequestResult>;
  /** Answer the next `count` GraphQL requests with `failure` instead of applying them. */
  failNext(count: number, failure: FakeFailure): void;
  /** Forget every failure still to be injected. */
  clearFailures(): void;
  /** The mutations of one session (by `gid`), in order. */
  mutationsFor(gid: string): RecordedMutation[];
  /** POST a webhook to the app signed as Shopify signs them (or with `secret` to sign it wrongly). */
  sendWebhook(input: {
    url: string;
    topic: string;
    shop: string;
    payload: unknown;
    secret?: string;
  }): Promise<{ status: number; body: string }>;
  /** Resolves when the GraphQL requests seen reach `count` (or rejects after `timeoutMs`). */
  waitForMutations(
    predicate: (all: readonly RecordedMutation[]) => boolean,
    timeoutMs?: number,
  ): Promise<void>;
  close(): Promise<void>;
}

const GID_TYPE: Record<SessionKind, string> = {
  payment: 'PaymentSession',
  refund: 'RefundSession',
  capture: 'CaptureSession',
  void: 'VoidSession',
};

interface Failure {
  remaining: number;
  readonly type: FakeFailure;
}

/** Start the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeShopify(options: FakeShopifyOptions): Promise<FakeShopify> {
  const graphql = await import('graphql');
  const schema = await loadPaymentsSchema();
  const apiVersion = options.apiVersion ?? PAYMENTS_SCHEMA_VERSION;
  const tokens = new Map<string, string>();
  const codes = new Map<string, string>();
  const sessions = new Map<string, FakeSession>();
  const mutations: RecordedMutation[] = [];
  const configurations = new Map<string, { externalHandle: string | null; ready: boolean }>();
  const failures: Failure[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();

  const record = (entry: RecordedMutation): void => {
    mutations.push(entry);
    for (const wake of waiters) wake();
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const target = new URL(req.url ?? '/', url);
    const shop = String(req.headers['x-fake-shopify-shop'] ?? target.searchParams.get('shop') ?? '');
    const graphqlPath = /^\/payments_apps\/api\/([^/]+)\/graphql\.json$/.exec(target.pathname);
    if (req.method === 'POST' && graphqlPath) {
      return answerGraphql(res, shop, graphqlPath[1] as string, req.headers, body);
    }
    if (req.method === 'GET' && target.pathname === '/admin/oauth/authorize') {
      return authorize(res, shop, target.searchParams);
    }
    if (req.method === 'POST' && target.pathname === '/admin/oauth/access_token') {
      return exchangeCode(res, shop, body);
    }
    const page = /^\/checkouts\/([^/]+)\/([^/]+)\/(thank-you|payment-failed|processing|cancelled)$/.exec(
      target.pathname,
    );
    if (req.method === 'GET' && page) {
      const [, , id, outcome] = page;
      const titles: Record<string, string> = {
        'thank-you': 'Thank you for your order',
        'payment-failed': 'Your payment was declined',
        processing: 'Your payment is processing',
        cancelled: 'Choose how to pay',
      };
      const html = `<!doctype html><html><head><title>Fake Shopify checkout</title></head><body><h1 id="outcome" data-outcome="${outcome}">${titles[outcome as string]}</h1><p id="session">${escapeHtml(decodeURIComponent(id as string))}</p></body></html>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: 'Not Found' }));
  }

  function authorize(res: ServerResponse, shop: string, query: URLSearchParams): void {
    const redirectUri = query.get('redirect_uri');
    if (query.get('client_id') !== options.apiKey || !redirectUri || !shop) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('Oauth error invalid_request: The redirect_uri and application url must have matching hosts');
      return;
    }
    const code = randomBytes(16).toString('hex');
    codes.set(code, shop);
    const params: Record<string, string> = {
      code,
      host: Buffer.from(`${shop}/admin`).toString('base64url'),
      shop,
      state: query.get('state') ?? '',
      timestamp: String(Math.floor(Date.now() / 1000)),
    };
    const location = new URL(redirectUri);
    for (const [key, value] of Object.entries(params)) location.searchParams.set(key, value);
    location.searchParams.set('hmac', signQuery(params, options.apiSecretKey));
    res.writeHead(302, { location: location.toString() });
    res.end();
  }

  function exchangeCode(res: ServerResponse, shop: string, body: Buffer): void {
    const parsed = safeJson(body) as
      { client_id?: string; client_secret?: string; code?: string } | undefined;
    const codeShop = parsed?.code ? codes.get(parsed.code) : undefined;
    if (
      !parsed ||
      parsed.client_id !== options.apiKey ||
      parsed.client_secret !== options.apiSecretKey ||
      codeShop !== shop
    ) {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'The authorization code was not found or was already used',
      });
      return;
    }
    codes.delete(parsed.code as string);
    const token = issueToken(shop);
    sendJson(res, 200, { access_token: token, scope: 'write_payment_gateways,write_payment_sessions' });
  }

  function issueToken(shop: string): string {
    const token = `shpat_${randomBytes(16).toString('hex')}`;
    tokens.set(shop, token);
    return token;
  }

  async function answerGraphql(
    res: ServerResponse,
    shop: string,
    version: string,
    headers: IncomingMessage['headers'],
    body: Buffer,
  ): Promise<void> {
    const parsed = safeJson(body) as { query?: unknown; variables?: unknown } | undefined;
    const variables = (
      parsed?.variables && typeof parsed.variables === 'object' ? parsed.variables : {}
    ) as Record<string, unknown>;
    let document: DocumentNode | undefined;
    let name: string | undefined;
    try {
      document = graphql.parse(String(parsed?.query ?? ''));
      name = rootFieldName(document);
    } catch {
      document = undefined;
    }
    const base = { shop, apiVersion: version, name, variables, receivedAt: Date.now() };
    if (version !== apiVersion) {
      record({ ...base, accepted: false, userErrors: [`unknown version ${version}`] });
      sendJson(res, 404, { errors: 'Not Found' });
      return;
    }
    const token = headers['x-shopify-access-token'];
    if (!shop || !tokens.has(shop) || token !== tokens.get(shop)) {
      record({ ...base, accepted: false, userErrors: ['invalid access token'] });
      sendJson(res, 401, {
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      });
      return;
    }
    const failure = failures[0];
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) failures.shift();
      record({ ...base, accepted: false, userErrors: [`injected ${failure.type}`] });
      return sendFailure(res, failure.type, name);
    }
    if (!document) {
      record({ ...base, accepted: false, userErrors: ['syntax error'] });
      sendJson(res, 200, { errors: [{ message: 'syntax error, unexpected end of file' }] });
      return;
    }
    const problems = graphql.validate(schema, document);
    if (problems.length > 0) {
      record({ ...base, accepted: false, userErrors: problems.map((p) => p.message) });
      sendJson(res, 200, { errors: problems.map((p) => ({ message: p.message })) });
      return;
    }
    const applied: string[] = [];
    const result = await graphql.execute({
      schema,
      document,
      variableValues: variables,
      rootValue: resolvers(shop, applied),
    });
    const userErrors = collectUserErrors(result.data);
    record({
      ...base,
      accepted: !result.errors?.length && userErrors.length === 0,
      userErrors: [...(result.errors ?? []).map((e) => e.message), ...userErrors],
    });
    sendJson(res, 200, {
      ...(result.data ? { data: result.data } : {}),
      ...(result.errors?.length ? { errors: result.errors.map((e) => ({ message: e.message })) } : {}),
      extensions: {
        cost: {
          requestedQueryCost: 10,
          actualQueryCost: 10,
          throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 990, restoreRate: 50 },
        },
      },
    });
  }

  function sendFailure(res: ServerResponse, type: FakeFailure, name: string | undefined): void {
    switch (type) {
      case 'throttled':
        sendJson(res, 200, {
          errors: [
            {
              message: 'Throttled',
              extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' },
            },
          ],
        });
        return;
      case 'rate_limited':
        res.writeHead(429, { 'retry-after': '0.05', 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ errors: 'Exceeded 2 calls per second for api client. Reduce request rates.' }),
        );
        return;
      case 'server_error':
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html><body>Service Unavailable</body></html>');
        return;
      case 'user_errors':
        sendJson(res, 200, {
          data: name
            ? { [name]: { userErrors: [{ field: null, message: 'Something went wrong, please try again' }] } }
            : null,
        });
        return;
    }
  }

  /** Root resolvers keyed by mutation name; each returns the payload object the schema expects. */
  function resolvers(
    shop: string,
    applied: string[],
  ): Record<string, (args: Record<string, unknown>) => unknown> {
    const find = (kind: SessionKind, gid: unknown): FakeSession | undefined => {
      const session = typeof gid === 'string' ? sessions.get(gid) : undefined;
      return session && session.kind === kind && session.shop === shop ? session : undefined;
    };
    const finalMutation =
      (kind: SessionKind, target: 'resolved' | 'rejected') => (args: Record<string, unknown>) => {
        const session = find(kind, args.id);
        const key = `${kind}Session`;
        if (!session) return { [key]: null, userErrors: [userError(kind, 'NOT_FOUND', 'Session not found')] };
        if (!session.answered) {
          return {
            [key]: null,
            userErrors: [
              userError(
                kind,
                'INVALID_STATE',
                `The response to start_${kind}_session request has not been received.`,
              ),
            ],
          };
        }
        if (session.state === target) return { [key]: view(session), userErrors: [] };
        if (session.state === 'resolved' || session.state === 'rejected') {
          return {
            [key]: view(session),
            userErrors: [userError(kind, 'INVALID_STATE', `Session has already been ${session.state}.`)],
          };
        }
        session.state = target;
        if (target === 'rejected') {
          const reason = args.reason as { code: string; merchantMessage?: string };
          session.rejection = { code: reason.code, merchantMessage: reason.merchantMessage };
        }
        if (typeof args.authorizationExpiresAt === 'string')
          session.authorizationExpiresAt = args.authorizationExpiresAt;
        applied.push(session.gid);
        return { [key]: view(session), userErrors: [] };
      };
    return {
      paymentSessionResolve: finalMutation('payment', 'resolved'),
      paymentSessionReject: finalMutation('payment', 'rejected'),
      paymentSessionPending: (args) => {
        const session = find('payment', args.id);
        if (!session) return { paymentSession: null, userErrors: [{ field: ['id'], message: 'Not found' }] };
        const expires = Date.parse(String(args.pendingExpiresAt));
        if (!(expires > Date.now())) {
          return {
            paymentSession: null,
            userErrors: [
              { field: ['pendingExpiresAt'], message: 'Pending expires at must be in the future' },
            ],
          };
        }
        if (!session.answered || (session.state !== 'open' && session.state !== 'pending')) {
          return {
            paymentSession: session.answered ? view(session) : null,
            userErrors: [{ field: ['id'], message: 'Payment session cannot transition to pending' }],
          };
        }
        session.state = 'pending';
        return { paymentSession: view(session), userErrors: [] };
      },
      refundSessionResolve: finalMutation('refund', 'resolved'),
      refundSessionReject: finalMutation('refund', 'rejected'),
      captureSessionResolve: finalMutation('capture', 'resolved'),
      captureSessionReject: finalMutation('capture', 'rejected'),
      voidSessionResolve: finalMutation('void', 'resolved'),
      voidSessionReject: finalMutation('void', 'rejected'),
      paymentsAppConfigure: (args) => {
        const configuration = {
          externalHandle: typeof args.externalHandle === 'string' ? args.externalHandle : null,
          ready: Boolean(args.ready),
        };
        configurations.set(shop, configuration);
        return { paymentsAppConfiguration: configuration, userErrors: [] };
      },
    };
  }

  function view(session: FakeSession): Record<string, unknown> {
    if (session.kind !== 'payment') {
      const state =
        session.state === 'rejected'
          ? {
              __typename: `${GID_TYPE[session.kind]}StateRejected`,
              code: 'REJECTED',
              reason: session.rejection?.code,
              merchantMessage: session.rejection?.merchantMessage ?? null,
            }
          : { __typename: `${GID_TYPE[session.kind]}StateResolved`, code: 'RESOLVED' };
      return { id: session.gid, state };
    }
    const outcome = {
      resolved: 'thank-you',
      rejected: 'payment-failed',
      pending: 'processing',
      open: undefined,
    }[session.state];
    const stateByName = {
      resolved: { __typename: 'PaymentSessionStateResolved', code: 'RESOLVED' },
      rejected: {
        __typename: 'PaymentSessionStateRejected',
        code: 'REJECTED',
        reason: session.rejection?.code,
        merchantMessage: session.rejection?.merchantMessage ?? null,
      },
      pending: { __typename: 'PaymentSessionStatePending', code: 'PENDING', reason: 'BUYER_ACTION_REQUIRED' },
      open: { __typename: 'PaymentSessionStateRedirecting', code: 'REDIRECTING' },
    };
    return {
      id: session.gid,
      state: stateByName[session.state],
      authorizationExpiresAt: session.authorizationExpiresAt ?? null,
      pendingExpiresAt: null,
      nextAction: outcome
        ? {
            action: 'REDIRECT',
            context: {
              __typename: 'PaymentSessionActionsRedirect',
              redirectUrl: `${url}/checkouts/${encodeURIComponent(session.shop)}/${encodeURIComponent(session.id)}/${outcome}`,
            },
          }
        : null,
    };
  }

  async function startSession(
    kind: SessionKind,
    shop: string,
    appUrl: string,
    body: Record<string, unknown>,
    extraHeaders: Readonly<Record<string, string>> = {},
  ): Promise<SessionRequestResult> {
    const id = String(body.id);
    const gid = String(body.gid);
    let session = sessions.get(gid);
    if (!session) {
      session = { kind, shop, id, gid, answered: false, state: 'open', body };
      sessions.set(gid, session);
    }
    const response = await postJson(
      appUrl,
      body,
      {
        'shopify-shop-domain': shop,
        'shopify-request-id': randomUUID(),
        'shopify-api-version': apiVersion,
        'user-agent': 'Shopify Payments Platform',
        ...extraHeaders,
      },
      options,
    );
    const json = safeJson(Buffer.from(response.body));
    const ok = response.status >= 200 && response.status < 300;
    if (ok) session.answered = true;
    const redirectUrl =
      kind === 'payment' && json && typeof (json as { redirect_url?: unknown }).redirect_url === 'string'
        ? (json as { redirect_url: string }).redirect_url
        : undefined;
    return { status: response.status, body: response.body, json, session, redirectUrl };
  }

  const followUp = (kind: Exclude<SessionKind, 'payment'>) => (input: FollowUpSessionInput) => {
    const payment = [...sessions.values()].find(
      (s) => s.kind === 'payment' && s.shop === input.shop && s.id === input.paymentId,
    );
    const id = input.id ?? `${kind}-${randomBytes(6).toString('hex')}`;
    const body: Record<string, unknown> = {
      id,
      gid: `gid://shopify/${GID_TYPE[kind]}/${id}`,
      payment_id: input.paymentId,
      proposed_at: new Date().toISOString(),
      merchant_locale: 'en',
      test: payment ? payment.body.test : true,
    };
    if (kind !== 'void') {
      body.amount = input.amount ?? payment?.body.amount;
      body.currency = input.currency ?? payment?.body.currency;
    }
    return startSession(kind, input.shop, input.url, body);
  };

  return {
    url,
    mutations,
    configurations,
    fetch: fakeShopifyFetch(url),
    installShop: issueToken,
    accessToken: (shop) => tokens.get(shop),
    revokeShop: (shop) => {
      tokens.delete(shop);
    },
    session: (kind, id) => [...sessions.values()].find((s) => s.kind === kind && s.id === id),
    startPaymentSession: (input) => {
      const id = input.id ?? `pay-${randomBytes(6).toString('hex')}`;
      const body = {
        id,
        gid: `gid://shopify/PaymentSession/${id}`,
        group: `grp-${id}`,
        session_id: `sess-${id}`,
        amount: input.amount,
        currency: input.currency,
        test: input.test ?? true,
        merchant_locale: 'en',
        payment_method: {
          type: 'offsite',
          data: {
            cancel_url: `${url}/checkouts/${encodeURIComponent(input.shop)}/${encodeURIComponent(id)}/cancelled`,
          },
        },
        proposed_at: new Date().toISOString(),
        customer: input.customer === undefined ? DEFAULT_CUSTOMER : input.customer,
        kind: input.kind ?? 'sale',
      };
      return startSession('payment', input.shop, input.url, body, input.headers);
    },
    startRefundSession: followUp('refund'),
    startCaptureSession: followUp('capture'),
    startVoidSession: followUp('void'),
    failNext: (count, type) => {
      failures.push({ remaining: count, type });
    },
    clearFailures: () => {
      failures.length = 0;
    },
    mutationsFor: (gid) => mutations.filter((m) => m.variables.id === gid),
    sendWebhook: async ({ url: target, topic, shop, payload, secret }) => {
      const raw = Buffer.from(JSON.stringify(payload));
      const hmac = createHmac('sha256', secret ?? options.apiSecretKey)
        .update(raw)
        .digest('base64');
      return postRaw(target, raw, {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-shop-domain': shop,
        'x-shopify-hmac-sha256': hmac,
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-api-version': apiVersion,
        'x-shopify-triggered-at': new Date().toISOString(),
      });
    },
    waitForMutations: (predicate, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        if (predicate(mutations)) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`fake Shopify: condition not met; saw ${mutations.map((m) => m.name).join(', ')}`),
          );
        }, timeoutMs);
        const check = () => {
          if (!predicate(mutations)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A fetch that sends `https://<shop>.myshopify.com/…` to a fake Shopify at `fakeUrl` (naming the shop in a
 * header) and anything else out unchanged. Another process can build it from the fake's URL alone.
 */
export function fakeShopifyFetch(fakeUrl: string): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const target = new URL(raw);
    if (target.protocol !== 'https:' || !target.hostname.endsWith('.myshopify.com'))
      return fetch(input, init);
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init?.headers).forEach((value, key) => headers.set(key, value));
    headers.set('x-fake-shopify-shop', target.hostname);
    const body = init?.body ?? (input instanceof Request ? input.body : undefined);
    return fetch(`${fakeUrl}${target.pathname}${target.search}`, {
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      headers,
      ...(body ? { body, duplex: 'half' } : {}),
      redirect: 'manual',
      ...(init?.signal ? { signal: init.signal } : {}),
    } as RequestInit);
  }) as typeof fetch;
}

const ADDRESS = {
  given_name: 'Aisha',
  family_name: 'Rahman',
  line1: '1 Jalan Ampang',
  line2: null,
  city: 'Kuala Lumpur',
  postal_code: '50450',
  province: null,
  country_code: 'MY',
  company: null,
};

/** A buyer as Shopify describes one (physical goods: a shipping address too). */
const DEFAULT_CUSTOMER = {
  email: 'buyer@example.com',
  phone_number: '+60 12 345 6789',
  locale: 'en',
  billing_address: ADDRESS,
  shipping_address: ADDRESS,
};

function userError(kind: SessionKind, suffix: string, message: string): Record<string, unknown> {
  if (kind === 'payment') return { field: ['id'], message };
  const prefix = `${kind.toUpperCase()}_SESSION`;
  const code = suffix === 'NOT_FOUND' ? `${prefix}_NOT_FOUND` : `${prefix}_INVALID_STATE`;
  return { field: ['id'], message, code };
}

function rootFieldName(document: DocumentNode): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind === 'OperationDefinition') {
      const field = definition.selectionSet.selections[0];
      if (field && field.kind === 'Field') return field.name.value;
    }
  }
  return undefined;
}

function collectUserErrors(data: unknown): string[] {
  if (!data || typeof data !== 'object') return [];
  const out: string[] = [];
  for (const payload of Object.values(data as Record<string, unknown>)) {
    const errors = (payload as { userErrors?: { message: string }[] } | null)?.userErrors;
    if (Array.isArray(errors)) out.push(...errors.map((e) => e.message));
  }
  return out;
}

/** Shopify's OAuth query signature: sorted `key=value` pairs, URL-encoded with %20, HMAC-SHA256 hex. */
export function signQuery(params: Readonly<Record<string, string>>, secret: string): string {
  const query = new URLSearchParams();
  for (const key of Object.keys(params).sort((a, b) => a.localeCompare(b)))
    query.append(key, params[key] as string);
  return createHmac('sha256', secret).update(query.toString().replace(/\+/g, '%20')).digest('hex');
}

function safeJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function postJson(
  target: string,
  body: unknown,
  headers: Readonly<Record<string, string>>,
  tls: Pick<FakeShopifyOptions, 'clientCertificate' | 'appCa'>,
): Promise<{ status: number; body: string }> {
  return postRaw(
    target,
    Buffer.from(JSON.stringify(body)),
    { 'content-type': 'application/json', ...headers },
    tls,
  );
}

function postRaw(
  target: string,
  body: Buffer,
  headers: Readonly<Record<string, string>>,
  tls: Pick<FakeShopifyOptions, 'clientCertificate' | 'appCa'> = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(target);
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
        ...(secure
          ? {
              ...(tls.clientCertificate
                ? { key: tls.clientCertificate.key, cert: tls.clientCertificate.cert }
                : {}),
              ...(tls.appCa ? { ca: tls.appCa } : {}),
              agent: false,
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
