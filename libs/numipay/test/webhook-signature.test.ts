import { SignatureVerificationError } from '@tijara/core';
import { createNumipayDriver, createNumipayWebhookVerifier, signNumipayPayload } from '@tijara/numipay';
import { SIGNATURE_PASSWORD, TEST_API_KEY } from './support/fixtures.js';

// The seed's vector, byte for byte: JSON.stringify of this object, then the password appended, SHA-1, upper hex.
const SEED_DATA = {
  transaction_id: 'r21nmrtpcmrcava',
  user_id: '1111222',
  tracking_id: 'b8f04416-116a-11ed-861d-0242ac120002',
  status: 'rejected',
  currency: 'GBP',
  amount: '200.00',
  transaction_type: 'withdrawal',
};
const SEED_SIGNATURE = '5FDDA8F46411C132DCFBEE53C39BA06298CB48BC';
const compact = Buffer.from(JSON.stringify(SEED_DATA));

const verifier = createNumipayWebhookVerifier([SIGNATURE_PASSWORD]);

async function refusal(promise: Promise<unknown>): Promise<SignatureVerificationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SignatureVerificationError);
  return error as SignatureVerificationError;
}

describe('x-signature', () => {
  it("signs the seed's vector", () => {
    expect(signNumipayPayload(SEED_DATA, SIGNATURE_PASSWORD)).toBe(SEED_SIGNATURE);
    expect(signNumipayPayload(compact, SIGNATURE_PASSWORD)).toBe(SEED_SIGNATURE);
  });

  it("verifies the seed's vector over the raw bytes", async () => {
    expect(await verifier.verify(compact, { 'x-signature': SEED_SIGNATURE })).toEqual(compact);
    expect(
      await verifier.verify(compact.toString(), { 'X-Signature': SEED_SIGNATURE.toLowerCase() }),
    ).toEqual(compact);
  });

  it('falls back to re-serialising when the sender sent other bytes than it hashed', async () => {
    const pretty = Buffer.from(JSON.stringify(SEED_DATA, null, 2));
    expect(await verifier.verify(pretty, { 'x-signature': SEED_SIGNATURE })).toEqual(pretty);
  });

  it('refuses a changed byte, a wrong password, and a signature of other data', async () => {
    const changed = Buffer.from(compact);
    changed[compact.indexOf('rejected')] = 'R'.charCodeAt(0);
    expect((await refusal(verifier.verify(changed, { 'x-signature': SEED_SIGNATURE }))).code).toBe(
      'invalid_signature',
    );
    const wrong = createNumipayWebhookVerifier(['spg_test_someoneelse']);
    await refusal(wrong.verify(compact, { 'x-signature': SEED_SIGNATURE }));
    const other = signNumipayPayload({ ...SEED_DATA, status: 'successful' }, SIGNATURE_PASSWORD);
    await refusal(verifier.verify(compact, { 'x-signature': other }));
  });

  it.each([
    [{}, 'missing_signature'],
    [{ 'x-signature': 'not-hex' }, 'malformed_signature'],
    [{ 'x-signature': SEED_SIGNATURE.slice(2) }, 'malformed_signature'],
  ])('refuses headers %p', async (headers, code) => {
    expect((await refusal(verifier.verify(compact, headers))).code).toBe(code);
  });

  it('refuses a parsed body: only bytes can be verified', async () => {
    expect((await refusal(verifier.verify(SEED_DATA, { 'x-signature': SEED_SIGNATURE }))).code).toBe(
      'parsed_body',
    );
  });

  it('accepts the old and the new password during a rotation', async () => {
    const rotating = createNumipayWebhookVerifier(['spg_test_newpassword', SIGNATURE_PASSWORD]);
    expect(await rotating.verify(compact, { 'x-signature': SEED_SIGNATURE })).toEqual(compact);
  });

  it('a driver without a password refuses every delivery', async () => {
    const driver = createNumipayDriver({ apiKey: TEST_API_KEY, mode: 'test' });
    expect((await refusal(driver.verifyWebhook(compact, { 'x-signature': SEED_SIGNATURE }))).code).toBe(
      'no_secret',
    );
  });
});

describe('the verified event', () => {
  const driver = createNumipayDriver({
    apiKey: TEST_API_KEY,
    mode: 'test',
    webhooks: { signaturePasswords: [SIGNATURE_PASSWORD] },
  });

  it('a withdrawal is a payout event about no payment', async () => {
    const event = await driver.verifyWebhook(compact, { 'x-signature': SEED_SIGNATURE });
    expect(event).toMatchObject({
      id: 'r21nmrtpcmrcava:rejected',
      type: 'payout.updated',
      rawType: 'withdrawal.rejected',
      raw: SEED_DATA,
    });
    expect(event.paymentId).toBeUndefined();
  });

  it('a deposit names the payment by tracking id and carries no payment, so the pipeline re-reads the status', async () => {
    const deposit = {
      ...SEED_DATA,
      status: 'successful',
      transaction_type: 'deposit',
      tracking_id: 'tj1-GBP-20000-abcdef0123456789abcdef01',
    };
    const body = Buffer.from(JSON.stringify(deposit));
    const event = await driver.verifyWebhook(body, {
      'x-signature': signNumipayPayload(body, SIGNATURE_PASSWORD),
    });
    expect(event).toMatchObject({
      type: 'payment.paid',
      paymentId: deposit.tracking_id,
      id: 'r21nmrtpcmrcava:successful',
    });
    expect(event.payment).toBeUndefined();
  });

  it('a verified body that is not the documented payload is a bad request', async () => {
    const body = Buffer.from('{"hello":"world"}');
    await expect(
      driver.verifyWebhook(body, { 'x-signature': signNumipayPayload(body, SIGNATURE_PASSWORD) }),
    ).rejects.toMatchObject({
      code: 'invalid_webhook_payload',
    });
  });
});
