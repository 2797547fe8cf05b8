import { readFileSync } from 'node:fs';
import { generateKeys, signMany } from './lib/signing.js';
import { envelope, purchaseLike } from './lib/deliveries.js';
import { CURRENCY, orderAmount, orderId, seededPaymentId } from './lib/orders.js';
import { startTs } from './lib/proc.js';
import { load } from './lib/load.js';
const template = JSON.parse(readFileSync('/tmp/bench-smoke/template.json', 'utf8'));
const keys = generateKeys(); const run = 'w8' + Date.now().toString(36);
const now = Math.floor(Date.now() / 1000);
const N = 10000;
const pool = await signMany(Array.from({ length: N }, (_, n) => envelope('purchase.paid', purchaseLike(template, seededPaymentId(n, run), orderId(n), orderAmount(n), CURRENCY, 'paid', now), now)), keys.privateKeyPem);
for (const [mode, store] of (process.env.ONLY ? [process.env.ONLY.split(',')] : [['express', 'sqlite'], ['bare', 'sqlite'], ['bare', 'memory']])) {
  const child = await startTs('src/_w7.ts', { name: mode!, logDir: '/tmp/bench-smoke/w8', args: [mode!, run, String(N), store!], env: { PEM: keys.publicKeyPem }, readyTimeoutMs: 60000, nodeFlags: process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.PROF] : [] });
  const url = `http://127.0.0.1:${child.ready.port}/payments/webhook`;
  let i = N - 1;
  await load({ title: 'w', url, method: 'POST', headers: { 'content-type': 'application/json' }, connections: 16, amount: 1000, next: () => { const d = pool[i--]!; return { body: d.body, headers: { 'x-signature': d.signature } }; } });
  let j = 0;
  const r = await load({ title: 'w', url, method: 'POST', headers: { 'content-type': 'application/json' }, connections: 16, amount: N - 1100, maxS: 5, next: () => { const d = pool[j++]!; return { body: d.body, headers: { 'x-signature': d.signature } }; } });
  console.log(mode, store, 'rps', Math.round(r.rps), 'p50', r.p50, 'p99', r.p99, JSON.stringify(r.statusCodes));
  await child.stop();
}
