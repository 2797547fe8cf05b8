import { startLoopbackServer, sendJson } from '../../testkit/src/loopback.js';
import { Transport } from '../src/transport.js';
import { errorFromHttpStatus } from '../src/errors.js';

const mk = (baseUrl: string, extra = {}) =>
  new Transport({ baseUrl, gateway: 'probe', headers: { Authorization: 'Bearer sk_test_abcdefghijklmnop' }, maxAttempts: 1,
    timeoutMs: 300, mapError: (r) => errorFromHttpStatus({ statusCode: r.statusCode, message: 'x' }), ...extra });

it('probe', async () => {
  const server = await startLoopbackServer(async (req, res, socket) => {
    if (req.path === '/reset') return void socket.destroy();
    if (req.path === '/slow') return;
    sendJson(res, 200, { ok: true, q: Object.fromEntries(req.query), h: req.headers });
  });
  const t = mk(server.url);
  for (const p of ['reset', 'slow']) {
    const e = await t.request({ method: 'POST', path: p, body: { a: 1 } }).catch((x) => x);
    console.log(p, e.name, e.code, e.outcomeUnknown, e.message, e.cause);
  }
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const e = await t.request({ method: 'POST', path: 'slow', signal: ac.signal }).catch((x) => x);
  console.log('abort', e.name, e.code, e.outcomeUnknown, e.message);
  const ok = await t.request({ method: 'GET', path: 'ok/', query: { a: 'x y', b: undefined, c: true } });
  console.log(JSON.stringify(ok));
  await server.close();
  const e2 = await t.request({ method: 'GET', path: 'x' }).catch((x) => x);
  console.log('refused', e2.name, e2.code, e2.outcomeUnknown, e2.message);
});
