import { inspect } from 'node:util';
import {
  ConfigurationError,
  DigestSignatureVerifier,
  generateDigestTestHeader,
  SIGNATURE_ERROR_CODES,
  SignatureVerificationError,
  type DigestSignatureVerifierOptions,
} from '@tijara/core';

// Numipay's documented example (seed 002): the data, the signature password and the hash it gives.
const SEED_DATA = {
  transaction_id: 'r21nmrtpcmrcava',
  user_id: '1111222',
  tracking_id: 'b8f04416-116a-11ed-861d-0242ac120002',
  status: 'rejected',
  currency: 'GBP',
  amount: '200.00',
  transaction_type: 'withdrawal',
};
const SEED_PASSWORD = 'spg_test_companyxxxxQyGAheyMqcHVmp8ZMQtkYcev27sCu7RF';
const SEED_SIGNATURE = '5FDDA8F46411C132DCFBEE53C39BA06298CB48BC';
const ROTATED = 'spg_test_companyRotatedPassword0123456789';

const compact = Buffer.from(JSON.stringify(SEED_DATA));
// As the seed document prints it: one field per line.
const pretty = Buffer.from(JSON.stringify(SEED_DATA, null, 2));
const header = (value: string) => ({ 'x-signature': value });

function verifier(options: Partial<DigestSignatureVerifierOptions> = {}): DigestSignatureVerifier {
  return new DigestSignatureVerifier({
    gateway: { id: 'numipay', name: 'Numipay' },
    header: 'x-signature',
    secrets: [SEED_PASSWORD],
    ...options,
  });
}

async function refusal(promise: Promise<unknown>): Promise<SignatureVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignatureVerificationError);
  expect(inspect(error, { depth: 5 })).not.toContain(SEED_PASSWORD);
  return error as SignatureVerificationError;
}

describe('DigestSignatureVerifier (SHA-1 of body + password, Numipay)', () => {
  it("signs the seed's example with the seed's hash", () => {
    expect(generateDigestTestHeader({ payload: SEED_DATA, secret: SEED_PASSWORD })).toBe(SEED_SIGNATURE);
    expect(generateDigestTestHeader({ payload: compact, secret: SEED_PASSWORD })).toBe(SEED_SIGNATURE);
    expect(generateDigestTestHeader({ payload: compact.toString(), secret: SEED_PASSWORD })).toBe(
      SEED_SIGNATURE,
    );
  });

  it("verifies the seed's vector over the raw bytes", async () => {
    await expect(verifier().verify(compact, header(SEED_SIGNATURE))).resolves.toEqual(compact);
    await expect(verifier().verify(compact, header(SEED_SIGNATURE.toLowerCase()))).resolves.toEqual(compact);
  });

  it('falls back to the data re-serialised when the body was sent in another layout', async () => {
    await expect(verifier().verify(pretty, header(SEED_SIGNATURE))).resolves.toEqual(pretty);
  });

  it('refuses tampered data, in either layout, and a wrong password', async () => {
    for (const bytes of [compact, pretty]) {
      const tampered = Buffer.from(bytes.toString().replace('200.00', '2000.00'));
      expect((await refusal(verifier().verify(tampered, header(SEED_SIGNATURE)))).code).toBe(
        SIGNATURE_ERROR_CODES.mismatch,
      );
    }
    const wrong = generateDigestTestHeader({ payload: SEED_DATA, secret: 'guess' });
    expect((await refusal(verifier().verify(compact, header(wrong)))).code).toBe('invalid_signature');
  });

  it('verifies a body that is not JSON over its bytes, and refuses it without crashing otherwise', async () => {
    const text = Buffer.from('status=approved&id=1');
    const value = generateDigestTestHeader({ payload: text, secret: SEED_PASSWORD });
    await expect(verifier().verify(text, header(value))).resolves.toEqual(text);
    expect((await refusal(verifier().verify(text, header(SEED_SIGNATURE)))).code).toBe('invalid_signature');
  });

  it('reports a missing and a malformed header with their own codes', async () => {
    expect((await refusal(verifier().verify(compact, {}))).code).toBe(SIGNATURE_ERROR_CODES.missing);
    for (const value of ['XYZ', SEED_SIGNATURE.slice(2), `${SEED_SIGNATURE}00`, 'a'.repeat(64)]) {
      expect((await refusal(verifier().verify(compact, header(value)))).code).toBe(
        SIGNATURE_ERROR_CODES.malformed,
      );
    }
  });

  it('accepts any of several passwords, and learns a rotated one from its sources', async () => {
    const rotatedSignature = generateDigestTestHeader({ payload: SEED_DATA, secret: ROTATED });
    await expect(
      verifier({ secrets: [SEED_PASSWORD, ROTATED] }).verify(compact, header(rotatedSignature)),
    ).resolves.toEqual(compact);
    const learning = verifier({ sources: [async () => [ROTATED]] });
    await expect(learning.verify(compact, header(rotatedSignature))).resolves.toEqual(compact);
    expect((await refusal(verifier({ secrets: [] }).verify(compact, header(SEED_SIGNATURE)))).code).toBe(
      'no_secret',
    );
  });

  it('checks the signed part of an envelope when the gateway signs only its data', async () => {
    const envelope = Buffer.from(JSON.stringify({ event: 'transaction.updated', data: SEED_DATA }, null, 1));
    const onlyData = verifier({ signedPart: (parsed) => (parsed as { data: unknown }).data });
    await expect(onlyData.verify(envelope, header(SEED_SIGNATURE))).resolves.toEqual(envelope);
    await refusal(verifier().verify(envelope, header(SEED_SIGNATURE)));
  });

  it('takes another hash, and refuses one that does not exist', async () => {
    const sha256 = generateDigestTestHeader({ payload: compact, secret: SEED_PASSWORD, algorithm: 'sha256' });
    expect(sha256).toMatch(/^[0-9A-F]{64}$/);
    await expect(verifier({ algorithm: 'sha256' }).verify(compact, header(sha256))).resolves.toEqual(compact);
    expect(() => verifier({ algorithm: 'md-nope' })).toThrow(ConfigurationError);
  });
});
