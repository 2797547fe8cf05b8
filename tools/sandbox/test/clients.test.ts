import { clientListSchema, clientSchema } from '@tijara/ummah';
import type { RunningSandbox } from '../src/index.js';
import { client, start, type Client } from './helpers.js';

let sandbox: RunningSandbox;
let api: Client;

beforeAll(async () => {
  sandbox = await start();
  api = client(sandbox);
});
afterAll(() => sandbox.close());

test('create, retrieve, replace, patch, delete', async () => {
  const created = await api.post('/clients/', {
    email: 'client@example.com',
    full_name: 'John Doe',
    phone: '+1234567890',
    country: 'US',
  });
  expect(created.status).toBe(201);
  expect(clientSchema.parse(created.body)).toMatchObject({
    email: 'client@example.com',
    full_name: 'John Doe',
    phone: '+1234567890',
    country: 'US',
    type: 'personal',
    is_test: true,
  });
  const id = created.body.id;
  expect((await api.get(`/clients/${id}/`)).body).toEqual(created.body);

  const replaced = await api.put(`/clients/${id}/`, {
    email: 'updated@example.com',
    full_name: 'Jane Doe',
    country: 'GB',
  });
  expect(replaced.body).toMatchObject({
    email: 'updated@example.com',
    full_name: 'Jane Doe',
    country: 'GB',
    phone: '',
  });
  expect(replaced.body.created_on).toBe(created.body.created_on);

  const patched = await api.patch(`/clients/${id}/`, { full_name: 'Updated Name' });
  expect(patched.body).toMatchObject({
    email: 'updated@example.com',
    full_name: 'Updated Name',
    country: 'GB',
  });

  expect((await api.del(`/clients/${id}/`)).status).toBe(204);
  expect((await api.get(`/clients/${id}/`)).body).toEqual({
    error: 'Not Found',
    detail: 'Object with this ID does not exist.',
  });
  expect((await api.patch(`/clients/${id}/`, { full_name: 'x' })).status).toBe(404);
});

test.each([
  ['POST', '/clients/', {}, { email: ['This field is required.'] }],
  [
    'POST',
    '/clients/',
    { email: 'x@example.com', country: 'USA' },
    { country: ['Ensure this field has exactly 2 characters.'] },
  ],
  ['POST', '/clients/', { email: 'nope' }, { email: ['Enter a valid email address.'] }],
])('%s %s %j → 400', async (method, path, body, details) => {
  const response = await api.call(method, path, body);
  expect(response.status).toBe(400);
  expect(response.body).toEqual({ error: 'Bad Request', details });
});

test('PUT requires the email, PATCH does not', async () => {
  const { id } = (await api.post('/clients/', { email: 'put@example.com' })).body;
  const put = await api.put(`/clients/${id}/`, { full_name: 'No Email' });
  expect(put.status).toBe(400);
  expect(put.body.details).toEqual({ email: ['This field is required.'] });
  expect((await api.patch(`/clients/${id}/`, { full_name: 'Fine' })).status).toBe(200);
});

test('list is paginated newest first with absolute next/previous links', async () => {
  await sandbox.reset();
  for (const n of [1, 2, 3]) await api.post('/clients/', { email: `p${n}@example.com` });
  const first = await api.get('/clients/?per_page=2');
  const page = clientListSchema.parse(first.body);
  expect(page.results.map((c) => c.email)).toEqual(['p3@example.com', 'p2@example.com']);
  expect(page.previous).toBeNull();
  expect(page.next).toBe(`${sandbox.apiBase}clients/?per_page=2&page=2`);
  const second = await api.get(page.next!.slice(sandbox.apiBase.length));
  expect(second.body.results.map((c: { email: string }) => c.email)).toEqual(['p1@example.com']);
  expect(second.body.next).toBeNull();
  expect(second.body.previous).toBe(`${sandbox.apiBase}clients/?per_page=2&page=1`);
  expect((await api.get('/clients/?page=0')).status).toBe(400);
});
