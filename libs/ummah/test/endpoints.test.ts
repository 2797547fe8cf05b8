import type { ServerResponse } from 'node:http';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { ENDPOINTS, listEndpoints, UmmahClient, type Endpoint } from '@tijara/ummah';
import { loadEndpointFixtures, TEST_SECRET_KEY, type EndpointFixture } from './support/fixtures.js';

const fixtures = loadEndpointFixtures();
const endpoints = listEndpoints();

let server: LoopbackServer;
let client: UmmahClient;
let answer: ((response: ServerResponse) => void) | undefined;

beforeAll(async () => {
  server = await startLoopbackServer((_request, response) => {
    if (!answer) return sendJson(response, 500, { error: 'no fixture armed' });
    answer(response);
  });
  client = new UmmahClient({ secretKey: TEST_SECRET_KEY, baseUrl: `${server.url}/api/v1/`, maxAttempts: 1 });
});
afterAll(() => server.close());

function reply(fixture: EndpointFixture) {
  answer = (response) => {
    if (fixture.response.status === 204) {
      response.writeHead(204);
      response.end();
    } else sendJson(response, fixture.response.status, fixture.response.body);
  };
}

/** The generated method for a dotted endpoint name, e.g. `clients.recurringTokens.list`. */
function methodFor(name: string): (...args: unknown[]) => unknown {
  let target: unknown = client;
  for (const part of name.split('.')) target = (target as Record<string, unknown>)[part];
  expect(typeof target).toBe('function');
  return target as (...args: unknown[]) => unknown;
}

/** Arguments padded so the options object lands in its own slot even when the optional input is omitted. */
function argsWithOptions(endpoint: Endpoint, args: unknown[], options: object): unknown[] {
  const slots = (endpoint.path.match(/\{/g)?.length ?? 0) + (endpoint.request ? 1 : 0);
  const padded = [...args];
  while (padded.length < slots) padded.push(undefined);
  return [...padded, options];
}

describe('Ummah endpoint table', () => {
  it('declares the 47 documented endpoints, each with a recorded fixture', () => {
    expect(endpoints).toHaveLength(47);
    expect([...fixtures.keys()].sort()).toEqual(endpoints.map((e) => e.name).sort());
    const routes = endpoints.map((e) => `${e.endpoint.method} ${e.endpoint.path}`);
    expect(new Set(routes).size).toBe(47);
  });

  it('marks exactly the POSTs as needing an idempotency key', () => {
    for (const { endpoint } of endpoints) expect(endpoint.idempotent).toBe(endpoint.method !== 'POST');
  });
});

describe.each(endpoints.map((e) => [e.name, e.endpoint] as const))('%s', (name, endpoint) => {
  const fixture = fixtures.get(name) as EndpointFixture;

  it(`sends the documented ${endpoint.method} and returns the validated response`, async () => {
    reply(fixture);
    const before = server.requests.length;
    const idempotencyKey = `fixture-${name}`;
    const result = await methodFor(name)(...argsWithOptions(endpoint, fixture.args, { idempotencyKey }));

    expect(server.requests).toHaveLength(before + 1);
    const sent = server.requests[before]!;
    expect(sent.method).toBe(fixture.request.method);
    expect(sent.path).toBe(fixture.request.path);
    expect(Object.fromEntries(sent.query)).toEqual(fixture.request.query ?? {});
    expect(sent.headers.authorization).toBe(`Bearer ${TEST_SECRET_KEY}`);
    expect(sent.headers['user-agent']).toMatch(/^tijara-ummah\//);
    if (fixture.request.body === undefined) {
      expect(sent.body).toHaveLength(0);
    } else {
      expect(sent.json).toEqual(fixture.request.body);
      expect(sent.headers['content-type']).toMatch(/^application\/json/);
    }
    if (endpoint.method === 'POST') expect(sent.headers['idempotency-key']).toBe(idempotencyKey);
    if (endpoint.method === 'GET') expect(sent.headers['idempotency-key']).toBeUndefined();

    if (fixture.response.status === 204) expect(result).toBeUndefined();
    else expect(result).toEqual(fixture.response.body);
  });

  if (endpoint.items) {
    it('iterates over every item of the list', async () => {
      reply(fixture);
      const items: unknown[] = [];
      const list = methodFor(name)(...fixture.args) as AsyncIterable<unknown>;
      for await (const item of list) items.push(item);
      expect(items).toEqual((fixture.response.body as { results: unknown[] }).results);
    });
  }
});

describe('one request path', () => {
  it('gives a POST without a caller key a generated Idempotency-Key', async () => {
    reply(fixtures.get('purchases.cancel')!);
    const before = server.requests.length;
    await client.purchases.cancel('d6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e');
    expect(server.requests[before]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('encodes a path parameter as one segment, and refuses dot segments that would climb out of it', async () => {
    reply(fixtures.get('purchases.retrieve')!);
    const before = server.requests.length;
    await client.purchases.retrieve('a/b?c');
    expect(server.requests[before]!.path).toBe('/api/v1/purchases/a%2Fb%3Fc/');
    await expect(client.purchases.retrieve('..')).rejects.toMatchObject({
      details: { id: ['Not a valid id.'] },
    });
    expect(server.requests).toHaveLength(before + 1);
  });

  it('refuses a missing path parameter before sending', async () => {
    const before = server.requests.length;
    await expect(client.clients.recurringTokens.retrieve('c1', '')).rejects.toMatchObject({
      type: 'invalid_request',
      details: { token_id: ['This field may not be blank.'] },
    });
    expect(server.requests).toHaveLength(before);
  });

  it('follows next links across pages, awaiting gives the first page only', async () => {
    const pageOne = {
      results: [{ id: 'c1', email: 'one@example.com' }],
      next: '/api/v1/clients/?page=2',
      previous: null,
    };
    const pageTwo = {
      results: [{ id: 'c2', email: 'two@example.com' }],
      next: null,
      previous: '/api/v1/clients/',
    };
    answer = (response) => {
      const last = server.requests[server.requests.length - 1]!;
      sendJson(response, 200, last.query.get('page') === '2' ? pageTwo : pageOne);
    };
    const before = server.requests.length;
    const ids: string[] = [];
    for await (const item of client.clients.list()) ids.push(item.id);
    expect(ids).toEqual(['c1', 'c2']);
    expect(server.requests.slice(before).map((r) => `${r.path}?${r.query}`)).toEqual([
      '/api/v1/clients/?',
      '/api/v1/clients/?page=2',
    ]);

    const first = await client.clients.list();
    expect(first.results.map((c) => c.id)).toEqual(['c1']);
  });

  it('is the same call() the generated methods use', async () => {
    reply(fixtures.get('clients.retrieve')!);
    const viaCall = await client.call(ENDPOINTS.clients.retrieve, {
      id: 'c1a2b3c4-d5e6-f7a8-b9c0-d1e2f3a4b5c6',
    });
    const viaMethod = await client.clients.retrieve('c1a2b3c4-d5e6-f7a8-b9c0-d1e2f3a4b5c6');
    expect(viaCall).toEqual(viaMethod);
  });
});

/** Compile-time checks of the generated signatures: typecheck fails if they loosen. Never called. */
export function generatedSignatures(c: UmmahClient): unknown[] {
  return [
    // @ts-expect-error the charge body (recurring_token) is required
    c.purchases.charge('id'),
    // @ts-expect-error both path parameters are required
    c.clients.recurringTokens.retrieve('client'),
    // @ts-expect-error amounts are numbers
    c.purchases.capture('id', { amount: '10' }),
    c.purchases.capture('id'),
    c.purchases.cancel('id', { idempotencyKey: 'k' }),
    c.clients.list(undefined, { signal: AbortSignal.timeout(1000) }),
  ];
}
