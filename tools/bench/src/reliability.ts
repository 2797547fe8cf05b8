/**
 * `npm run reliability [-- --short] [-- --only=storm,faulty,crash,hostile]`
 *
 * Outcome checks, never durations: duplicate storm (Redis, then PostgreSQL), faulty gateway, crash + reconcile,
 * hostile input, and a secret scan over every log line and error the runs wrote. Prints one line per check and
 * a final `N passed, M failed`; exits non-zero on any failure. Logs stay under tools/bench/tmp/reliability-<time>/.
 */
import { appendFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandboxProcess, type SandboxProcess } from './lib/gateway.js';
import { BENCH_DIR } from './lib/proc.js';
import { redactingLogger, type Logger } from '@tijara/core';
import { pemSecretLines, plantedSecrets, plantedText, scanFiles, scanText } from './lib/secrets.js';
import { generateKeys } from './lib/signing.js';
import { crashScenario } from './scenarios/crash.js';
import { faultyGatewayScenario } from './scenarios/faulty.js';
import { hostileScenario } from './scenarios/hostile.js';
import {
  check,
  errorRecorder,
  type Check,
  type ReliabilityContext,
} from './scenarios/reliability-support.js';
import { stormScenario } from './scenarios/storm.js';

const args = process.argv.slice(2);
const short = args.includes('--short');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wants = (name: string) => !only || only.includes(name);

const started = Date.now();
const run = `r${Date.now().toString(36)}`;
const runDir = join(BENCH_DIR, 'tmp', `reliability-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(runDir, { recursive: true });
const log = (message: string) =>
  process.stderr.write(
    `[reliability ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${message}\n`,
  );

const budgetMs = (short ? 4 : 20) * 60_000;
setTimeout(() => {
  process.stdout.write(`reliability: exceeded its ${budgetMs / 60_000} minute budget\n0 passed, 1 failed\n`);
  process.exit(2);
}, budgetMs).unref();

const checks: Check[] = [];
const figures: Record<string, unknown> = {};
const recordError = errorRecorder(runDir);
const webhookKeys = generateKeys();
let sandbox: SandboxProcess | undefined;

async function scenario(name: string, fn: () => Promise<Check[]>): Promise<void> {
  if (!wants(name)) return;
  try {
    const results = await fn();
    for (const c of results) {
      checks.push(c);
      process.stdout.write(`${c.passed ? 'PASS' : 'FAIL'} ${c.name} — ${c.detail}\n`);
    }
  } catch (error) {
    recordError(name, error);
    const c = check(
      `${name}: ran to the end`,
      false,
      `${(error as Error).name}: ${(error as Error).message}`.slice(0, 500),
    );
    checks.push(c);
    process.stdout.write(`FAIL ${c.name} — ${c.detail}\n`);
  }
}

try {
  sandbox = await startSandboxProcess(runDir, { logLevel: 'info', webhookTimeScale: 0.001 });
  const ctx: ReliabilityContext = { short, runDir, run, sandbox, webhookKeys, log, recordError, figures };
  await scenario('storm', () => stormScenario(ctx, 'redis'));
  await scenario('storm', () => stormScenario(ctx, 'postgres'));
  await scenario('faulty', () => faultyGatewayScenario(ctx));
  await scenario('crash', () => crashScenario(ctx));
  await scenario('hostile', () => hostileScenario(ctx));
} finally {
  await sandbox?.child.stop();
}

// Every form a secret takes, logged through core's redaction as any store logs: the scan below covers this file
// too, so each form must come out of the redactor unrecognisable.
const apiKey = sandbox?.secretKey ?? 'sk_test_0123456789abcdef';
const planted = plantedSecrets(apiKey, webhookKeys.privateKeyPem);
const plantedLog = join(runDir, 'planted-through-redaction.log');
const lineWriter = (level: string) => (obj: object, msg?: string) =>
  appendFileSync(plantedLog, `${JSON.stringify({ level, msg, ...obj })}\n`);
const fileLogger: Logger = {
  debug: lineWriter('debug'),
  info: lineWriter('info'),
  warn: lineWriter('warn'),
  error: lineWriter('error'),
};
const redacting = redactingLogger(fileLogger, [apiKey]);
for (const { kind, value } of planted)
  redacting.info({ kind, planted: value }, `planted ${plantedText(value)}`);

// Secret scan: every file the run wrote (store, sandbox and client logs, caught errors, the planted log).
const files = readdirSync(runDir)
  .filter((f) => f.endsWith('.log'))
  .map((f) => join(runDir, f));
const literals = [apiKey, ...pemSecretLines(webhookKeys.privateKeyPem)];
const scan = scanFiles(files, { literals });
// The scanner must see what it is looking for, or a clean result means nothing: each planted form, unredacted.
const missed = planted.filter(
  ({ kind, value }) =>
    !scanText(plantedText(value), 'planted', { literals }).some((finding) => finding.kind === kind),
);
const selfTest = check(
  'secret scan: the scanner finds every planted form of a secret',
  missed.length === 0,
  missed.length === 0
    ? `found all ${planted.length} (${[...new Set(planted.map((p) => p.kind))].join(', ')})`
    : `missed ${missed.map((p) => p.kind).join(', ')}`,
);
checks.push(selfTest);
process.stdout.write(`${selfTest.passed ? 'PASS' : 'FAIL'} ${selfTest.name} — ${selfTest.detail}\n`);
figures.secret_scan = { files: files.length, lines: scan.scannedLines, findings: scan.findings.length };
const scanCheck = check(
  'secret scan: no API key, private key, card number, secret field or URL password in any log line or error (planted ones included)',
  scan.findings.length === 0 && scan.scannedLines > 0,
  `${scan.scannedLines} lines in ${files.length} files` +
    (scan.findings.length
      ? `; ${scan.findings.length} findings, e.g. ${scan.findings
          .slice(0, 5)
          .map((f) => `${f.kind} in ${f.file.split('/').pop()}:${f.line} (${f.excerpt})`)
          .join('; ')}`
      : ''),
);
checks.push(scanCheck);
process.stdout.write(`${scanCheck.passed ? 'PASS' : 'FAIL'} ${scanCheck.name} — ${scanCheck.detail}\n`);

for (const file of readdirSync(runDir))
  if (/\.(db|sqlite)(-wal|-shm)?$/.test(file)) rmSync(join(runDir, file), { force: true });
const passed = checks.filter((c) => c.passed).length;
const failed = checks.length - passed;
writeFileSync(
  join(runDir, 'result.json'),
  `${JSON.stringify({ mode: short ? 'short' : 'full', at: new Date().toISOString(), seconds: (Date.now() - started) / 1000, passed, failed, checks, figures }, null, 2)}\n`,
);
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; logs: ${runDir}`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
