import { startRecordingPlayer, type ExchangeRecording, type RecordingPlayer } from '@tijara/testkit';

const recordings: Record<string, ExchangeRecording> = {
  list: {
    scenario: 'list',
    exchanges: [
      {
        request: { method: 'GET', path: '/items', query: { page: '2' } },
        response: { status: 200, body: { next: '{base}/items?page=3' } },
      },
      {
        request: { method: 'POST', path: '/items', body: { name: 'a' } },
        response: { status: 201, body: { id: 1 } },
      },
      { request: { method: 'DELETE', path: '/items/1' }, response: { status: 204 } },
    ],
  },
  lost: {
    scenario: 'lost',
    exchanges: [{ request: { method: 'POST', path: '/pay' }, response: { status: 200, drop: true } }],
  },
};

let player: RecordingPlayer<ExchangeRecording>;

beforeAll(async () => {
  player = await startRecordingPlayer({
    read: (scenario) => recordings[scenario] as ExchangeRecording,
    check: (request) => (request.headers['x-key'] === 'k' ? [] : ['missing x-key']),
    mismatchBody: (message) => ({ problem: message }),
    checkQuery: true,
    responseHeaders: { 'x-gateway': 'replay' },
    substituteBase: true,
  });
});
afterAll(() => player.close());

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${player.server.url}${path}`, { ...init, headers: { 'x-key': 'k', ...init.headers } });

it('plays the exchanges in order, with the recorded answers, and ends clean', async () => {
  player.begin('list');
  const list = await call('/items?page=2');
  expect(list.status).toBe(200);
  expect(list.headers.get('x-gateway')).toBe('replay');
  expect(await list.json()).toEqual({ next: `${player.server.url}/items?page=3` });
  const created = await call('/items', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'a' }),
  });
  expect(created.status).toBe(201);
  expect((await call('/items/1', { method: 'DELETE' })).status).toBe(204);
  expect(() => player.end('list')).not.toThrow();
});

it('answers a request that differs with a 418 in the given shape, and end() names every difference', async () => {
  player.begin('list');
  const wrong = await fetch(`${player.server.url}/items?page=1`);
  expect(wrong.status).toBe(418);
  expect(await wrong.json()).toEqual({ problem: expect.stringContaining('query differs') });
  expect(() => player.end('list')).toThrow(/query differs[\s\S]*missing x-key/);
});

it('reports a recording left unused, and a request beyond its end', async () => {
  player.begin('list');
  expect(() => player.end('list')).toThrow(/never requested: GET \/items, POST \/items, DELETE \/items\/1/);
  player.begin('lost');
  await call('/pay', { method: 'POST' }).catch(() => undefined);
  expect((await call('/more')).status).toBe(418);
  expect(() => player.end('lost')).toThrow(/unexpected GET \/more/);
});

it('drops the connection where the recording says the answer never arrived', async () => {
  player.begin('lost');
  await expect(call('/pay', { method: 'POST' })).rejects.toThrow();
  expect(() => player.end('lost')).not.toThrow();
});
