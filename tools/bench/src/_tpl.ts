import { writeFileSync } from 'node:fs';
import { startSandboxProcess } from './lib/gateway.js';
import { purchaseTemplate } from './scenarios/webhook.js';
const sb = await startSandboxProcess('/tmp/bench-smoke/tpl');
writeFileSync('/tmp/bench-smoke/template.json', JSON.stringify(await purchaseTemplate(sb)));
await sb.child.stop();
