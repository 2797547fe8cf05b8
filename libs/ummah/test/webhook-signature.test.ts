import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError, SignatureVerificationError } from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import {
  createUmmahDriver,
  generateUmmahTestKeys,
  signUmmahPayload,
  UmmahWebhookVerifier,
  type UmmahDriver,
} from '@tijara/ummah';
import { BRAND_ID, FIXTURES_DIR, TEST_SECRET_KEY } from './support/fixtures.js';

const current = generateUmmahTestKeys();
const rotated = generateUmmahTestKeys();
const attacker = generateUmmahTestKeys();
const body = readFileSync(path.join(FIXTURES_DIR, 'webhooks', 'chip-purchase-paid.json'));
const signedBy = (keys: { privateKey: string }, bytes: Buffer = body) => ({
  'x-signature': signUmmahPayload(bytes, keys.privateKey),
});

function flipBit(bytes: Buffer, index: number, mask: number): void {
  bytes[index] = (bytes[index] as number) ^ mask;
}

async function rejection(promise: Promise<unknown>): Promise<SignatureVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignatureVerificationError);
  return error as SignatureVerificationError;
}

/** The gateway's `GET /public_key/`, serving whichever key the test says is current. */
let gateway: LoopbackServer;
let companyKeyBody: unknown;
const keyFetches = () => gateway.requests.filter((r) => r.path === '/api/v1/public_key/').length;

beforeAll(async () => {
  gateway = await startLoopbackServer((request, response) => {
    if (request.path === '/api/v1/public_key/') return sendJson(response, 200, companyKeyBody);
    sendJson(response, 404, { error: 'Not Found', detail: 'Object with this ID does not exist.' });
  });
});
afterAll(() => gateway.close());
beforeEach(() => {
  gateway.requests.length = 0;
  // CHIP's shape: the PEM as a bare JSON string, newlines escaped.
  companyKeyBody = current.publicKey;
});

function driverWith(webhooks: Parameters<typeof createUmmahDriver>[0]['webhooks']): UmmahDriver {
  return createUmmahDriver({
    secretKey: TEST_SECRET_KEY,
    brandId: BRAND_ID,
    baseUrl: `${gateway.url}/api/v1/`,
    maxAttempts: 1,
    ...(webhooks ? { webhooks } : {}),
  });
}

describe('X-Signature verification vectors', () => {
  const driver = () => driverWith({ publicKeys: [current.publicKey], fetchCompanyKey: false });

  it('accepts a valid signature over the raw bytes and parses the event', async () => {
    const event = await driver().verifyWebhook(body, signedBy(current));
    expect(event.type).toBe('payment.paid');
    expect(event.paymentId).toBe('d6c9e9e0-1b5a-4c6e-8b3a-0f1a2b3c4d5e');
  });

  it('accepts the same bytes as a string or a Uint8Array, and WHATWG Headers', async () => {
    const headers = new Headers(signedBy(current));
    await expect(driver().verifyWebhook(body.toString('utf8'), headers)).resolves.toMatchObject({
      type: 'payment.paid',
    });
    await expect(driver().verifyWebhook(new Uint8Array(body), headers)).resolves.toMatchObject({
      type: 'payment.paid',
    });
  });

  it('rejects a body with one flipped byte', async () => {
    const tampered = Buffer.from(body);
    flipBit(tampered, tampered.indexOf('2999'), 0x01);
    const error = await rejection(driver().verifyWebhook(tampered, signedBy(current)));
    expect(error.code).toBe('invalid_signature');
  });

  it('rejects a signature with one flipped byte', async () => {
    const signature = Buffer.from(signUmmahPayload(body, current.privateKey), 'base64');
    flipBit(signature, 10, 0x80);
    const error = await rejection(
      driver().verifyWebhook(body, { 'x-signature': signature.toString('base64') }),
    );
    expect(error.code).toBe('invalid_signature');
  });

  it('rejects a signature made with another key', async () => {
    const error = await rejection(driver().verifyWebhook(body, signedBy(attacker)));
    expect(error.code).toBe('invalid_signature');
  });

  it('rejects a truncated body', async () => {
    const error = await rejection(
      driver().verifyWebhook(body.subarray(0, body.length - 2), signedBy(current)),
    );
    expect(error.code).toBe('invalid_signature');
  });

  it('rejects re-serialized JSON (whitespace differs from what was signed)', async () => {
    const reserialized = JSON.stringify(JSON.parse(body.toString('utf8')));
    expect(reserialized).not.toBe(body.toString('utf8'));
    const error = await rejection(driver().verifyWebhook(reserialized, signedBy(current)));
    expect(error.code).toBe('invalid_signature');
  });

  it.each([
    ['not base64 at all', 'this is not base64!'],
    ['base64 with a stray character', `${signUmmahPayload(body, current.privateKey).slice(0, -4)}*==`],
    ['wrong padding', 'abc'],
  ])('reports a header that is %s as malformed', async (_what, header) => {
    const error = await rejection(driver().verifyWebhook(body, { 'x-signature': header }));
    expect(error.code).toBe('malformed_signature');
    expect(error.message).toMatch(/not valid base64/);
  });

  it.each([
    ['missing', {}],
    ['empty', { 'x-signature': '' }],
    ['blank', { 'X-Signature': '   ' }],
  ])('reports a %s header', async (_what, headers) => {
    const error = await rejection(driver().verifyWebhook(body, headers));
    expect(error.code).toBe('missing_signature');
    expect(error.message).toMatch(/Missing X-Signature/);
  });

  it('explains what to do when handed a parsed object instead of the raw body', async () => {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    const error = await rejection(driver().verifyWebhook(parsed as Buffer, signedBy(current)));
    expect(error.code).toBe('parsed_body');
    expect(error.message).toMatch(/pass the raw request body, e\.g\. express\.raw\(/);
  });

  it('rejects an empty body', async () => {
    const error = await rejection(driver().verifyWebhook(Buffer.alloc(0), signedBy(current)));
    expect(error.code).toBe('empty_body');
  });

  it('says so when no key is configured and fetching is off', async () => {
    const error = await rejection(
      driverWith({ fetchCompanyKey: false }).verifyWebhook(body, signedBy(current)),
    );
    expect(error.code).toBe('no_public_key');
    expect(error.message).toMatch(/No Ummah public key configured/);
  });
});

describe('keys', () => {
  it('accepts old and new keys during a rotation', async () => {
    const driver = driverWith({ publicKeys: [current.publicKey, rotated.publicKey], fetchCompanyKey: false });
    await expect(driver.verifyWebhook(body, signedBy(current))).resolves.toBeDefined();
    await expect(driver.verifyWebhook(body, signedBy(rotated))).resolves.toBeDefined();
    expect(keyFetches()).toBe(0);
  });

  it('fetches the company key when none is configured (JSON string of PEM, escaped newlines), then caches it', async () => {
    const driver = driverWith(undefined);
    await expect(driver.verifyWebhook(body, signedBy(current))).resolves.toBeDefined();
    await expect(driver.verifyWebhook(body, signedBy(current))).resolves.toBeDefined();
    expect(keyFetches()).toBe(1);
    const fetched = gateway.requests.find((r) => r.path === '/api/v1/public_key/')!;
    expect(fetched.body.toString('utf8')).toBe('');
    expect(fetched.headers.authorization).toBe(`Bearer ${TEST_SECRET_KEY}`);
  });

  it('also reads the seed\'s {"public_key": …} shape', async () => {
    companyKeyBody = { public_key: current.publicKey };
    await expect(driverWith(undefined).verifyWebhook(body, signedBy(current))).resolves.toBeDefined();
  });

  it('refreshes once after a rotation and accepts the new key', async () => {
    const driver = driverWith({ publicKeys: [current.publicKey] });
    companyKeyBody = rotated.publicKey;
    await expect(driver.verifyWebhook(body, signedBy(rotated))).resolves.toBeDefined();
    expect(keyFetches()).toBe(1);
    // Both stay accepted: deliveries signed before the rotation may still be retried.
    await expect(driver.verifyWebhook(body, signedBy(current))).resolves.toBeDefined();
    await expect(driver.verifyWebhook(body, signedBy(rotated))).resolves.toBeDefined();
    expect(keyFetches()).toBe(1);
  });

  it('asks a refreshKeys hook for new keys (e.g. re-read Webhook.public_key)', async () => {
    let calls = 0;
    const driver = driverWith({
      publicKeys: [current.publicKey],
      fetchCompanyKey: false,
      refreshKeys: async () => {
        calls += 1;
        return [JSON.stringify(rotated.publicKey)];
      },
    });
    await expect(driver.verifyWebhook(body, signedBy(rotated))).resolves.toBeDefined();
    expect(calls).toBe(1);
    expect(keyFetches()).toBe(0);
  });

  it('rate-limits refreshes: a flood of forged signatures costs the gateway one request', async () => {
    const driver = driverWith({ publicKeys: [current.publicKey] });
    const forged = Array.from({ length: 40 }, () => driver.verifyWebhook(body, signedBy(attacker)));
    const results = await Promise.allSettled(forged);
    expect(
      results.every((r) => r.status === 'rejected' && r.reason instanceof SignatureVerificationError),
    ).toBe(true);
    for (let i = 0; i < 10; i++) await rejection(driver.verifyWebhook(body, signedBy(attacker)));
    expect(keyFetches()).toBe(1);
    const last = await rejection(driver.verifyWebhook(body, signedBy(attacker)));
    expect(last.message).toMatch(/not again yet/);
  });

  it('refreshes again once the interval has passed (clock injected)', async () => {
    let now = 1_000_000;
    let fetches = 0;
    const verifier = new UmmahWebhookVerifier(
      { publicKeys: [current.publicKey], minRefreshIntervalMs: 60_000 },
      {
        now: () => now,
        fetchCompanyKey: async () => {
          fetches += 1;
          return current.publicKey;
        },
      },
    );
    await rejection(verifier.verify(body, signedBy(attacker)));
    now += 59_999;
    await rejection(verifier.verify(body, signedBy(attacker)));
    expect(fetches).toBe(1);
    now += 1;
    await rejection(verifier.verify(body, signedBy(attacker)));
    expect(fetches).toBe(2);
  });

  it('reports an outage while fetching keys as the gateway error, not as a forged signature', async () => {
    companyKeyBody = undefined;
    const failing = await startLoopbackServer((_request, response) =>
      sendJson(response, 503, { error: 'server_error', message: 'down' }),
    );
    try {
      const driver = createUmmahDriver({
        secretKey: TEST_SECRET_KEY,
        brandId: BRAND_ID,
        baseUrl: `${failing.url}/api/v1/`,
        maxAttempts: 1,
      });
      const error = await driver.verifyWebhook(body, signedBy(current)).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(SignatureVerificationError);
      expect(error).toMatchObject({ type: 'gateway', statusCode: 503 });
    } finally {
      await failing.close();
    }
  });

  it('parses each key once: the same key given twice is one key', () => {
    const verifier = new UmmahWebhookVerifier({
      publicKeys: [current.publicKey, current.publicKey.replace(/\n/g, '\\n'), rotated.publicKey],
    });
    expect(verifier.keyCount).toBe(2);
  });

  it('refuses a private key or garbage as a webhook key without echoing it', () => {
    for (const bad of [current.privateKey, '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----']) {
      let error: unknown;
      try {
        new UmmahWebhookVerifier({ publicKeys: [bad] });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(JSON.stringify(error)).not.toContain('MII');
      expect(String((error as Error).stack)).not.toContain('MII');
    }
  });
});
