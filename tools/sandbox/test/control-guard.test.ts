import { request } from 'node:http';
import { startSandbox, type RunningSandbox } from '../src/index.js';
import { client, createPurchase, start } from './helpers.js';

/**
 * The control API (`/__sandbox/…`) answers only its own site: no other site's pages (Origin, Sec-Fetch-Site), no
 * foreign host names (DNS rebinding), no POST that is not JSON (what a page may send without a CORS preflight).
 * Beyond loopback it needs a token, and the sandbox will not listen there without one.
 */
interface Raw {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Plain node:http, so the Host header is exactly what the test says (fetch would not allow that). */
function raw(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await start({ allowedHosts: ['sandbox.lan'] });
});
afterAll(() => sandbox.close());

const host = () => new URL(sandbox.url).host;
const port = () => new URL(sandbox.url).port;
const json = { 'content-type': 'application/json' };

test('a page on another site cannot use the control API', async () => {
  const reset = (headers: Record<string, string>) =>
    raw(`${sandbox.url}/__sandbox/reset`, 'POST', { ...json, ...headers }, '{}');
  expect((await reset({ origin: 'https://evil.example' })).status).toBe(403);
  expect((await reset({ origin: 'null' })).status).toBe(403);
  expect((await reset({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  const refused = await reset({ origin: 'http://attacker.test:8080', 'sec-fetch-site': 'cross-site' });
  expect(JSON.parse(refused.body)).toEqual({
    error: 'cross_site_request',
    detail: 'The control API does not accept requests from other sites.',
  });
  // Its own pages, and other local ports (a dev store on this machine), are the same site.
  expect((await reset({ origin: sandbox.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  expect((await reset({ origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' })).status).toBe(200);
  expect((await reset({ 'sec-fetch-site': 'none' })).status).toBe(200);
});

test("a Host that is not the sandbox's own is refused (DNS rebinding)", async () => {
  const info = (hostHeader: string) => raw(`${sandbox.url}/__sandbox/info`, 'GET', { host: hostHeader });
  const rebound = await info(`rebind.evil.example:${port()}`);
  expect(rebound.status).toBe(403);
  expect(JSON.parse(rebound.body).error).toBe('forbidden_host');
  expect((await info(host())).status).toBe(200);
  expect((await info(`localhost:${port()}`)).status).toBe(200);
  expect((await info(`[::1]:${port()}`)).status).toBe(200);
  expect((await info(`sandbox.lan:${port()}`)).status).toBe(200);
  // The gateway's own API is not the control API: it has its key, and answers whatever name it is called by.
  const api = await raw(`${sandbox.apiBase}webhooks/`, 'GET', {
    host: `rebind.evil.example:${port()}`,
    authorization: `Bearer ${sandbox.secretKey}`,
  });
  expect(api.status).toBe(200);
});

test('every POST must be JSON', async () => {
  const purchase = await createPurchase(client(sandbox), sandbox.brandId);
  const pay = (headers: Record<string, string>, body: string) =>
    raw(`${sandbox.url}/__sandbox/purchases/${purchase.id}/pay`, 'POST', headers, body);
  const form = await pay(
    { 'content-type': 'application/x-www-form-urlencoded' },
    'card_number=4242424242424242',
  );
  expect(form.status).toBe(415);
  expect((await pay({ 'content-type': 'text/plain' }, '{"card_number":"4242424242424242"}')).status).toBe(
    415,
  );
  expect((await pay({}, '')).status).toBe(415);
  expect((await client(sandbox).get(`/purchases/${purchase.id}/`)).body.status).toBe('created');
  const paid = await pay(
    { 'content-type': 'application/json; charset=utf-8' },
    '{"card_number":"4242424242424242"}',
  );
  expect(JSON.parse(paid.body).status).toBe('paid');
});

describe('with a control token', () => {
  let guarded: RunningSandbox;
  beforeAll(async () => {
    guarded = await start({ controlToken: 'ctl_test_0123456789abcdef' });
  });
  afterAll(() => guarded.close());

  test('the control API needs it; the gateway API does not', async () => {
    const info = (headers: Record<string, string>) => fetch(`${guarded.url}/__sandbox/info`, { headers });
    const missing = await info({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await info({ authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await info({ authorization: 'Bearer ctl_test_0123456789abcdef' })).status).toBe(200);
    expect((await info({ 'x-sandbox-token': 'ctl_test_0123456789abcdef' })).status).toBe(200);
    const purchase = await createPurchase(client(guarded), guarded.brandId);
    const pay = await fetch(`${guarded.url}/__sandbox/ummah/purchases/${purchase.id}/pay`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ card_number: '4242424242424242' }),
    });
    expect(pay.status).toBe(401);
    expect((await client(guarded).get(`/purchases/${purchase.id}/`)).body.status).toBe('created');
  });

  test("the buyer's hosted pages stay open, as on the real gateway", async () => {
    const purchase = await createPurchase(client(guarded), guarded.brandId);
    expect((await fetch(purchase.checkout_url)).status).toBe(200);
  });
});

test('listening beyond loopback needs a control token', async () => {
  await expect(startSandbox({ port: 0, host: '0.0.0.0' })).rejects.toThrow(
    /refusing to listen on 0\.0\.0\.0 without a control token/,
  );
  await expect(startSandbox({ port: 0, host: '::' })).rejects.toThrow(/without a control token/);
  const exposed = await startSandbox({ port: 0, host: '0.0.0.0', controlToken: 'ctl_test_exposed' });
  try {
    const local = `http://127.0.0.1:${exposed.port}`;
    const info = await fetch(`${local}/__sandbox/info`, {
      headers: { authorization: 'Bearer ctl_test_exposed' },
    });
    expect(info.status).toBe(200);
    expect((await fetch(`${local}/__sandbox/info`)).status).toBe(401);
  } finally {
    await exposed.close();
  }
});
