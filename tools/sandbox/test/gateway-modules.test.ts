import { GATEWAYS, startSandbox, type RunningSandbox } from '../src/index.js';
import { client, control, createPurchase, startReceiver, type Json, type Receiver } from './helpers.js';
import { fakeGateway, fakeSignature } from '../examples/gateway-module.js';

/**
 * A second gateway module plugs into the engine with nothing changed but the list of modules: its routes under
 * its mount, its table, its signer (signing every attempt afresh), its control actions, its faults, its timer, and
 * its entry in `GET /__sandbox/info` — with Ummah still at its historical paths in the same sandbox.
 */
const MODULES = [...GATEWAYS, fakeGateway] as const;
let sandbox: RunningSandbox<typeof MODULES>;
let receiver: Receiver;

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    // Retries wait for the sandbox clock only, so the test decides when the second attempt goes out.
    webhookTimeScale: 1,
    modules: MODULES,
    gatewayOptions: { fakepay: { secret: 'fk_test_secret' } },
  });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await sandbox.close();
});

const fake = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${sandbox.url}/fakepay${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as Json };
};

test('both gateways answer in one sandbox, each at its own paths', async () => {
  const charge = await fake('POST', '/charges', { amount: 500, callback_url: `${receiver.url}/fake` });
  expect(charge.status).toBe(201);
  expect(charge.body.pay_url).toBe(`${sandbox.url}/fakepay/pay/${charge.body.id}`);
  expect((await fake('GET', `/pay/${charge.body.id}`)).body).toContain(
    `<h1 id="charge">${charge.body.id}</h1>`,
  );
  expect((await fake('GET', '/stats')).body).toEqual({ charges: 1 });
  expect((await fake('GET', '/nothing')).status).toBe(404);

  const purchase = await createPurchase(client(sandbox), sandbox.brandId);
  expect(purchase.checkout_url).toBe(`${sandbox.url}/checkout/${purchase.id}/`);
  expect(sandbox.gateways.fakepay.secret).toBe('fk_test_secret');
  expect(sandbox.gateways.ummah.brandId).toBe(sandbox.brandId);
});

test('GET /__sandbox/info lists every gateway and keeps the top-level Ummah fields', async () => {
  const info = (await control(sandbox, 'GET', '/info')).body;
  expect(info).toMatchObject({
    brand_id: sandbox.brandId,
    api_base: sandbox.apiBase,
    url: sandbox.url,
    is_test: true,
    gateways: {
      ummah: { baseUrl: sandbox.url, apiBase: sandbox.apiBase, brandId: sandbox.brandId },
      fakepay: { baseUrl: `${sandbox.url}/fakepay`, secret: 'fk_test_secret' },
    },
  });
});

test("deliveries are signed when each attempt is sent, by the gateway's own signer", async () => {
  receiver.respondWith(500, 200);
  const charge = (await fake('POST', '/charges', { amount: 700, callback_url: `${receiver.url}/fake` })).body;
  expect((await control(sandbox, 'POST', `/fakepay/charges/${charge.id}/succeed`)).status).toBe(200);
  await receiver.waitFor(1);
  await sandbox.settle();
  await sandbox.advanceClock(90);
  await sandbox.settle();
  const attempts = receiver.requests.filter((r) => r.json?.charge?.id === charge.id);
  expect(attempts).toHaveLength(2);
  const [first, second] = attempts.map((r) => ({
    body: r.body.toString('utf8'),
    signature: String(r.headers['x-fake-signature']),
  }));
  expect(second!.body).toBe(first!.body);
  const stamp = (signature: string) => Number(signature.split(':')[0]);
  // The retry went out a minute or more later on the sandbox clock, with a signature made then.
  expect(stamp(second!.signature) - stamp(first!.signature)).toBeGreaterThanOrEqual(60);
  for (const attempt of [first!, second!]) {
    expect(attempt.signature).toBe(fakeSignature('fk_test_secret', stamp(attempt.signature), attempt.body));
  }
  const log = (await control(sandbox, 'GET', `/deliveries?gateway=fakepay&source_id=${charge.id}`)).body
    .results;
  expect(log).toEqual([
    expect.objectContaining({ gateway: 'fakepay', kind: 'hook', status: 'delivered', attempt_count: 2 }),
  ]);
});

test('fault rules can target one gateway', async () => {
  const added = await control(sandbox, 'POST', '/fakepay/faults', { type: 'error', status: 503 });
  expect(added.status).toBe(201);
  expect(added.body.rules).toEqual([expect.objectContaining({ gateway: 'fakepay', type: 'error' })]);
  try {
    expect((await fake('GET', '/stats')).status).toBe(503);
    expect((await client(sandbox).get('/purchases/00000000-0000-4000-8000-000000000000/')).status).toBe(404);
    expect((await control(sandbox, 'GET', '/ummah/faults')).body.rules).toEqual([]);
  } finally {
    expect((await control(sandbox, 'DELETE', '/fakepay/faults')).body).toEqual({ rules: [] });
  }
  expect((await fake('GET', '/stats')).status).toBe(200);
});

test("the gateway's timer runs on the sandbox clock", async () => {
  const charge = (await fake('POST', '/charges', { amount: 100, callback_url: `${receiver.url}/fake` })).body;
  await control(sandbox, 'POST', '/clock/advance', { seconds: 59 });
  expect((await fake('GET', `/charges/${charge.id}`)).body.status).toBe('pending');
  await control(sandbox, 'POST', '/clock/advance', { seconds: 2 });
  expect((await fake('GET', `/charges/${charge.id}`)).body.status).toBe('expired');
});

test("reset forgets every gateway's objects but not their keys", async () => {
  await control(sandbox, 'POST', '/reset');
  expect((await fake('GET', '/stats')).body).toEqual({ charges: expect.any(Number) });
  const charges = await fake('POST', '/charges', { amount: 1, callback_url: `${receiver.url}/fake` });
  expect(charges.status).toBe(201);
  expect((await control(sandbox, 'GET', '/info')).body.gateways.fakepay.secret).toBe('fk_test_secret');
});
