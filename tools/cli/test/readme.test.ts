import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayEvent, HeaderBag } from '@tijara/core';
import { createNumipayDriver } from '@tijara/numipay';
import { createPostpayDriver } from '@tijara/postpay';
import { startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import { cleanEnv, collect, TIJARA_BIN, type TijaraResult } from './run-tijara.js';
import { waitUntil } from './wait-until.js';

/**
 * Runs the README's examples as written: each `<!-- example: name -->` block, line by line, through bash, with
 * `npx tijara` meaning this package's executable. `http://localhost:3000` (the reader's shop) becomes a loopback
 * receiver, `tijara sandbox` gets `--port 0` so it cannot collide with a real one, and `<delivery-id>` is the id
 * `listen` printed (the block's own `listen`, once it has printed one). Long-running commands (sandbox, listen) run in the background until their block ends.
 */
const README = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const BLOCKS = new Map(
  [...README.matchAll(/<!--\s*example:\s*([\w-]+)\s*-->\s*\n```sh\n([\s\S]*?)```/g)].map((m) => [
    m[1]!,
    m[2]!.split('\n').filter((line) => line.trim() && !line.trim().startsWith('#')),
  ]),
);

interface Background {
  readonly line: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly result: Promise<TijaraResult>;
  stdout(): string;
}

let dir: string;
let shimDir: string;
let app: LoopbackServer;
const kept: Background[] = [];
let deliveryId: string | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-readme-'));
  shimDir = mkdtempSync(join(tmpdir(), 'tijara-readme-bin-'));
  writeFileSync(join(shimDir, 'tijara'), `#!/bin/sh\nexec "${process.execPath}" "${TIJARA_BIN}" "$@"\n`);
  chmodSync(join(shimDir, 'tijara'), 0o755);
  mkdirSync(join(dir, '.tijara'), { recursive: true });
  app = await startLoopbackServer((_request, response) => {
    response.writeHead(200);
    response.end('ok');
  });
});
afterAll(async () => {
  for (const background of kept) background.child.kill('SIGINT');
  await Promise.all(kept.map((b) => b.result));
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(shimDir, { recursive: true, force: true });
});

async function prepare(line: string, background: readonly Background[]): Promise<string> {
  let out = line
    .trim()
    .replace(/^npx tijara\b/, 'tijara')
    .replaceAll('http://localhost:3000', app.url);
  if (out.includes('<delivery-id>')) {
    const listen = background.find((b) => /^tijara webhooks listen\b/.test(b.line));
    const id = listen
      ? await waitUntil(
          `a delivery id from "${listen.line}"`,
          () => [...listen.stdout().matchAll(/\(delivery (\S+)\)$/gm)].at(-1)?.[1],
        )
      : deliveryId;
    if (!id) throw new Error('no delivery id printed by listen yet');
    out = out.replaceAll('<delivery-id>', id);
  }
  if (/^tijara sandbox\b/.test(out)) out += ' --port 0';
  return out;
}

function bash(line: string): ChildProcessWithoutNullStreams {
  return spawn('bash', ['-c', line], {
    cwd: dir,
    env: cleanEnv({ PATH: `${shimDir}:${process.env['PATH'] ?? ''}` }),
    stdio: 'pipe',
  });
}

function startBackground(line: string): Background {
  const child = bash(`exec ${line}`);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const result = collect(child, { timeoutMs: 120_000 });
  return { line, child, result, stdout: () => out };
}

/** Run one README block; returns the foreground results and the background processes it left running. */
async function runBlock(name: string): Promise<{ results: TijaraResult[]; background: Background[] }> {
  const lines = BLOCKS.get(name);
  if (!lines) throw new Error(`README has no example "${name}"`);
  const results: TijaraResult[] = [];
  const background: Background[] = [];
  for (const raw of lines) {
    const line = await prepare(raw, background);
    if (/^tijara (sandbox|webhooks listen)\b/.test(line)) {
      const started = startBackground(line);
      const ready = () => /Press Ctrl\+C to stop\./.test(started.stdout()) || started.child.exitCode !== null;
      await waitUntil(`"${line}" to be ready`, ready, 20_000).catch(async (error: unknown) => {
        started.child.kill('SIGKILL');
        throw new Error(`${String(error)}\n${(await started.result).stderr}`);
      });
      if (started.child.exitCode !== null)
        throw new Error(`"${line}" exited: ${(await started.result).stderr}`);
      background.push(started);
    } else {
      const result = await collect(bash(line), { timeoutMs: 60_000 });
      if (result.code !== 0) throw new Error(`"${line}" exited ${result.code}: ${result.stderr}`);
      results.push(result);
    }
  }
  return { results, background };
}

async function stopAll(background: Background[]): Promise<TijaraResult[]> {
  for (const b of [...background].reverse()) b.child.kill('SIGINT');
  return Promise.all(background.map((b) => b.result));
}

function publicKeyIn(stdout: string): string {
  return /-----BEGIN PUBLIC KEY-----\n[\s\S]+?-----END PUBLIC KEY-----\n/.exec(stdout)![0];
}

function verifies(request: RecordedRequest, publicKeyPem: string): boolean {
  const signature = Buffer.from(String(request.headers['x-signature']), 'base64');
  return verify('sha256', request.body, createPublicKey(publicKeyPem), signature);
}

test('the README has exactly the examples this file runs', () => {
  expect([...BLOCKS.keys()].sort()).toEqual(
    [
      'listen',
      'numipay',
      'postpay',
      'quick-start',
      'replay',
      'sandbox',
      'sign',
      'trigger-real',
      'trigger-sample',
    ].sort(),
  );
});

test('npx tijara --help works from the repository root (how a fresh clone runs it)', async () => {
  const root = join(__dirname, '..', '..', '..');
  const child = spawn('npx', ['--no-install', 'tijara', '--help'], {
    cwd: root,
    env: cleanEnv(),
    stdio: 'pipe',
  });
  const result = await collect(child);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('Usage: tijara [options] [command]');
});

test('sandbox: starts with its options, keeps state in the --db file, stops on Ctrl+C', async () => {
  const { background } = await runBlock('sandbox');
  const out = background[0]!.stdout();
  const url = /listening on (\S+)/.exec(out)![1]!;
  expect((await fetch(`${url}/__sandbox/info`)).status).toBe(200);
  expect(existsSync(join(dir, '.tijara', 'shop.db'))).toBe(true);
  const [stopped] = await stopAll(background);
  expect(stopped!.code).toBe(0);
});

test('quick start: sandbox + listen + trigger delivers a verifiable purchase.paid to the shop', async () => {
  const { results, background } = await runBlock('quick-start');
  kept.push(...background);
  const listenOut = background[1]!.stdout();
  const purchaseId = /^purchase\.paid {2}(\S+)/.exec(results[0]!.stdout)![1]!;
  const request = await waitUntil('purchase.paid at the shop', () =>
    app.requests.find(
      (r) =>
        r.path === '/webhooks/ummah' &&
        (r.json as { type: string; object: { id: string } }).type === 'purchase.paid',
    ),
  );
  expect(request.json).toMatchObject({ object: { id: purchaseId, status: 'paid' } });
  expect(verifies(request, publicKeyIn(listenOut))).toBe(true);
  const line = await waitUntil('the listen line', () =>
    new RegExp(`purchase\\.paid  ${purchaseId}  -> 200  \\(delivery (\\S+)\\)`).exec(background[1]!.stdout()),
  );
  deliveryId = line[1];
});

test('listen: subscribes to the chosen events, writes the public key file, cleans up on Ctrl+C', async () => {
  const { background } = await runBlock('listen');
  expect(background[0]!.stdout()).toContain('for purchase.paid, purchase.payment_failure');
  expect(readFileSync(join(dir, '.tijara', 'webhook.pem'), 'utf8')).toBe(
    publicKeyIn(background[0]!.stdout()),
  );
  const [stopped] = await stopAll(background);
  expect(stopped!.code).toBe(0);
});

test('trigger-sample: a signed sample reaches the shop and verifies with the generated public key', async () => {
  const before = app.requests.length;
  const { results } = await runBlock('trigger-sample');
  expect(results[1]!.stdout).toBe('purchase.paid  -> 200\n');
  const request = app.requests.slice(before).find((r) => r.headers['user-agent'] === 'tijara-cli')!;
  expect(verifies(request, readFileSync(join(dir, 'keys', 'public.pem'), 'utf8'))).toBe(true);
});

test('trigger-real: a real refund on the sandbox is delivered to the shop', async () => {
  const { results } = await runBlock('trigger-real');
  expect(results[0]!.stdout).toMatch(/^purchase\.refunded {2}\S+ {2}-> 200\n$/);
});

test('replay: the delivery listen printed is re-sent with identical bytes and signature', async () => {
  const original = app.requests.find(
    (r) =>
      r.path === '/webhooks/ummah' &&
      (r.json as { type: string }).type === 'purchase.paid' &&
      r.headers['user-agent'] !== 'tijara-cli',
  )!;
  const before = app.requests.length;
  const { results } = await runBlock('replay');
  expect(results[0]!.stdout).toBe(`purchase.paid  ${deliveryId}  -> 200\n`);
  const replayed = app.requests[before]!;
  expect(replayed.body.equals(original.body)).toBe(true);
  expect(replayed.headers['x-signature']).toBe(original.headers['x-signature']);
});

test('sign: file and stdin give the same signature, which verifies over the exact bytes', async () => {
  const { results } = await runBlock('sign');
  const [, , fromFile, fromStdin] = results;
  expect(fromStdin!.stdout).toBe(fromFile!.stdout);
  const body = readFileSync(join(dir, 'body.json'));
  const publicKey = createPublicKey(readFileSync(join(dir, 'keys', 'public.pem'), 'utf8'));
  expect(verify('sha256', body, publicKey, Buffer.from(fromFile!.stdout.trim(), 'base64'))).toBe(true);
});

/** The connection `tijara sandbox` (started by the quick start) keeps for a gateway in .tijara/sandbox.json. */
function storedConnection(gateway: string): Record<string, string> {
  const state = JSON.parse(readFileSync(join(dir, '.tijara', 'sandbox.json'), 'utf8')) as {
    gateways: Record<string, Record<string, string>>;
  };
  return state.gateways[gateway]!;
}

/** Every request the shop received at `path` since `from`, each verified by the driver (which throws if not). */
async function verifiedSince(
  from: number,
  path: string,
  verify: (body: Buffer, headers: HeaderBag) => Promise<GatewayEvent>,
): Promise<GatewayEvent[]> {
  const requests = app.requests.slice(from).filter((r) => r.path === path);
  return Promise.all(requests.map((r) => verify(r.body, r.headers as HeaderBag)));
}

test("postpay: forwarded, captured and replayed deliveries all verify with the shop's hook secret", async () => {
  const { merchantId, secretKey, baseUrl } = storedConnection('postpay') as Record<string, string>;
  const driver = createPostpayDriver({
    merchantId: merchantId!,
    secretKey: secretKey!,
    baseUrl: baseUrl!,
    webhooks: { secrets: ['whsec_shop_test'] },
  });
  const from = app.requests.length;
  const { results, background } = await runBlock('postpay');
  try {
    const orderId = /^order\.captured {2}(\S+)/.exec(results[0]!.stdout)![1]!;
    expect(results[1]!.stdout).toMatch(/^(order|transaction)\.\w+ {2}\S+ {2}-> 200\n$/);
    const events = await waitUntil('three deliveries and the replay', async () => {
      const verified = await verifiedSince(from, '/webhooks/postpay', (b, h) => driver.verifyWebhook(b, h));
      return verified.length >= 4 && verified;
    });
    expect(events.every((e) => e.paymentId === orderId)).toBe(true);
    expect(new Set(events.map((e) => e.rawType))).toEqual(
      new Set(['order.approved', 'order.captured', 'transaction.order']),
    );
  } finally {
    expect((await stopAll(background)).map((r) => r.code)).toEqual([0]);
  }
});

test('numipay: the deposit, its replay and the rejected payout all verify with the signature password', async () => {
  const { apiKey, baseUrl, signaturePassword } = storedConnection('numipay') as Record<string, string>;
  const driver = createNumipayDriver({
    apiKey: apiKey!,
    baseUrl: baseUrl!,
    mode: 'test',
    webhooks: { signaturePasswords: [signaturePassword!] },
  });
  const from = app.requests.length;
  const { results, background } = await runBlock('numipay');
  try {
    expect(results[0]!.stdout).toMatch(/^deposit\.successful {2}\S+ {2}\(/);
    expect(results[1]!.stdout).toMatch(/^deposit\.successful {2}\S+ {2}-> 200\n$/);
    expect(results[2]!.stdout).toMatch(/^withdrawal\.rejected {2}\S+ {2}-> 200\n$/);
    const events = await verifiedSince(from, '/webhooks/numipay', (b, h) => driver.verifyWebhook(b, h));
    expect(events.map((e) => e.rawType).sort()).toEqual(
      ['deposit.successful', 'deposit.successful', 'withdrawal.pending', 'withdrawal.rejected'].sort(),
    );
  } finally {
    expect((await stopAll(background)).map((r) => r.code)).toEqual([0]);
  }
});

test('the quick-start processes stop cleanly on Ctrl+C', async () => {
  const results = await stopAll(kept.splice(0));
  expect(results.map((r) => r.code)).toEqual([0, 0]);
});
