import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import {
  ConfigurationError,
  generateHmacTestHeader,
  HmacSignatureVerifier,
  SIGNATURE_ERROR_CODES,
  SignatureVerificationError,
  TIMESTAMP_COLON_HEX,
  type HmacSignatureVerifierOptions,
  type WebhookSignatureVerifier,
} from '@tijara/core';

const SECRET = 'whsec_postpay_hook_3f9a1c7e5b2d4086';
const ROTATED = 'whsec_postpay_hook_rotated_77c0e1a2';
const NOW_S = 1_796_000_000;
const body = Buffer.from('{"id":"evt_1","type":"order","data":{"order_id":"ord_1","status":"captured"}}');
const header = (value: string) => ({ 'X-Postpay-Signature': value });

function verifier(options: Partial<HmacSignatureVerifierOptions> = {}): HmacSignatureVerifier {
  return new HmacSignatureVerifier({
    gateway: { id: 'postpay', name: 'Postpay' },
    header: 'X-Postpay-Signature',
    secrets: [SECRET],
    keyName: 'Postpay hook secret',
    now: () => NOW_S * 1000,
    ...options,
  });
}

const signed = (timestamp = NOW_S, secret = SECRET, payload: Buffer | string = body) =>
  generateHmacTestHeader({ payload, secret, timestamp });

async function refusal(promise: Promise<unknown>): Promise<SignatureVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignatureVerificationError);
  const text = inspect(error, { depth: 5 });
  for (const secret of [SECRET, ROTATED]) expect(text).not.toContain(secret);
  return error as SignatureVerificationError;
}

describe('HmacSignatureVerifier (timestamp + HMAC-SHA256, Postpay)', () => {
  it('signs "<timestamp>:<lowercase hex>" over "<timestamp>:<raw body>", and verifies it', async () => {
    const value = signed();
    const expected = createHmac('sha256', SECRET).update(`${NOW_S}:${body.toString()}`).digest('hex');
    expect(value).toBe(`${NOW_S}:${expected}`);
    const verify: WebhookSignatureVerifier = verifier();
    await expect(verify.verify(body, header(value))).resolves.toEqual(body);
  });

  it('accepts the header in any case and the body as a string or bytes', async () => {
    const value = signed();
    const [timestamp, hex] = value.split(':') as [string, string];
    await expect(verifier().verify(body.toString(), { 'x-postpay-signature': value })).resolves.toEqual(body);
    const upper = header(`${timestamp}:${hex.toUpperCase()}`);
    await expect(verifier().verify(new Uint8Array(body), upper)).resolves.toEqual(body);
  });

  it('accepts any of several secrets during a rotation', async () => {
    const verify = verifier({ secrets: [SECRET, ROTATED] });
    await expect(verify.verify(body, header(signed(NOW_S, ROTATED)))).resolves.toEqual(body);
    await expect(verify.verify(body, header(signed(NOW_S, SECRET)))).resolves.toEqual(body);
  });

  it('refuses a tampered body, a changed timestamp and a wrong secret as mismatches', async () => {
    const value = signed();
    const tampered = Buffer.from(body.toString().replace('captured', 'refunded'));
    expect((await refusal(verifier().verify(tampered, header(value)))).code).toBe(
      SIGNATURE_ERROR_CODES.mismatch,
    );
    const moved = value.replace(String(NOW_S), String(NOW_S - 1));
    expect((await refusal(verifier().verify(body, header(moved)))).code).toBe('invalid_signature');
    const guessed = signed(NOW_S, 'a-guess');
    expect((await refusal(verifier().verify(body, header(guessed)))).code).toBe('invalid_signature');
    // A MAC of another length is a mismatch, not a crash in the comparison.
    const short = `${NOW_S}:${'ab'.repeat(16)}`;
    expect((await refusal(verifier().verify(body, header(short)))).code).toBe('invalid_signature');
  });

  describe('timestamp window', () => {
    it('accepts a signature up to the tolerance away, both ways', async () => {
      for (const timestamp of [NOW_S - 300, NOW_S + 300, NOW_S]) {
        await expect(verifier().verify(body, header(signed(timestamp)))).resolves.toEqual(body);
      }
    });

    it('refuses a stale signature, saying how old it is', async () => {
      const error = await refusal(verifier().verify(body, header(signed(NOW_S - 301))));
      expect(error.code).toBe(SIGNATURE_ERROR_CODES.expired);
      expect(error.gateway).toBe('postpay');
      expect(error.message).toContain('301 s old');
    });

    it('refuses a signature from the future', async () => {
      const error = await refusal(verifier().verify(body, header(signed(NOW_S + 301))));
      expect(error.code).toBe('timestamp_out_of_tolerance');
      expect(error.message).toContain('301 s in the future');
    });

    it('takes another tolerance', async () => {
      const strict = verifier({ toleranceSeconds: 60 });
      await expect(strict.verify(body, header(signed(NOW_S - 60)))).resolves.toEqual(body);
      expect((await refusal(strict.verify(body, header(signed(NOW_S - 61))))).code).toBe(
        'timestamp_out_of_tolerance',
      );
    });

    it('checks the signature first: a forged stale delivery is reported as forged', async () => {
      const forged = signed(NOW_S - 3_600, 'a-guess');
      expect((await refusal(verifier().verify(body, header(forged)))).code).toBe('invalid_signature');
    });
  });

  it('reports a missing and a malformed header with their own codes', async () => {
    expect((await refusal(verifier().verify(body, {}))).code).toBe(SIGNATURE_ERROR_CODES.missing);
    for (const value of [
      'abc',
      `${NOW_S}:`,
      ':abcd',
      `${NOW_S}:xyz1`,
      `${NOW_S}:abc`,
      'sha256=abcd',
      `-1:ab`,
    ]) {
      const error = await refusal(verifier().verify(body, header(value)));
      expect(error.code).toBe(SIGNATURE_ERROR_CODES.malformed);
    }
  });

  it('says when no secret is configured', async () => {
    const error = await refusal(verifier({ secrets: [] }).verify(body, header(signed())));
    expect(error.code).toBe('no_secret');
    expect(error.message).toContain('No Postpay hook secret configured');
  });

  it('learns a rotated secret from its sources', async () => {
    let calls = 0;
    const verify = verifier({
      sources: [
        async () => {
          calls += 1;
          return [ROTATED];
        },
      ],
    });
    await expect(verify.verify(body, header(signed(NOW_S, ROTATED)))).resolves.toEqual(body);
    await expect(verify.verify(body, header(signed(NOW_S, ROTATED)))).resolves.toEqual(body);
    expect(calls).toBe(1);
    expect(verify.keys.size).toBe(2);
  });

  it('refuses configurations that would refuse every delivery, without echoing a secret', () => {
    for (const toleranceSeconds of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => verifier({ toleranceSeconds })).toThrow(ConfigurationError);
    }
    expect(() => verifier({ algorithm: 'sha-nope' })).toThrow(ConfigurationError);
    expect(() => verifier({ secrets: ['   '] })).toThrow(/Postpay hook secret is empty/);
  });

  it('lets a gateway with another header layout plug in its scheme', async () => {
    const scheme = {
      ...TIMESTAMP_COLON_HEX,
      parse: (value: string) => {
        const match = /^t=(\d+),v1=([0-9a-f]+)$/.exec(value);
        return match
          ? { timestamp: match[1] as string, signature: Buffer.from(match[2] as string, 'hex') }
          : undefined;
      },
      format: (timestamp: string, mac: Buffer) => `t=${timestamp},v1=${mac.toString('hex')}`,
    };
    const value = generateHmacTestHeader({ payload: body, secret: SECRET, timestamp: NOW_S, scheme });
    expect(value).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    await expect(verifier({ scheme }).verify(body, header(value))).resolves.toEqual(body);
  });
});
