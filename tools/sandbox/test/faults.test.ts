import type { RunningSandbox } from '../src/index.js';
import {
  client,
  control,
  createPurchase,
  pay,
  purchaseBody,
  start,
  startReceiver,
  type Client,
  type Json,
  type Receiver,
} from './helpers.js';

let sandbox: RunningSandbox;
let api: Client;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const addFault = (rule: Record<string, unknown>) => control(sandbox, 'POST', '/faults', rule);

describe('API faults', () => {
  test('any status for the next N matching requests, then normal service', async () => {
    const added = await addFault({
      method: 'POST',
      path: '/api/v1/purchases/',
      type: 'error',
      status: 503,
      count: 2,
    });
    expect(added.status).toBe(201);
    expect(added.body.added[0]).toMatchObject({ type: 'error', status: 503, remaining: 2 });
    expect((await api.post('/purchases/', purchaseBody(sandbox.brandId))).status).toBe(503);
    // GET does not match the rule.
    expect((await api.get('/clients/')).status).toBe(200);
    expect((await api.post('/purchases/', purchaseBody(sandbox.brandId))).body).toMatchObject({
      error: 'server_error',
    });
    expect((await api.post('/purchases/', purchaseBody(sandbox.brandId))).status).toBe(201);
    expect((await control(sandbox, 'GET', '/faults')).body).toEqual({ rules: [] });
    // Rejected requests were never executed.
    expect((await control<{ results: Json[] }>(sandbox, 'GET', '/purchases')).body.results).toHaveLength(1);
  });

  test('429 with Retry-After and the documented error code', async () => {
    await addFault({ type: 'rate_limit', retry_after: 7, count: 1 });
    const limited = await api.get('/clients/');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.body.error).toBe('rate_limit_exceeded');
    expect((await api.get('/clients/')).status).toBe(200);
  });

  test('path globs: * is one segment', async () => {
    await addFault({
      path: '/api/v1/purchases/*/capture/',
      type: 'error',
      status: 500,
      body: { error: 'boom' },
    });
    const purchase = await createPurchase(api, sandbox.brandId, { skip_capture: true });
    await pay(sandbox, purchase.id);
    expect((await api.post(`/purchases/${purchase.id}/capture/`)).body).toEqual({ error: 'boom' });
    expect((await api.post(`/purchases/${purchase.id}/release/`)).status).toBe(200);
  });

  test('latency holds the answer back (the control API is never slowed)', async () => {
    // A rule for every path, good for one request.
    await addFault({ type: 'latency', latency_ms: 1_000, count: 1 });
    // The control API does not take part: the rule is still unspent after control requests.
    expect((await control(sandbox, 'GET', '/info')).status).toBe(200);
    expect((await control<{ rules: Json[] }>(sandbox, 'GET', '/faults')).body.rules).toEqual([
      expect.objectContaining({ type: 'latency', remaining: 1 }),
    ]);
    // The API request takes it: a client that waits less than the injected delay gets no answer at all.
    const slow = fetch(`${sandbox.apiBase}clients/`, {
      headers: { authorization: `Bearer ${sandbox.secretKey}` },
      signal: AbortSignal.timeout(100),
    });
    await expect(slow).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await control(sandbox, 'GET', '/faults')).body).toEqual({ rules: [] });
    expect((await api.get('/clients/')).status).toBe(200);
  });

  test('a client that times out during a latency fault: the request still happens with its real body', async () => {
    await addFault({
      method: 'POST',
      path: '/api/v1/purchases/',
      type: 'latency',
      latency_ms: 300,
      count: 1,
    });
    const headers = { 'Idempotency-Key': 'slow-gateway-1' };
    const body = purchaseBody(sandbox.brandId, { reference: 'SLOW' });
    const aborted = fetch(`${sandbox.apiBase}purchases/`, {
      method: 'POST',
      headers: {
        ...headers,
        authorization: `Bearer ${sandbox.secretKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(50),
    });
    await expect(aborted).rejects.toThrow();
    // The gateway carries on after the client left; wait for it (bounded) rather than for a fixed time.
    let created: Json[] = [];
    for (let i = 0; i < 100 && created.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      created = (await control<{ results: Json[] }>(sandbox, 'GET', '/purchases')).body.results;
    }
    expect(created.map((p) => p.reference)).toEqual(['SLOW']);
    // The retry with the same key and body gets the original answer instead of an idempotency conflict.
    const retry = await api.post('/purchases/', body, headers);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(created[0]!.id);
  });

  test('a dropped connection: the client sees a network error', async () => {
    await addFault({ type: 'drop', count: 1 });
    await expect(api.get('/clients/')).rejects.toThrow();
    expect((await api.get('/clients/')).status).toBe(200);
  });

  test('"after": the request takes effect but the answer is lost; the idempotent retry gets the original', async () => {
    await addFault({ method: 'POST', path: '/api/v1/purchases/', type: 'drop', when: 'after', count: 1 });
    const headers = { 'Idempotency-Key': 'lost-answer-1' };
    const body = purchaseBody(sandbox.brandId, { reference: 'LOST' });
    await expect(api.post('/purchases/', body, headers)).rejects.toThrow();
    const created = (await control<{ results: Json[] }>(sandbox, 'GET', '/purchases')).body.results;
    expect(created).toHaveLength(1);
    const retry = await api.post('/purchases/', body, headers);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(created[0].id);
    expect((await control<{ results: Json[] }>(sandbox, 'GET', '/purchases')).body.results).toHaveLength(1);

    await addFault({
      method: 'POST',
      path: '/api/v1/clients/',
      type: 'error',
      status: 502,
      when: 'after',
      count: 1,
    });
    expect((await api.post('/clients/', { email: 'x@example.com' })).status).toBe(502);
    expect((await api.get('/clients/')).body.results).toHaveLength(1);
  });

  test('a seeded rate is reproducible', async () => {
    const outcomes = async () => {
      await sandbox.reset();
      await addFault({ type: 'error', status: 500, rate: 0.5, seed: 1234, path: '/api/v1/clients/' });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await api.get('/clients/')).status);
      return statuses;
    };
    const first = await outcomes();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await outcomes()).toEqual(first);
  });

  test('rules can be listed, removed one by one, cleared; invalid rules are a 400', async () => {
    const a = (await addFault({ type: 'error', status: 500, path: '/api/v1/webhooks/' })).body.added[0];
    await control(sandbox, 'POST', '/faults', {
      rules: [{ type: 'latency', latency_ms: 1 }, { type: 'rate_limit' }],
    });
    expect((await control(sandbox, 'GET', '/faults')).body.rules).toHaveLength(3);
    expect((await control(sandbox, 'DELETE', `/faults/${a.id}`)).status).toBe(204);
    expect((await control(sandbox, 'DELETE', `/faults/${a.id}`)).status).toBe(404);
    expect((await control(sandbox, 'POST', '/faults', { clear: true })).body.rules).toEqual([]);
    expect((await control(sandbox, 'POST', '/faults', { type: 'explode' })).status).toBe(400);
    expect((await control(sandbox, 'POST', '/faults', { type: 'duplicate' })).body.details).toEqual({
      type: ['"duplicate" applies to the webhooks scope only.'],
    });
    await addFault({ type: 'error', status: 500 });
    expect((await control(sandbox, 'GET', '/info')).status).toBe(200);
    expect((await control(sandbox, 'DELETE', '/faults')).body).toEqual({ rules: [] });
  });

  test('pages can be faulted too', async () => {
    const purchase = await createPurchase(api, sandbox.brandId);
    await addFault({ path: '/checkout/**', type: 'error', status: 503, count: 1 });
    expect((await fetch(purchase.checkout_url)).status).toBe(503);
    expect((await fetch(purchase.checkout_url)).status).toBe(200);
  });
});

describe('delivery faults', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
    await api.post('/webhooks/', { callback: receiver.url, events: ['purchase.paid', 'purchase.refunded'] });
  });
  afterEach(() => receiver.close());

  test('duplicate: the same signed bytes arrive twice', async () => {
    await addFault({ scope: 'webhooks', type: 'duplicate', event: 'purchase.paid', count: 1 });
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    const [a, b] = await receiver.waitFor(2);
    expect(b!.body.equals(a!.body)).toBe(true);
    expect(b!.headers['x-signature']).toBe(a!.headers['x-signature']);
    await sandbox.settle();
    const log = (await api.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`)).body
      .results[0];
    expect(log.attempt_count).toBe(1);
    expect(log.attempts.map((x: Json) => Boolean(x.duplicate))).toEqual([false, true]);
  });

  test('out_of_order: an event is held back until a later one has been delivered', async () => {
    await addFault({ scope: 'webhooks', type: 'out_of_order', event: 'purchase.paid', count: 1 });
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    await sandbox.settle();
    expect(receiver.requests).toHaveLength(0);
    await api.post(`/purchases/${purchase.id}/refund/`, { amount: 100 });
    await receiver.waitFor(2);
    expect(receiver.requests.map((r) => r.json.type)).toEqual(['purchase.refunded', 'purchase.paid']);
  });

  test('held deliveries can be flushed', async () => {
    await addFault({ scope: 'webhooks', type: 'out_of_order', count: 1 });
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    await sandbox.settle();
    expect(receiver.requests).toHaveLength(0);
    expect((await control(sandbox, 'POST', '/webhooks/flush')).body).toMatchObject({
      pending: 0,
      delivered: 1,
    });
    expect(receiver.requests).toHaveLength(1);
  });

  test('drop: the attempt never reaches the receiver and is retried', async () => {
    await addFault({ scope: 'webhooks', type: 'drop', count: 1 });
    const purchase = await createPurchase(api, sandbox.brandId);
    await pay(sandbox, purchase.id);
    await receiver.waitFor(1);
    await sandbox.settle();
    const log = (await api.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`)).body
      .results[0];
    expect(log).toMatchObject({ status: 'delivered', attempt_count: 2 });
    expect(log.attempts[0]).toMatchObject({
      response_code: null,
      error: 'connection dropped (injected fault)',
    });
  });

  test('target narrows a rule to success callbacks', async () => {
    await addFault({ scope: 'webhooks', type: 'drop', target: 'success_callback', count: 1 });
    const purchase = await createPurchase(api, sandbox.brandId, { success_callback: `${receiver.url}/cb` });
    await pay(sandbox, purchase.id);
    await receiver.waitFor(2);
    await sandbox.settle();
    const log = (await api.get(`/webhooks/deliveries/?id=${purchase.id}&source_type=purchase`)).body.results;
    const byKind = Object.fromEntries(log.map((d: Json) => [d.kind, d.attempt_count]));
    expect(byKind).toEqual({ webhook: 1, success_callback: 2 });
  });
});
