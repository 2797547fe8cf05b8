import { runTs } from './lib/proc.js';
for (const [b, u, n, c] of [['memory','memory:', 100000, 1], ['sqlite','sqlite:/tmp/bench-smoke/s.db', 20000, 1], ['redis','redis://127.0.0.1:6379', 20000, 32], ['postgres','postgres://postgres@127.0.0.1:5432/postgres', 20000, 32]] as const) {
  const t = performance.now();
  const r = await runTs('src/children/store-ops.ts', { name: b, logDir: '/tmp/bench-smoke', args: [b, u, String(n), String(c)], nodeFlags: ['--expose-gc'] });
  console.log(b, r.code, ((performance.now()-t)/1000).toFixed(1)+'s', JSON.stringify(r.results));
}
