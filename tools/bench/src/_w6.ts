import { createUmmahDriver } from '@tijara/ummah';
import { readFileSync } from 'node:fs';
import { generateKeys, signMany } from './lib/signing.js';
import { envelope, purchaseLike } from './lib/deliveries.js';
const template = JSON.parse(readFileSync('/tmp/bench-smoke/template.json', 'utf8'));
const keys = generateKeys();
const now = Math.floor(Date.now() / 1000);
const N = 4000;
const pool = await signMany(Array.from({ length: N }, (_, n) => envelope('purchase.paid', purchaseLike(template, `p-${n}`, `o-${n}`, 1000 + n, 'MYR', 'paid', now), now)), keys.privateKeyPem);
const driver = createUmmahDriver({ secretKey: 'sk_test_x', baseUrl: 'http://127.0.0.1:1/api/v1/', brandId: 'b', webhooks: { publicKeys: [keys.publicKeyPem], fetchCompanyKey: false } });
for (let r = 0; r < 3; r++) {
  const s = performance.now();
  for (let i = 0; i < N; i++) await driver.verifyWebhook(Buffer.from(pool[i]!.body), { 'content-type': 'application/json', 'x-signature': pool[i]!.signature });
  console.log('verifyWebhook µs/call', ((performance.now() - s) * 1000 / N).toFixed(1));
}
const s = performance.now();
for (let i = 0; i < N; i++) await driver.webhookVerifier.verify(Buffer.from(pool[i]!.body), { 'x-signature': pool[i]!.signature });
console.log('verifier.verify only µs/call', ((performance.now() - s) * 1000 / N).toFixed(1));
