import {
  createHash,
  createHmac,
  generateKeyPairSync,
  sign,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import {
  ConfigurationError,
  GatewayError,
  KeyRing,
  normalizePem,
  parsePublicKey,
  publicKeyFingerprint,
  rawBodyBytes,
  readSignedWebhook,
  RsaSignatureVerifier,
  SignatureVerificationError,
  type KeySource,
  type Logger,
  type PublicKeyInput,
  type RsaSignatureVerifierOptions,
  type WebhookSignatureVerifier,
} from '@tijara/core';

interface TestKeys {
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

function rsaKeys(): TestKeys {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

const current = rsaKeys();
const rotated = rsaKeys();
const attacker = rsaKeys();
const ACME = { id: 'acme', name: 'Acme' } as const;
const body = Buffer.from('{"id":"evt_1","type":"payment.paid","amount":2999}\n', 'utf8');
const signedBy = (keys: TestKeys, bytes: Buffer = body) => ({
  'x-signature': sign('sha256', bytes, keys.privateKey).toString('base64'),
});

async function rejection<E extends Error = SignatureVerificationError>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E = SignatureVerificationError as never,
): Promise<E> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** A source that counts its calls and returns whatever the test says is current. */
function countingSource(keys: () => readonly PublicKeyInput[]) {
  const source = Object.assign(
    async () => {
      source.calls += 1;
      return keys();
    },
    { calls: 0 },
  );
  return source;
}

const verifier = (options: Partial<RsaSignatureVerifierOptions> = {}) =>
  new RsaSignatureVerifier({ gateway: ACME, header: 'X-Signature', ...options });

describe('rawBodyBytes', () => {
  it('takes a Buffer as is, a Uint8Array view without copying past its bounds, and a string as UTF-8', () => {
    expect(rawBodyBytes(body, 'acme')).toBe(body);
    const framed = Buffer.concat([Buffer.from('xx'), body, Buffer.from('yy')]);
    const view = new Uint8Array(framed.buffer, framed.byteOffset + 2, body.length);
    expect(rawBodyBytes(view, 'acme').equals(body)).toBe(true);
    expect(rawBodyBytes('é', 'acme')).toEqual(Buffer.from([0xc3, 0xa9]));
  });

  it.each([
    ['object', { id: 'evt_1' }],
    ['array', [1, 2]],
    ['number', 42],
  ])('refuses a parsed %s and says how to pass the raw body', (what, parsed) => {
    const error = thrown(() => rawBodyBytes(parsed, ACME)) as SignatureVerificationError;
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect(error.code).toBe('parsed_body');
    expect(error.gateway).toBe('acme');
    expect(error.message).toContain(`parsed ${what}, not bytes`);
    expect(error.message).toMatch(/pass the raw request body, e\.g\. express\.raw\(/);
  });

  it.each([undefined, null])('refuses a missing body (%s)', (missing) => {
    const error = thrown(() => rawBodyBytes(missing, 'acme')) as SignatureVerificationError;
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect(error.code).toBe('missing_body');
    expect(error.message).toMatch(/No request body to verify/);
  });
});

describe('readSignedWebhook', () => {
  it('reads the header in any case, from a plain object or WHATWG Headers, trimmed', () => {
    expect(readSignedWebhook(body, { 'X-SIGNATURE': ' abc= ' }, ACME, 'X-Signature')).toEqual({
      body,
      signature: 'abc=',
    });
    const headers = new Headers({ 'x-signature': 'abc=' });
    expect(readSignedWebhook(body, headers, ACME, 'X-Signature').signature).toBe('abc=');
  });

  it('refuses an empty body before looking at the header', () => {
    const error = thrown(() => readSignedWebhook(Buffer.alloc(0), {}, ACME, 'X-Signature'));
    expect(error).toMatchObject({ code: 'empty_body', gateway: 'acme' });
  });

  it.each([
    ['missing', {}],
    ['blank', { 'x-signature': '  ' }],
    ['no headers at all', undefined],
  ])('names the header and the gateway when the signature is missing (%s)', (_what, headers) => {
    const error = thrown(() => readSignedWebhook(body, headers, ACME, 'X-Signature'));
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect(error).toMatchObject({ code: 'missing_signature', gateway: 'acme' });
    expect(error.message).toBe('Missing X-Signature header: this request was not signed by Acme');
  });
});

describe('public keys', () => {
  it('reads PEM however gateways hand it out: JSON-quoted, escaped newlines, CRLF', () => {
    const pem = current.publicKey.trim();
    expect(normalizePem(JSON.stringify(pem))).toBe(pem);
    expect(normalizePem(pem.replace(/\n/g, '\\n'))).toBe(pem);
    expect(normalizePem(pem.replace(/\n/g, '\r\n'))).toBe(pem);
    expect(normalizePem('"not json')).toBe('"not json');
    const spellings = [pem, JSON.stringify(pem), pem.replace(/\n/g, '\\r\\n')];
    const fingerprints = spellings.map((s) => publicKeyFingerprint(parsePublicKey(s, ACME)));
    expect(new Set(fingerprints).size).toBe(1);
    expect(fingerprints[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a public KeyObject as is', () => {
    const key = parsePublicKey(current.publicKey, ACME);
    expect(parsePublicKey(key, ACME)).toBe(key);
  });

  it('refuses a private key (PEM or KeyObject) and garbage, naming the gateway, never echoing the key', () => {
    const privatePem = current.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: Array<[PublicKeyInput, RegExp]> = [
      [privatePem, /^Acme webhook keys must be public keys; a private key was given$/],
      [privatePem.replace(/\n/g, '\\n'), /must be public keys/],
      [current.privateKey, /must be public keys/],
      [
        '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----',
        /^Acme webhook public key is not a valid PEM/,
      ],
    ];
    for (const [input, message] of cases) {
      const error = thrown(() => parsePublicKey(input, ACME));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ gateway: 'acme', code: 'invalid_public_key' });
      expect(error.message).toMatch(message);
      expect(JSON.stringify(error)).not.toContain('MII');
      expect(String(error.stack)).not.toContain('MII');
    }
  });

  it('uses a plain string gateway for both the error field and the message', () => {
    expect(thrown(() => parsePublicKey('garbage', 'numipay'))).toMatchObject({
      gateway: 'numipay',
      message: expect.stringMatching(/^numipay webhook public key/),
    });
  });
});

describe('RsaSignatureVerifier with configured keys', () => {
  it('is a WebhookSignatureVerifier resolving with the verified bytes', async () => {
    const verify: WebhookSignatureVerifier = verifier({ publicKeys: [current.publicKey] });
    await expect(verify.verify(body, signedBy(current))).resolves.toBe(body);
    await expect(verify.verify(body.toString('utf8'), signedBy(current))).resolves.toEqual(body);
  });

  it('accepts a signature by any of several keys (old and new during a rotation)', async () => {
    const v = verifier({ publicKeys: [current.publicKey, rotated.publicKey] });
    await expect(v.verify(body, signedBy(current))).resolves.toBe(body);
    await expect(v.verify(body, signedBy(rotated))).resolves.toBe(body);
    const error = await rejection(v.verify(body, signedBy(attacker)));
    expect(error).toMatchObject({ code: 'invalid_signature', gateway: 'acme' });
    expect(error.message).toBe('X-Signature does not match the body with any configured Acme public key');
  });

  it('rejects a tampered body and a truncated signature as mismatches', async () => {
    const v = verifier({ publicKeys: [current.publicKey] });
    const tampered = Buffer.from(body);
    const at = tampered.indexOf('2999');
    tampered[at] = (tampered[at] as number) ^ 0x01;
    expect((await rejection(v.verify(tampered, signedBy(current)))).code).toBe('invalid_signature');
    const short = Buffer.from(signedBy(current)['x-signature'], 'base64').subarray(0, 128).toString('base64');
    expect((await rejection(v.verify(body, { 'x-signature': short }))).code).toBe('invalid_signature');
  });

  it('deduplicates keys by fingerprint, however they are spelled or added', () => {
    const v = verifier({
      publicKeys: [current.publicKey, current.publicKey.replace(/\n/g, '\\n'), rotated.publicKey],
    });
    expect(v.keys.size).toBe(2);
    v.keys.add(parsePublicKey(rotated.publicKey, ACME));
    v.keys.add(attacker.publicKey);
    expect(v.keys.size).toBe(3);
  });

  it('reports a malformed header per encoding', async () => {
    const base64 = verifier({ publicKeys: [current.publicKey] });
    for (const header of ['not base64!', 'abc', 'QUJD*==']) {
      const error = await rejection(base64.verify(body, { 'x-signature': header }));
      expect(error).toMatchObject({
        code: 'malformed_signature',
        message: 'X-Signature is not valid base64',
      });
    }
    const hex = verifier({ header: 'X-Hub-Signature', encoding: 'hex', publicKeys: [current.publicKey] });
    const error = await rejection(hex.verify(body, { 'x-hub-signature': 'abc' }));
    expect(error.message).toBe('X-Hub-Signature is not valid hex');
  });

  it('treats a configured key of another kind as a mismatch, not a crash', async () => {
    const ed25519 = generateKeyPairSync('ed25519').publicKey;
    const v = verifier({ publicKeys: [ed25519, current.publicKey] });
    await expect(v.verify(body, signedBy(current))).resolves.toBe(body);
    expect((await rejection(v.verify(body, signedBy(attacker)))).code).toBe('invalid_signature');
  });

  it('takes another digest and encoding when the gateway uses them', async () => {
    const v = verifier({ encoding: 'hex', digest: 'sha512', publicKeys: [current.publicKey] });
    const header = sign('sha512', body, current.privateKey).toString('hex').toUpperCase();
    await expect(v.verify(body, { 'x-signature': header })).resolves.toBe(body);
    const sha256 = sign('sha256', body, current.privateKey).toString('hex');
    await rejection(v.verify(body, { 'x-signature': sha256 }));
  });

  it('refuses an unknown digest at construction rather than failing every delivery', () => {
    expect(thrown(() => verifier({ digest: 'sha257' }))).toMatchObject({
      name: 'ConfigurationError',
      code: 'invalid_digest',
      message: 'Acme signature digest "sha257" is not supported',
    });
    expect(() => verifier({ digest: 'SHA512' })).not.toThrow();
  });

  it('explains what to do with a parsed body', async () => {
    const error = await rejection(verifier().verify(JSON.parse(body.toString('utf8')), signedBy(current)));
    expect(error.code).toBe('parsed_body');
  });

  it('says how to configure a key when there is none and nothing to refresh from', async () => {
    const error = await rejection(
      verifier({ configureHint: 'set ACME_WEBHOOK_KEY' }).verify(body, signedBy(current)),
    );
    expect(error).toMatchObject({
      code: 'no_public_key',
      message: 'No Acme public key configured: set ACME_WEBHOOK_KEY',
    });
    expect((await rejection(verifier().verify(body, signedBy(current)))).message).toBe(
      'No Acme public key configured',
    );
  });
});

describe('RsaSignatureVerifier refreshing its keys', () => {
  it('fetches a key when none is configured, then caches it', async () => {
    const source = countingSource(() => [JSON.stringify(current.publicKey)]);
    const v = verifier({ sources: [source] });
    expect(v.keys.canRefresh).toBe(true);
    await expect(v.verify(body, signedBy(current))).resolves.toBe(body);
    await expect(v.verify(body, signedBy(current))).resolves.toBe(body);
    expect(source.calls).toBe(1);
  });

  it('picks up a rotation with one refresh and keeps accepting the old key', async () => {
    let served = current.publicKey;
    const source = countingSource(() => [served]);
    const v = verifier({ publicKeys: [current.publicKey], sources: [source] });
    served = rotated.publicKey;
    await expect(v.verify(body, signedBy(rotated))).resolves.toBe(body);
    await expect(v.verify(body, signedBy(current))).resolves.toBe(body);
    await expect(v.verify(body, signedBy(rotated))).resolves.toBe(body);
    expect(source.calls).toBe(1);
    expect(v.keys.size).toBe(2);
  });

  it('asks every source once per refresh, and one key found is enough', async () => {
    const empty = countingSource(() => []);
    const failing = jest.fn(async (): Promise<readonly PublicKeyInput[]> => {
      throw new Error('webhook list unavailable');
    });
    const good = countingSource(() => [rotated.publicKey]);
    const v = verifier({ sources: [empty, failing, good] });
    await expect(v.verify(body, signedBy(rotated))).resolves.toBe(body);
    expect([empty.calls, failing.mock.calls.length, good.calls]).toEqual([1, 1, 1]);
  });

  it('refreshes only once for a forged signature, then says so', async () => {
    const source = countingSource(() => [current.publicKey]);
    const v = verifier({ publicKeys: [current.publicKey], sources: [source] });
    const error = await rejection(v.verify(body, signedBy(attacker)));
    expect(error.code).toBe('invalid_signature');
    expect(error.message).toBe(
      'X-Signature does not match the body with any Acme public key, even after refreshing the keys',
    );
    expect(source.calls).toBe(1);
    // A key a source returns that is already configured is still one key.
    expect(v.keys.size).toBe(1);
  });

  it('rate-limits refreshes by minRefreshIntervalMs on the injected clock', async () => {
    let now = 1_000_000;
    const source = countingSource(() => [current.publicKey]);
    const v = verifier({
      publicKeys: [current.publicKey],
      sources: [source],
      minRefreshIntervalMs: 30_000,
      now: () => now,
    });
    await rejection(v.verify(body, signedBy(attacker)));
    now += 29_999;
    const limited = await rejection(v.verify(body, signedBy(attacker)));
    expect(limited.message).toBe(
      'X-Signature does not match the body with any Acme public key (keys were refreshed recently; not again yet)',
    );
    await expect(v.keys.refresh()).resolves.toBe(false);
    expect(source.calls).toBe(1);
    now += 1;
    await rejection(v.verify(body, signedBy(attacker)));
    expect(source.calls).toBe(2);
  });

  it('defaults to one refresh a minute', async () => {
    let now = 0;
    const source = countingSource(() => []);
    const v = verifier({ publicKeys: [current.publicKey], sources: [source], now: () => now });
    await rejection(v.verify(body, signedBy(attacker)));
    now = 59_999;
    await rejection(v.verify(body, signedBy(attacker)));
    now = 60_000;
    await rejection(v.verify(body, signedBy(attacker)));
    expect(source.calls).toBe(2);
  });

  it('shares one in-flight refresh between concurrent failures', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const v = verifier({
      publicKeys: [current.publicKey],
      sources: [
        async () => {
          calls += 1;
          await gate;
          return [rotated.publicKey];
        },
      ],
    });
    const genuine = Array.from({ length: 20 }, () => v.verify(body, signedBy(rotated)));
    const forged = Array.from({ length: 20 }, () => v.verify(body, signedBy(attacker)));
    // Settled before anything can fail, so a rejection is never left unhandled.
    const settled = Promise.allSettled([...genuine, ...forged]);
    release();
    const results = await settled;
    expect(results.slice(0, 20).map((r) => r.status)).toEqual(Array(20).fill('fulfilled'));
    for (const result of results.slice(20)) {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: { message: expect.stringMatching(/even after refreshing/) },
      });
    }
    expect(calls).toBe(1);
  });

  it('a flood of forged signatures costs the sources one call', async () => {
    const source = countingSource(() => [current.publicKey]);
    const v = verifier({ publicKeys: [current.publicKey], sources: [source] });
    await Promise.allSettled(Array.from({ length: 40 }, () => v.verify(body, signedBy(attacker))));
    for (let i = 0; i < 10; i++) await rejection(v.verify(body, signedBy(attacker)));
    expect(source.calls).toBe(1);
  });

  it('reports a failing source as that failure, not as a forged signature', async () => {
    const outage = new GatewayError('Acme is down', { gateway: 'acme', statusCode: 503 });
    const v = verifier({
      publicKeys: [current.publicKey],
      sources: [
        async () => {
          throw outage;
        },
      ],
    });
    await expect(v.verify(body, signedBy(rotated))).rejects.toBe(outage);
  });

  it('wraps a failure that is not a TijaraError as a gateway error, keeping the cause', async () => {
    const cause = new Error('ECONNRESET');
    const v = verifier({
      sources: [
        () => {
          throw cause;
        },
      ],
    });
    const error = await rejection(v.verify(body, signedBy(current)), GatewayError);
    expect(error).not.toBeInstanceOf(SignatureVerificationError);
    expect(error).toMatchObject({
      code: 'key_refresh_failed',
      gateway: 'acme',
      message: 'Refreshing the Acme public keys failed',
    });
    expect(error.cause).toBe(cause);
  });

  it('keeps reporting the failure, not "no key", while the rate limit holds back another try', async () => {
    let now = 0;
    let down = true;
    const v = verifier({
      now: () => now,
      sources: [
        async () => {
          if (down) throw new GatewayError('Acme is down', { gateway: 'acme', statusCode: 503 });
          return [current.publicKey];
        },
      ],
    });
    await rejection(v.verify(body, signedBy(current)), GatewayError);
    now = 1_000;
    expect((await rejection(v.verify(body, signedBy(current)), GatewayError)).statusCode).toBe(503);
    down = false;
    now = 60_000;
    await expect(v.verify(body, signedBy(current))).resolves.toBe(body);
  });

  it('says "no key" when the sources answer but have none', async () => {
    const error = await rejection(verifier({ sources: [async () => []] }).verify(body, signedBy(current)));
    expect(error).toMatchObject({
      code: 'no_public_key',
      message: 'No Acme public key available: none configured and the refresh found none',
    });
  });

  it('reports a source handing out garbage as a configuration error, without echoing it', async () => {
    const privatePem = attacker.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const v = verifier({ sources: [async () => [privatePem]] });
    const error = await rejection(v.verify(body, signedBy(current)), ConfigurationError);
    expect(JSON.stringify(error)).not.toContain('MII');
  });

  it('keeps at most maxRefreshedKeys learned keys, evicting the one seen longest ago; configured keys stay', async () => {
    let now = 0;
    const learned = [rsaKeys(), rsaKeys(), rsaKeys()];
    let served: readonly TestKeys[] = [];
    const v = verifier({
      publicKeys: [current.publicKey],
      sources: [async () => served.map((k) => k.publicKey)],
      maxRefreshedKeys: 2,
      minRefreshIntervalMs: 1,
      now: () => now,
    });
    for (const [i, keys] of learned.entries()) {
      served = [keys];
      now = i + 1;
      await expect(v.verify(body, signedBy(keys))).resolves.toBe(body);
    }
    expect(v.keys.size).toBe(3);
    now = 10;
    // The source no longer serves the first learned key, so it was evicted; the configured one stays.
    served = [];
    await rejection(v.verify(body, signedBy(learned[0]!)));
    await expect(v.verify(body, signedBy(learned[1]!))).resolves.toBe(body);
    await expect(v.verify(body, signedBy(learned[2]!))).resolves.toBe(body);
    await expect(v.verify(body, signedBy(current))).resolves.toBe(body);
  });

  it('logs each refresh with counts only', async () => {
    const lines: Array<[object, string | undefined]> = [];
    const logger: Logger = {
      debug() {},
      info: (obj, msg) => lines.push([obj, msg]),
      warn() {},
      error() {},
    };
    const v = verifier({ logger, sources: [async () => [current.publicKey, 'garbage']] });
    await v.verify(body, signedBy(current));
    expect(lines).toEqual([[{ gateway: 'acme', keys: 1, failures: 1 }, 'webhook keys refreshed']]);
  });
});

describe('KeyRing with HMAC secrets', () => {
  // Postpay-like: hex HMAC-SHA256 of the raw body with a shared secret; the ring is the same one RSA uses.
  const secretFingerprint = (secret: Buffer) => createHash('sha256').update(secret).digest('hex');
  const parseSecret = (input: string) => {
    if (input.trim() === '')
      throw new ConfigurationError('Postpay hook secret is empty', { gateway: 'postpay' });
    return Buffer.from(input.trim(), 'utf8');
  };
  const hmac = (secret: string | Buffer, bytes: Buffer = body) =>
    createHmac('sha256', secret).update(bytes).digest();

  function ring(options: { keys?: string[]; sources?: KeySource<string>[]; now?: () => number } = {}) {
    return new KeyRing<Buffer, string>({
      gateway: 'postpay',
      parse: parseSecret,
      fingerprint: secretFingerprint,
      names: { signature: 'X-Postpay-Signature', key: 'Postpay hook secret' },
      noKeyCode: 'no_secret',
      minRefreshIntervalMs: 1,
      ...options,
    });
  }
  const matching = (signature: Buffer) => (secret: Buffer) => timingSafeEqual(hmac(secret), signature);

  it('verifies against any secret and returns the one that matched', async () => {
    const keys = ring({ keys: ['old-secret', 'new-secret', 'new-secret '] });
    expect(keys.size).toBe(2);
    await expect(keys.verify(matching(hmac('new-secret')))).resolves.toEqual(Buffer.from('new-secret'));
    const error = await rejection(keys.verify(matching(hmac('guess'))));
    expect(error).toMatchObject({
      gateway: 'postpay',
      code: 'invalid_signature',
      message: 'X-Postpay-Signature does not match the body with any configured Postpay hook secret',
    });
    expect(error.message).not.toContain('secret-');
  });

  it('uses its own code when there is no secret at all', async () => {
    expect(await rejection(ring().verify(() => true))).toMatchObject({ code: 'no_secret' });
  });

  it('refreshes secrets and caps them at eight by default', async () => {
    let now = 0;
    let served: string[] = [];
    const keys = ring({ sources: [async () => served], now: () => now });
    for (let i = 0; i < 10; i++) {
      served = [`secret-${i}`];
      now += 10;
      await expect(keys.verify(matching(hmac(`secret-${i}`)))).resolves.toBeDefined();
    }
    expect(keys.size).toBe(8);
    served = [];
    now += 10;
    await rejection(keys.verify(matching(hmac('secret-1'))));
    await expect(keys.verify(matching(hmac('secret-2')))).resolves.toBeDefined();
  });
});
