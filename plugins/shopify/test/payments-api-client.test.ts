import {
  AuthenticationError,
  ConnectionError,
  GatewayError,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
} from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { createPaymentsApiClient } from '../src/payments-api/payments-api-client.js';
import { startFakeShopify, type FakeShopify } from '../src/testing/fake-shopify.js';

const SHOP = 'client-test.myshopify.com';
let fake: FakeShopify;
let app: LoopbackServer;
let token: string;

beforeAll(async () => {
  fake = await startFakeShopify({ apiKey: 'key', apiSecretKey: 'secret' });
  token = fake.installShop(SHOP);
  // A stand-in app that answers every session request the way a payments app must.
  app = await startLoopbackServer((request, response) => {
    if (request.path === '/payment')
      sendJson(response, 201, { redirect_url: 'https://pay.example/checkout/1' });
    else response.writeHead(201).end();
  });
});
afterAll(async () => {
  await fake.close();
  await app.close();
});

const client = (overrides: { accessToken?: string; apiVersion?: string } = {}) =>
  createPaymentsApiClient({
    shop: SHOP,
    accessToken: overrides.accessToken ?? token,
    apiVersion: overrides.apiVersion ?? '2026-07',
    fetch: fake.fetch,
  });

async function openPaymentSession(kind: 'sale' | 'authorization' = 'sale') {
  const result = await fake.startPaymentSession({
    shop: SHOP,
    url: `${app.url}/payment`,
    amount: '10.00',
    currency: 'USD',
    kind,
  });
  expect(result.status).toBe(201);
  return result.session;
}

it('posts to /payments_apps/api/{version}/graphql.json with the access token, and reads the next action', async () => {
  const session = await openPaymentSession();
  const c = client();
  expect(c.url).toBe(`https://${SHOP}/payments_apps/api/2026-07/graphql.json`);
  const result = await c.mutate('paymentSessionResolve', { id: session.gid });
  expect(result).toEqual({
    state: 'RESOLVED',
    reason: undefined,
    redirectUrl: `${fake.url}/checkouts/${SHOP}/${session.id}/thank-you`,
    userErrors: [],
    done: true,
  });
  const seen = fake.mutationsFor(session.gid);
  expect(seen.map((m) => [m.name, m.apiVersion, m.accepted])).toEqual([
    ['paymentSessionResolve', '2026-07', true],
  ]);
});

it('treats a repeat of the same final mutation as done, and reports a conflicting one', async () => {
  const session = await openPaymentSession();
  await client().mutate('paymentSessionReject', { id: session.gid, reason: { code: 'CARD_DECLINED' } });
  const again = await client().mutate('paymentSessionReject', {
    id: session.gid,
    reason: { code: 'PROCESSING_ERROR' },
  });
  expect(again).toMatchObject({ state: 'REJECTED', reason: 'CARD_DECLINED', done: true, userErrors: [] });
  const other = await client().mutate('paymentSessionResolve', { id: session.gid });
  expect(other.done).toBe(false);
  expect(other.state).toBe('REJECTED');
  expect(other.userErrors[0]?.message).toMatch(/already been rejected/);
});

it('resolves an authorization with its expiry, then refunds, captures and voids with their own documents', async () => {
  const session = await openPaymentSession('authorization');
  const expires = new Date(Date.now() + 7 * 86_400_000).toISOString();
  expect(
    await client().mutate('paymentSessionResolve', { id: session.gid, authorizationExpiresAt: expires }),
  ).toMatchObject({ done: true });
  expect(fake.session('payment', session.id)?.authorizationExpiresAt).toBe(expires);
  for (const kind of ['capture', 'void', 'refund'] as const) {
    const start = {
      capture: fake.startCaptureSession,
      void: fake.startVoidSession,
      refund: fake.startRefundSession,
    }[kind];
    const follow = await start({ shop: SHOP, url: `${app.url}/${kind}`, paymentId: session.id });
    expect(follow.status).toBe(201);
    const resolved = await client().mutate(`${kind}SessionResolve`, { id: follow.session.gid });
    expect(resolved).toMatchObject({ state: 'RESOLVED', done: true });
    const rejected = await client().mutate(`${kind}SessionReject`, {
      id: follow.session.gid,
      reason: { code: 'PROCESSING_ERROR', merchantMessage: 'too late' },
    });
    expect(rejected).toMatchObject({ state: 'RESOLVED', done: false });
    expect(rejected.userErrors[0]).toMatchObject({ code: `${kind.toUpperCase()}_SESSION_INVALID_STATE` });
  }
});

it('maps throttling in HTTP 200, 429 and 5xx onto retryable errors', async () => {
  const session = await openPaymentSession();
  fake.failNext(1, 'throttled');
  await expect(client().mutate('paymentSessionResolve', { id: session.gid })).rejects.toBeInstanceOf(
    RateLimitError,
  );
  fake.failNext(1, 'rate_limited');
  const limited = await client()
    .mutate('paymentSessionResolve', { id: session.gid })
    .catch((e: unknown) => e);
  expect(limited).toBeInstanceOf(RateLimitError);
  expect((limited as RateLimitError).retryAfterMs).toBe(50);
  fake.failNext(1, 'server_error');
  await expect(client().mutate('paymentSessionResolve', { id: session.gid })).rejects.toBeInstanceOf(
    GatewayError,
  );
  fake.failNext(1, 'user_errors');
  const userErrors = await client().mutate('paymentSessionResolve', { id: session.gid });
  expect(userErrors).toMatchObject({ done: false, state: undefined });
  expect(await client().mutate('paymentSessionResolve', { id: session.gid })).toMatchObject({ done: true });
});

it('says when Shopify has not received the answer to the session request yet', async () => {
  const silent = await startLoopbackServer((_request, response) => void response.socket?.destroy());
  const id = `unanswered-${Date.now()}`;
  await expect(
    fake.startPaymentSession({
      shop: SHOP,
      url: `${silent.url}/payment`,
      amount: '1.00',
      currency: 'USD',
      id,
    }),
  ).rejects.toThrow();
  await silent.close();
  const session = fake.session('payment', id);
  expect(session?.answered).toBe(false);
  const early = await client().mutate('paymentSessionResolve', { id: session?.gid });
  expect(early.done).toBe(false);
  expect(early.userErrors[0]?.message).toMatch(/has not been received/);
});

it('refuses a document the published schema does not allow, with a typed error', async () => {
  const session = await openPaymentSession();
  const bad = await client()
    .mutate('paymentSessionReject', { id: session.gid, reason: { code: 'NOT_A_REASON' } })
    .catch((e: unknown) => e);
  expect(bad).toBeInstanceOf(InvalidRequestError);
  expect(String((bad as Error).message)).toMatch(/NOT_A_REASON/);
});

it('maps a refused token, an unknown version and an unreachable host, and never puts the token in an error', async () => {
  const refused = await client({ accessToken: 'shpat_wrong' })
    .mutate('paymentsAppConfigure', { ready: true })
    .catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(AuthenticationError);
  const version = await client({ apiVersion: '2025-01' })
    .mutate('paymentsAppConfigure', { ready: true })
    .catch((e: unknown) => e);
  expect(version).toBeInstanceOf(NotFoundError);
  const down = createPaymentsApiClient({
    shop: SHOP,
    accessToken: token,
    apiVersion: '2026-07',
    fetch: (() => Promise.reject(new TypeError('fetch failed'))) as typeof fetch,
  });
  const lost = await down.mutate('paymentsAppConfigure', { ready: true }).catch((e: unknown) => e);
  expect(lost).toBeInstanceOf(ConnectionError);
  expect((lost as ConnectionError).outcomeUnknown).toBe(true);
  for (const error of [refused, version, lost])
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(token);
});

it('refuses a shop domain that is not *.myshopify.com before sending anything', () => {
  expect(() =>
    createPaymentsApiClient({ shop: 'evil.example.com', accessToken: 't', apiVersion: '2026-07' }),
  ).toThrow(/Not a shop domain/);
  expect(() => createPaymentsApiClient({ shop: SHOP, accessToken: 't', apiVersion: 'latest' })).toThrow(
    /API version/,
  );
  expect(() => createPaymentsApiClient({ shop: '', accessToken: '', apiVersion: '' } as never)).toThrow(
    'createPaymentsApiClient is missing: accessToken, shop, apiVersion',
  );
});
