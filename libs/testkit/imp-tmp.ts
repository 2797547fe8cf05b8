import { createInterface } from 'node:readline';
import { createStores } from '@tijara/core';
const s = createStores(process.argv[2] ?? 'redis://127.0.0.1:6379');
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) { if (line === 'exit') break; }
const t = performance.now();
await s.close();
console.log('closed in', performance.now() - t);
setTimeout(() => console.log((process as any)._getActiveHandles().map((h: any) => h.constructor.name + (h.constructor.name==='Timeout' ? h._idleTimeout : '')), (process as any)._getActiveRequests()), 10).unref();
process.on('exit', () => console.log('exit at', performance.now() - t));
