import { UmmahPaymentProvider } from '../src/providers/ummah/index.js';
import { startSandboxWorld, type SandboxWorld } from './support/sandbox-world.js';

let world: SandboxWorld;
beforeAll(async () => {
  world = await startSandboxWorld();
});
afterAll(async () => {
  await world?.close();
});

/** Every line the provider writes to Medusa's logger, at every level. */
function recordingLogger(): { lines: string[]; logger: Record<string, (message: string) => void> } {
  const lines: string[] = [];
  const write = (message: string) => void lines.push(message);
  return { lines, logger: { debug: write, info: write, warn: write, error: write } };
}

it('keeps the secret key, card numbers and Authorization headers out of logs, errors and session data', async () => {
  const { lines, logger } = recordingLogger();
  const good = new UmmahPaymentProvider({ logger }, world.ummah.options() as never);
  const session = await good.initiatePayment({
    amount: 20,
    currency_code: 'myr',
    data: { session_id: 'payses_01SECRET', email: 'aisha@example.com' },
    context: {},
  });
  await world.ummah.pay(session.id, { card_number: '4242 4242 4242 4242' });
  const authorized = await good.authorizePayment({ data: session.data });
  expect(authorized.status).toBe('captured');

  const wrongKey = 'sk_test_00000000000000000000000000000bad';
  const bad = new UmmahPaymentProvider({ logger }, world.ummah.options({ secretKey: wrongKey }) as never);
  const failure = await bad
    .initiatePayment({
      amount: 20,
      currency_code: 'myr',
      data: { session_id: 'payses_01BADKEY', email: 'aisha@example.com' },
      context: {},
    })
    .catch((error: Error) => error);
  expect(failure).toBeInstanceOf(Error);
  expect((failure as Error).message).toMatch(/ummah initiate failed/);

  const seen = [
    ...lines,
    (failure as Error).message,
    JSON.stringify(session),
    JSON.stringify(authorized),
  ].join('\n');
  expect(lines.length).toBeGreaterThan(3);
  for (const secret of [world.sandbox.secretKey, wrongKey, '4242 4242 4242 4242', '4242424242424242']) {
    expect(seen).not.toContain(secret);
  }
  expect(seen).not.toMatch(/authorization"?\s*:\s*"?Bearer\s+sk_/i);
});
