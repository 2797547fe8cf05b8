import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createUmmahDriver } from '@tijara/ummah';
const template = readFileSync('/tmp/bench-smoke/template.json');
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(template.length) }); res.end(template); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as any).port;
const base = `http://127.0.0.1:${port}/api/v1/`;
const driver = createUmmahDriver({ secretKey: 'sk_test_abcdefabcdefabcdef', baseUrl: base, brandId: 'b' });
const id = JSON.parse(template.toString()).id;
const viaFetch = async () => { const r = await fetch(`${base}purchases/${id}/`, { headers: { authorization: 'Bearer sk_test_abcdefabcdefabcdef' } }); return r.json(); };
const viaDriver = () => driver.retrievePayment(id);
const t = async (fn: () => Promise<unknown>, n: number) => { const s = performance.now(); for (let i = 0; i < n; i++) await fn(); return (performance.now() - s) * 1000 / n; };
for (let r = 0; r < 3; r++) console.log('fetch µs', (await t(viaFetch, 2000)).toFixed(0), 'driver µs', (await t(viaDriver, 2000)).toFixed(0));
if (process.argv[2] === 'prof') { const { Session } = await import('node:inspector/promises'); }
server.close();
