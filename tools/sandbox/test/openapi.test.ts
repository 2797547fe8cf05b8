import { listEndpoints } from '@tijara/ummah';
import type { RunningSandbox } from '../src/index.js';
import { client, start, type Json } from './helpers.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await start();
});
afterAll(() => sandbox.close());

test('every endpoint of the driver table is implemented by the sandbox', async () => {
  // An endpoint without an implementation answers 501; anything else (even a 400 or 404) means one ran.
  const api = client(sandbox);
  const missing: string[] = [];
  for (const { name, endpoint } of listEndpoints()) {
    const path = endpoint.path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
    const response = await api.call(endpoint.method, path, endpoint.method === 'GET' ? undefined : {});
    if (response.status === 501) missing.push(name);
  }
  expect(missing).toEqual([]);
  // The reference's 44 documented routes, plus CHIP's charge/ and the client token list.
  expect(listEndpoints().length).toBeGreaterThanOrEqual(46);
});

test('OpenAPI 3.1 at /api/v1/openapi.json (no key needed), generated from the same schemas', async () => {
  const response = await fetch(`${sandbox.apiBase}openapi.json`);
  expect(response.status).toBe(200);
  const doc = (await response.json()) as Json;
  expect(doc.openapi).toBe('3.1.0');
  expect(doc.servers).toEqual([{ url: `${sandbox.url}/api/v1` }]);
  expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });

  const operations = Object.entries(
    doc.paths as Record<string, Record<string, { operationId: string }>>,
  ).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
  );
  const expected = listEndpoints().map(
    ({ name, endpoint }) => `${endpoint.method} /${endpoint.path} ${name}`,
  );
  expect(operations.sort()).toEqual(expected.sort());

  const create = doc.paths['/purchases/'].post;
  const body = create.requestBody.content['application/json'].schema;
  expect(body.required).toEqual(expect.arrayContaining(['brand_id', 'purchase']));
  expect(body.properties.purchase.properties.products.type).toBe('array');
  expect(create.responses['201'].content['application/json'].schema.properties).toHaveProperty(
    'checkout_url',
  );
  expect(create.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');

  const methods = doc.paths['/payment_methods/'].get;
  expect(methods.parameters).toEqual(
    expect.arrayContaining([expect.objectContaining({ name: 'brand_id', in: 'query', required: true })]),
  );
  expect(doc.paths['/purchases/{id}/capture/'].post.parameters[0]).toMatchObject({
    name: 'id',
    in: 'path',
    required: true,
  });
  expect(doc.paths['/clients/{id}/'].delete.responses).toHaveProperty('204');
});

test('the API key still guards everything else', async () => {
  expect((await fetch(`${sandbox.apiBase}purchases/`)).status).toBe(401);
  expect((await client(sandbox).get('/openapi.json')).status).toBe(200);
});
