import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteDatabase, createSqliteStores } from '@tijara/core';
import { createTijaraExpress, SqliteLedger } from '@tijara/express';
import { createUmmahDriver } from '@tijara/ummah';
import { startSandboxProcess } from './lib/gateway.js';
import { purchaseTemplate } from './scenarios/webhook.js';
import { envelope, purchaseLike } from './lib/deliveries.js';
import { CURRENCY, orderAmount, orderId, seededPaymentId } from './lib/orders.js';
import { generateKeys, signMany } from './lib/signing.js';
const runDir = '/tmp/bench-smoke/w5'; rmSync(runDir, { recursive: true, force: true }); mkdirSync(runDir, { recursive: true });
const sb = await startSandboxProcess(runDir);
const keys = generateKeys(); const run = 'w5' + Date.now().toString(36);
const template = await purchaseTemplate(sb);
const now = Math.floor(Date.now() / 1000);
const N = 3000;
const pool = await signMany(Array.from({ length: N }, (_, n) => envelope('purchase.paid', purchaseLike(template, seededPaymentId(n, run), orderId(n), orderAmount(n), CURRENCY, 'paid', now), now)), keys.privateKeyPem);
const db = openSqliteDatabase(join(runDir, 'x.db')); db.exec('PRAGMA synchronous = NORMAL');
const ledger = new SqliteLedger({ database: db });
const stores = createSqliteStores({ database: db });
const driver = createUmmahDriver({ secretKey: sb.secretKey, baseUrl: sb.apiBase, brandId: sb.brandId, webhooks: { publicKeys: [keys.publicKeyPem], fetchCompanyKey: false } });
const tijara = await createTijaraExpress({ driver, publicUrl: 'http://127.0.0.1', database: ledger, stores, reconcile: false, getOrder: async (id) => ({ id, amount: orderAmount(Number(id.slice(2))), currency: CURRENCY, customer: { email: 'a@b.co' } }) });
for (let n = 0; n < N; n++) await ledger.insertPayment({ orderId: orderId(n), paymentId: seededPaymentId(n, run), attempt: 1, kind: 'hosted', amount: orderAmount(n), currency: CURRENCY, status: 'pending', captureMode: 'automatic', saveMethod: false, customerKey: undefined, capturedAmount: 0, checkoutUrl: undefined, idempotencyKey: `s${n}` });
const hdr = (i: number) => ({ 'content-type': 'application/json', 'x-signature': pool[i]!.signature });
// phases
const t: Record<string, number> = { verify: 0, settle: 0 };
let i = 0;
const time = async (k: string, f: () => Promise<unknown>) => { const s = performance.now(); const r = await f(); t[k] = (t[k] ?? 0) + performance.now() - s; return r; };
for (; i < 1000; i++) {
  const ev = await time('verify', () => driver.verifyWebhook(Buffer.from(pool[i]!.body), hdr(i))) as any;
  await time('settle', () => tijara.pipeline.settleEvent(ev));
}
console.log('sequential per call ms: verify', (t.verify! / 1000).toFixed(3), 'settle', (t.settle! / 1000).toFixed(3));
// concurrent 16
const s = performance.now();
let k = 1000;
await Promise.all(Array.from({ length: 16 }, async () => { while (k < 2600) { const j = k++; await tijara.pipeline.handleWebhook(Buffer.from(pool[j]!.body), hdr(j)); } }));
console.log('concurrent 16: per sec', (1600 / ((performance.now() - s) / 1000)).toFixed(0));
await tijara.close(); await sb.child.stop();
