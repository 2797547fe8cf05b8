import { createHmac, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNumipayWebhookVerifier } from '@tijara/numipay';
import { PostpayWebhookVerifier } from '@tijara/postpay';
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

test('sign --gateway postpay: <timestamp>:<hex HMAC-SHA256 of "<timestamp>:<body>">', async () => {
  const body = Buffer.from('{"type":"order","data":{"order_id":"ord_1","status":"captured"}}', 'utf8');
  writeFileSync(join(dir, 'postpay.json'), body);
  const signed = await runTijara(
    ['webhooks', 'sign', '--gateway', 'postpay', '--secret', 'whsec_test', '--timestamp', '1767225600'],
    { cwd: dir, input: body },
  );
  expect(signed.code).toBe(0);
  const expected = createHmac('sha256', 'whsec_test')
    .update(`1767225600:${body.toString('utf8')}`)
    .digest('hex');
  expect(signed.stdout).toBe(`1767225600:${expected}\n`);

  // The secret may come from the environment; the timestamp defaults to now.
  const now = Math.floor(Date.now() / 1000);
  const fromEnv = await runTijara(['webhooks', 'sign', '--gateway', 'postpay', '--file', 'postpay.json'], {
    cwd: dir,
    env: { TIJARA_WEBHOOK_SECRET: 'whsec_test' },
  });
  const [stamp, hex] = fromEnv.stdout.trimEnd().split(':');
  expect(Math.abs(Number(stamp) - now)).toBeLessThan(60);
  expect(hex).toBe(
    createHmac('sha256', 'whsec_test')
      .update(`${stamp}:${body.toString('utf8')}`)
      .digest('hex'),
  );
  expect((await runTijara(['webhooks', 'sign', '--gateway', 'postpay'], { input: body })).stderr).toBe(
    'tijara: error: postpay signs with a shared secret: pass --secret or set POSTPAY_HOOK_SECRET (or TIJARA_WEBHOOK_SECRET)\n',
  );
});

test("sign --gateway numipay reproduces the seed's own vector", async () => {
  // seeds/002: SHA-1 of JSON.stringify(data) + signature_password, uppercase hex.
  const data = {
    transaction_id: 'r21nmrtpcmrcava',
    user_id: '1111222',
    tracking_id: 'b8f04416-116a-11ed-861d-0242ac120002',
    status: 'rejected',
    currency: 'GBP',
    amount: '200.00',
    transaction_type: 'withdrawal',
  };
  const signed = await runTijara(
    [
      'webhooks',
      'sign',
      '--gateway',
      'numipay',
      '--secret',
      'spg_test_companyxxxxQyGAheyMqcHVmp8ZMQtkYcev27sCu7RF',
    ],
    { input: JSON.stringify(data) },
  );
  expect(signed).toMatchObject({ code: 0, stdout: '5FDDA8F46411C132DCFBEE53C39BA06298CB48BC\n' });
});

test("what sign prints for Postpay and Numipay, each driver's own verifier accepts", async () => {
  const body = Buffer.from(
    '{"id":"evt_9","event":"order","data":{"order_id":"ord_9","status":"captured","total_amount":21000}}\n',
    'utf8',
  );
  const postpay = await runTijara(['webhooks', 'sign', '--gateway', 'postpay'], {
    input: body,
    env: { POSTPAY_HOOK_SECRET: 'whsec_driver_check' },
  });
  expect(postpay.code).toBe(0);
  const verified = await new PostpayWebhookVerifier({ secrets: ['whsec_driver_check'] }).verify(body, {
    'x-postpay-signature': postpay.stdout.trim(),
  });
  expect(verified.equals(body)).toBe(true);
  await expect(
    new PostpayWebhookVerifier({ secrets: ['another_secret'] }).verify(body, {
      'x-postpay-signature': postpay.stdout.trim(),
    }),
  ).rejects.toThrow();

  const numipay = await runTijara(['webhooks', 'sign', '--gateway', 'numipay'], {
    input: body,
    env: { NUMIPAY_SIGNATURE_PASSWORD: 'spg_test_driver_check' },
  });
  expect(numipay.code).toBe(0);
  const digest = numipay.stdout.trim();
  expect(
    (
      await createNumipayWebhookVerifier(['spg_test_driver_check']).verify(body, { 'x-signature': digest })
    ).equals(body),
  ).toBe(true);
  await expect(
    createNumipayWebhookVerifier(['spg_test_other']).verify(body, { 'x-signature': digest }),
  ).rejects.toThrow();
});
