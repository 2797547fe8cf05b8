import { mkdirSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandboxProcess } from './lib/gateway.js';
import { purchaseTemplate } from './scenarios/webhook.js';
import { envelope, purchaseLike } from './lib/deliveries.js';
import { CURRENCY, orderAmount, orderId, seededPaymentId } from './lib/orders.js';
import { generateKeys, signMany } from './lib/signing.js';
import { startTs } from './lib/proc.js';
import { send } from './lib/http.js';
const runDir = '/tmp/bench-smoke/w4'; rmSync(runDir, { recursive: true, force: true }); mkdirSync(runDir, { recursive: true });
const sb = await startSandboxProcess(runDir);
const keys = generateKeys(); const run = 'w4' + Date.now().toString(36);
const template = await purchaseTemplate(sb);
const now = Math.floor(Date.now() / 1000);
const N = 20;
const pool = await signMany(Array.from({ length: N }, (_, n) => envelope('purchase.paid', purchaseLike(template, seededPaymentId(n, run), orderId(n), orderAmount(n), CURRENCY, 'paid', now), now)), keys.privateKeyPem);
const child = await startTs('src/servers/store-app.ts', { name: 'app', logDir: runDir, env: { BENCH_GATEWAY_SECRET: sb.secretKey, BENCH_APP: JSON.stringify({ database: `sqlite:${join(runDir, 'x.db')}`, sqliteSynchronous: 'NORMAL', apiBase: sb.apiBase, brandId: sb.brandId, webhookPublicKeys: [keys.publicKeyPem], logLevel: 'debug', seed: { count: N, run }, printEvents: true }) } });
const url = `http://127.0.0.1:${child.ready.port}/payments/webhook`;
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const r = await send(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': pool[i]!.signature }, body: pool[i]!.body });
  console.log(r.status, r.body, (performance.now() - t).toFixed(2), 'ms');
}
await child.stop(); await sb.child.stop();
console.log(readFileSync(child.logFile, 'utf8').slice(0, 3000));
