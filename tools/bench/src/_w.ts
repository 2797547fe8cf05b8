import { mkdirSync } from 'node:fs';
import { startSandboxProcess } from './lib/gateway.js';
import { webhookScenario } from './scenarios/webhook.js';
const runDir = '/tmp/bench-smoke/w'; mkdirSync(runDir, { recursive: true });
const ctx = { quick: true, runDir, cpuProf: false, log: (m: string) => console.error(m) };
const sb = await startSandboxProcess(runDir);
const r = await webhookScenario(ctx, sb);
for (const row of r.rows) console.log(row.key, Math.round(row.result.rps), row.result.p50, row.result.p99, JSON.stringify(row.result.statusCodes), row.distinct ?? '', row.note ?? '');
await sb.child.stop();
