import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import got from 'got';
import { createUmmahDriver, purchaseSchema } from '@tijara/ummah';
const template = readFileSync('/tmp/bench-smoke/template.json');
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(template.length) }); res.end(template); });
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(server.address() as any).port}/api/v1/`;
const key = 'sk_test_abcdefabcdefabcdef';
const driver = createUmmahDriver({ secretKey: key, baseUrl: base, brandId: 'b' });
const id = JSON.parse(template.toString()).id;
const url = `${base}purchases/${id}/`;
const client = got.extend({ headers: { authorization: `Bearer ${key}` }, retry: { limit: 0 } });
const obj = JSON.parse(template.toString());
const fns: Record<string, () => Promise<unknown>> = {
  fetch: async () => (await fetch(url, { headers: { authorization: `Bearer ${key}` } })).json(),
  got: () => client(url).json(),
  driver: () => driver.retrievePayment(id),
  'zod purchaseSchema.parse (sync)': async () => purchaseSchema.parse(obj),
  'zod purchaseSchema.parseAsync': () => purchaseSchema.parseAsync(obj),
};
const t = async (fn: () => Promise<unknown>, n: number) => { const s = performance.now(); for (let i = 0; i < n; i++) await fn(); return (performance.now() - s) * 1000 / n; };
for (const [name, fn] of Object.entries(fns)) await t(fn, 500);
for (let r = 0; r < 3; r++) console.log(Object.entries(fns).map(([n, f]) => n).join(' | '), '\n', (await Promise.all([0])).length && '', ...(await (async () => { const out: string[] = []; for (const [n, f] of Object.entries(fns)) out.push(`${n}=${(await t(f, 2000)).toFixed(0)}µs`); return out; })()));
server.close();
