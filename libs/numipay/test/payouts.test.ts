import { ConflictError, ConnectionError } from '@tijara/core';
import { sendJson, startLoopbackServer, type LoopbackServer } from '@tijara/testkit';
import { createNumipayDriver, type NumipayDriver } from '@tijara/numipay';
import { TEST_API_KEY } from './support/fixtures.js';

// Approving or rejecting a payout moves money: one request at most, and an unknown outcome is read, not retried.
const ID = 'tj1-GBP-5000-0123456789abcdef01234567';
let server: LoopbackServer;
let status = 'pending';
let onDecision: 'ok' | 'reset' | 502 | 400 = 'ok';
let statusAfterDecision: string | undefined;
let releaseDecision: (() => void) | undefined;

beforeAll(async () => {
  server = await startLoopbackServer(async (request, response, socket) => {
    if (request.method === 'GET')
      return sendJson(response, 200, { transaction_status: status, rejected_reason: null });
    if (releaseDecision === undefined && request.path.endsWith('/approve')) {
      // Hold the first approval until the test says so, to let concurrent calls pile up.
      await new Promise<void>((resolve) => {
        releaseDecision = resolve;
      });
    }
    if (statusAfterDecision) status = statusAfterDecision;
    if (onDecision === 'reset') return void socket.destroy();
    if (onDecision === 502) return sendJson(response, 502, { message: 'Bad gateway' });
    if (onDecision === 400) return sendJson(response, 400, { message: 'Transaction is not pending' });
    sendJson(response, 200, {
      message: 'Transaction Withdrawal has been approved successfully',
      transaction_status: 'pending',
    });
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  status = 'pending';
  onDecision = 'ok';
  statusAfterDecision = undefined;
  releaseDecision = () => undefined;
});

const posts = () => server.requests.filter((r) => r.method === 'POST');
const driver = (): NumipayDriver =>
  createNumipayDriver({
    apiKey: TEST_API_KEY,
    baseUrl: `${server.url}/`,
    mode: 'test',
    backoffBaseMs: 1,
    jitterMs: 0,
  });

it('concurrent approvals of one payout send one request', async () => {
  releaseDecision = undefined;
  const numipay = driver();
  const calls = [numipay.approvePayout(ID), numipay.approvePayout(ID), numipay.approvePayout(ID)];
  while (!releaseDecision) await new Promise((resolve) => setImmediate(resolve));
  (releaseDecision as () => void)();
  const results = await Promise.all(calls);
  expect(results.every((r) => r === results[0])).toBe(true);
  expect(posts()).toHaveLength(1);
  expect(posts()[0]!.json).toEqual({ transaction_id: ID });
});

it('an approval whose answer is lost, on a payout that now reads paid out, is done: no second request', async () => {
  onDecision = 502;
  statusAfterDecision = 'successful';
  expect(await driver().approvePayout(ID)).toMatchObject({ status: 'paid', rawStatus: 'successful' });
  expect(posts()).toHaveLength(1);
});

it('an approval cut off after sending, on a payout that still reads pending, is an unknown outcome for a person to check', async () => {
  onDecision = 'reset';
  const error = await driver()
    .approvePayout(ID)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectionError);
  expect(error).toMatchObject({ outcomeUnknown: true, code: 'payout_outcome_unknown' });
  expect(posts()).toHaveLength(1);
});

it('a payout already decided the other way is a conflict, and nothing is sent', async () => {
  status = 'rejected';
  const error = await driver()
    .approvePayout(ID)
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConflictError);
  expect(posts()).toHaveLength(0);
  status = 'successful';
  await expect(driver().rejectPayout(ID)).rejects.toBeInstanceOf(ConflictError);
  expect(await driver().approvePayout(ID)).toMatchObject({ status: 'paid' });
  expect(posts()).toHaveLength(0);
});

it('a refusal by Numipay is re-read: decided by someone else in between is answered, otherwise the refusal stands', async () => {
  onDecision = 400;
  statusAfterDecision = 'rejected';
  expect(await driver().rejectPayout(ID)).toMatchObject({ status: 'rejected' });
  status = 'pending';
  statusAfterDecision = undefined;
  await expect(driver().rejectPayout(ID)).rejects.toMatchObject({ statusCode: 400 });
  expect(posts()).toHaveLength(2);
});
