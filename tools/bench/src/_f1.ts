import { startSandbox } from '@tijara/sandbox';
import { createUmmahDriver } from '@tijara/ummah';
const sb = await startSandbox({ port: 0 });
const d = createUmmahDriver({ secretKey: sb.secretKey, baseUrl: sb.apiBase, brandId: sb.brandId, timeoutMs: 1000, maxAttempts: 1 });
const p = await d.createPayment({ amount: 1500, currency: 'MYR', reference: 'x', customer: { email: 'a@b.co' }, capture: 'manual', returnUrls: { success: 'http://127.0.0.1/s', failure: 'http://127.0.0.1/f' } });
await fetch(`${sb.url}/__sandbox/purchases/${p.id}/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ card_number: '4242424242424242' }) });
await d.capture(p.id);
await fetch(`${sb.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ scope: 'api', type: 'latency', path: '/api/v1/purchases/**', latency_ms: 3000, count: 1 }) });
try { await d.refund(p.id, { reference: 'r-1' }, { idempotencyKey: 'K1' }); } catch (e) { console.log('1st:', (e as Error).name); }
await new Promise((r) => setTimeout(r, 3500));
try { const r = await d.refund(p.id, { reference: 'r-1' }, { idempotencyKey: 'K1' }); console.log('2nd ok', r.amount, r.reference); } catch (e) { console.log('2nd:', (e as Error).name, (e as Error).message); }
const ev = await (await fetch(`${sb.url}/__sandbox/events`)).json() as any;
console.log(ev.results.filter((e: any) => e.type === 'payment.refunded').map((e: any) => ({ ref: e.object.reference, amount: e.object.amount })));
await sb.close();
