import { writeFileSync } from 'node:fs';
import { startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { defineUmmahDriverScenarios, type UmmahScenarioTarget } from '../../../libs/ummah/test/scenarios.js';
import type { RunningSandbox } from '../src/index.js';
import { DECLINED_CARD, pay, start, startReceiver, SUCCESS_CARD, type Receiver } from './helpers.js';

let sandbox: RunningSandbox;
let receiver: Receiver;
let proxy: LoopbackServer;
let log: unknown[] = [];
let name = '';
beforeAll(async () => {
  sandbox = await start();
  receiver = await startReceiver();
  proxy = await startLoopbackServer(async (req, res) => {
    const r = await fetch(`${sandbox.url}${req.path}${req.query.size ? '?' + req.query : ''}`, {
      method: req.method,
      headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host','content-length','connection'].includes(k)).map(([k,v]) => [k, String(v)])),
      body: req.method === 'GET' ? undefined : req.body,
    });
    const text = await r.text();
    log.push({ request: { method: req.method, path: req.path, body: req.json }, response: { status: r.status, body: text ? JSON.parse(text) : null } });
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(text);
  });
});
afterAll(async () => { await proxy.close(); await receiver.close(); await sandbox.close(); });
defineUmmahDriverScenarios((): UmmahScenarioTarget => ({
  baseUrl: `${proxy.url}/api/v1/`,
  secretKey: sandbox.secretKey,
  brandId: sandbox.brandId,
  callbackUrl: `${receiver.url}/ummah/callback`,
  webhookPublicKeys: [sandbox.publicKey],
  pay: async (id, card) => { await pay(sandbox, id, card === 'success' ? SUCCESS_CARD : DECLINED_CARD); },
  signedCallback: async (id) => {
    await sandbox.settle();
    const d = receiver.requests.find((r) => r.json?.id === id)!;
    writeFileSync(`/tmp/cmp/${name}.callback.json`, d.body);
    return { rawBody: d.body, headers: { 'x-signature': String(d.headers['x-signature']) } };
  },
  begin: async (n) => { name = n; log = []; await sandbox.reset(); },
  end: async (n) => { writeFileSync(`/tmp/cmp/${n}.json`, JSON.stringify(log, null, 1)); },
}));
