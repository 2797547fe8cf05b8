import {
  DigestSignatureVerifier,
  generateDigestTestHeader,
  generateHmacTestHeader,
  HmacSignatureVerifier,
  SignatureVerificationError,
} from '@tijara/core';

// Postpay-style: `X-Postpay-Signature: <timestamp>:<hex>`, HMAC-SHA256 over "<timestamp>:<raw body>", ±300 s.
const hooks = new HmacSignatureVerifier({
  gateway: { id: 'postpay', name: 'Postpay' },
  header: 'X-Postpay-Signature',
  secrets: ['old-hook-secret', 'new-hook-secret'], // both accepted during a rotation
});

// Numipay-style: `x-signature` = uppercase hex SHA-1 of the body followed by the signature password.
const deliveries = new DigestSignatureVerifier({
  gateway: { id: 'numipay', name: 'Numipay' },
  header: 'x-signature',
  secrets: ['spg_test_password'],
});

export async function main(): Promise<string[]> {
  const lines: string[] = [];
  const body = '{"id":"evt_1","type":"order","data":{"order_id":"ord_1","status":"captured"}}';

  const fresh = generateHmacTestHeader({ payload: body, secret: 'new-hook-secret' });
  await hooks.verify(body, { 'X-Postpay-Signature': fresh });
  lines.push('hmac: verified');

  const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
  const replayed = generateHmacTestHeader({ payload: body, secret: 'new-hook-secret', timestamp: anHourAgo });
  try {
    await hooks.verify(body, { 'X-Postpay-Signature': replayed });
  } catch (error) {
    if (error instanceof SignatureVerificationError) lines.push(`hmac: ${error.code}`);
  }

  const data = { transaction_id: 'tx_1', status: 'approved', amount: '10.00' };
  const signature = generateDigestTestHeader({ payload: data, secret: 'spg_test_password' });
  // The gateway hashed JSON.stringify(data); a pretty-printed body still verifies through the fallback.
  await deliveries.verify(JSON.stringify(data, null, 2), { 'x-signature': signature });
  lines.push('digest: verified');
  return lines;
}
