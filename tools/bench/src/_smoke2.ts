import { startTs } from './lib/proc.js';
import { load } from './lib/load.js';
import { generateKeys, signMany } from './lib/signing.js';
const keys = generateKeys();
const N = 2000;
const bodies = Array.from({ length: N }, (_, i) => JSON.stringify({ id: `evt-${i}`, type: 'purchase.paid', created_on: Math.floor(Date.now()/1000), object: { id: `p-${i}`, status: 'paid', pad: 'x'.repeat(1200) } }));
const signed = await signMany(bodies, keys.privateKeyPem);
for (const [script, args] of [['src/servers/limit.ts', []], ['src/_ek.ts', ['raw']], ['src/_ek.ts', ['plain']], ['src/servers/seed-express.ts', []]] as const) {
  const child = await startTs(script, { name: 'x', args: [...args], logDir: '/tmp/bench-smoke', env: { UMMAH_WEBHOOK_PUBLIC_KEY: keys.publicKeyPem } });
  let i = 0;
  const url = `http://127.0.0.1:${child.ready.port}/webhook`;
  const r = await load({ title: script, url, method: 'POST', connections: 16, durationS: 6, headers: { 'content-type': 'application/json' }, next: () => { const d = signed[i++ % N]!; return { body: d.body, headers: { 'x-signature': d.signature } }; } });
  console.log(script, args.join(), Math.round(r.rps), r.p50, r.p99, JSON.stringify(r.statusCodes));
  await child.stop();
}
