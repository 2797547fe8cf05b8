import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTijara } from './run-tijara.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tijara-keys-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verifies(body: Buffer, signature: string, publicKeyPem: string): boolean {
  return verify('sha256', body, createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
}

test('keys generate --out writes an RSA-2048 pair; sign produces an X-Signature node:crypto verifies', async () => {
  const generated = await runTijara(['keys', 'generate', '--out', 'keys'], { cwd: dir });
  expect(generated.code).toBe(0);
  expect(generated.stdout).toContain(join(dir, 'keys', 'private.pem'));
  const publicKey = readFileSync(join(dir, 'keys', 'public.pem'), 'utf8');
  expect(createPublicKey(publicKey).asymmetricKeyDetails?.modulusLength).toBe(2048);
  expect(statSync(join(dir, 'keys', 'private.pem')).mode & 0o777).toBe(0o600);

  // Bytes a JSON re-serialisation would change: spacing, key order, a trailing newline, non-ASCII.
  const body = Buffer.from('{"type": "purchase.paid",  "object": {"id": "p1", "name": "Ṭijāra"}}\n', 'utf8');
  writeFileSync(join(dir, 'body.json'), body);
  const signed = await runTijara(['webhooks', 'sign', '--key', 'keys/private.pem', '--file', 'body.json'], {
    cwd: dir,
  });
  expect(signed.code).toBe(0);
  const signature = signed.stdout.trimEnd();
  expect(signed.stdout).toBe(`${signature}\n`);
  expect(verifies(body, signature, publicKey)).toBe(true);
  // The signature covers the exact bytes: without the trailing newline it no longer verifies.
  expect(verifies(body.subarray(0, -1), signature, publicKey)).toBe(false);

  const fromStdin = await runTijara(['webhooks', 'sign', '--key', 'keys/private.pem'], {
    cwd: dir,
    input: body,
  });
  expect(fromStdin.stdout).toBe(signed.stdout);
});

test('keys generate refuses to overwrite without --force', async () => {
  await runTijara(['keys', 'generate', '--out', 'again'], { cwd: dir });
  const before = readFileSync(join(dir, 'again', 'private.pem'), 'utf8');
  const refused = await runTijara(['keys', 'generate', '--out', 'again'], { cwd: dir });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toBe(
    'tijara: error: again/private.pem already exists; pass --force to overwrite it\n',
  );
  expect(readFileSync(join(dir, 'again', 'private.pem'), 'utf8')).toBe(before);
  const forced = await runTijara(['keys', 'generate', '--out', 'again', '--force'], { cwd: dir });
  expect(forced.code).toBe(0);
  expect(readFileSync(join(dir, 'again', 'private.pem'), 'utf8')).not.toBe(before);
});

test('keys generate without --out prints the private then the public PEM', async () => {
  const result = await runTijara(['keys', 'generate']);
  expect(result.code).toBe(0);
  const [privatePem, publicPem] = result.stdout.split(/(?=-----BEGIN PUBLIC KEY-----)/);
  expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
  expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
});

test('sign rejects a file that is not a private key', async () => {
  writeFileSync(join(dir, 'not-a-key.pem'), 'hello');
  const result = await runTijara(['webhooks', 'sign', '--key', 'not-a-key.pem', '--file', 'not-a-key.pem'], {
    cwd: dir,
  });
  expect(result).toMatchObject({ code: 1, stdout: '' });
  expect(result.stderr).toBe(
    'tijara: error: not-a-key.pem is not a PEM private key (make one with `tijara keys generate`)\n',
  );
});
