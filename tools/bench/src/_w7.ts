// server: mode express|bare ; seeds N and listens
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { openSqliteDatabase, createSqliteStores, createStores } from '@tijara/core';
import { createTijaraExpress, SqliteLedger } from '@tijara/express';
import { createUmmahDriver } from '@tijara/ummah';
import express from 'express';
import { CURRENCY, orderAmount, orderId, seededPaymentId } from './lib/orders.js';
const [mode, pem, run, nArg, storeKind] = [process.argv[2], process.env.PEM!, process.argv[3]!, Number(process.argv[4]), process.argv[5] ?? 'sqlite'];
const runDir = `/tmp/bench-smoke/w7-${process.pid}`; rmSync(runDir, { recursive: true, force: true }); mkdirSync(runDir, { recursive: true });
const db = openSqliteDatabase(join(runDir, 'x.db')); db.exec('PRAGMA synchronous = NORMAL');
const ledger = new SqliteLedger({ database: db });
const stores = storeKind === 'memory' ? createStores('memory:') : createSqliteStores({ database: db });
const driver = createUmmahDriver({ secretKey: 'sk_test_xxxxxxxxxxxxxxxx', baseUrl: 'http://127.0.0.1:1/api/v1/', brandId: 'b', webhooks: { publicKeys: [pem], fetchCompanyKey: false } });
const tijara = await createTijaraExpress({ driver, publicUrl: 'http://127.0.0.1', database: ledger, stores, reconcile: false, getOrder: async (id) => ({ id, amount: orderAmount(Number(id.slice(2))), currency: CURRENCY, customer: { email: 'a@b.co' } }) });
db.exec('PRAGMA synchronous = OFF');
for (let n = 0; n < nArg; n++) await ledger.insertPayment({ orderId: orderId(n), paymentId: seededPaymentId(n, run), attempt: 1, kind: 'hosted', amount: orderAmount(n), currency: CURRENCY, status: 'pending', captureMode: 'automatic', saveMethod: false, customerKey: undefined, capturedAmount: 0, checkoutUrl: undefined, idempotencyKey: `s${n}` });
db.exec('PRAGMA synchronous = NORMAL');
let server;
if (mode === 'bare') {
  server = createServer((req, res) => { req.url = req.url!.replace(/^\/payments/, ''); (tijara.router as any)(req, res); });
} else {
  const app = express(); app.use('/payments', tijara.router as any); server = createServer(app);
}
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${JSON.stringify({ port: (server.address() as any).port })}\n`));
process.on('SIGTERM', () => process.exit(0));
