import { startTs } from './lib/proc.js';
import { load } from './lib/load.js';
import { generateKeys, signMany } from './lib/signing.js';
const keys = generateKeys();
const N = 20000;
const bodies = Array.from({ length: N }, (_, i) => JSON.stringify({ id: `evt-${i}`, type: 'purchase.paid', created_on: Math.floor(Date.now()/1000), object: { id: `p-${i}`, status: 'paid', pad: 'x'.repeat(1200) } }));
let t = performance.now();
const signed = await signMany(bodies, keys.privateKeyPem);
console.log('signed', N, 'in', (performance.now() - t).toFixed(0), 'ms');
for (const script of ['src/servers/limit.ts', 'src/servers/seed-express.ts']) {
  const child = await startTs(script, { name: script.split('/').pop()!, logDir: '/tmp/bench-smoke', env: { UMMAH_WEBHOOK_PUBLIC_KEY: keys.publicKeyPem } });
  let i = 0;
  const url = `http://127.0.0.1:${child.ready.port}/webhook`;
  const r = await load({ title: script, url, method: 'POST', connections: 16, amount: N, headers: { 'content-type': 'application/json' }, next: () => { const d = signed[i++ % N]!; return { body: d.body, headers: { 'x-signature': d.signature } }; } });
  console.log(JSON.stringify(r));
  await child.stop();
}
