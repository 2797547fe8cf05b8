import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import { ConfigurationError } from '@tijara/core';
import { createTijaraExpress, keepRawBody } from '@tijara/express';
import type { RunningSandbox } from '@tijara/sandbox';
import { generateUmmahTestKeys, ummahTestWebhookHeaders } from '@tijara/ummah';
import {
  CARDS,
  payOnSandbox,
  postForm,
  startStore,
  startTestSandbox,
  ummahDriver,
} from './support/harness.js';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startTestSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe.each([
  [5, express5],
  [4, express4],
] as const)('Express %i with a JSON parser mounted first', (version, express) => {
  test('express.json() ahead of the router fails at start-up, saying how to fix it', async () => {
    await expect(startStore({ sandbox, expressVersion: version, jsonFirst: 'plain' })).rejects.toThrow(
      ConfigurationError,
    );
    await expect(startStore({ sandbox, expressVersion: version, jsonFirst: 'plain' })).rejects.toThrow(
      /mount the Tijara router before express\.json\(\).*verify: keepRawBody/,
    );
  });

  test('express.json({ verify: keepRawBody }) keeps the exact bytes, which verify; a re-serialised body would not', async () => {
    const store = await startStore({
      sandbox,
      expressVersion: version,
      jsonFirst: 'keep-raw',
      registerWebhook: false,
    });
    try {
      const keys = generateUmmahTestKeys();
      store.driver.webhookVerifier.addKey(keys.publicKey);
      const order = store.createOrder();
      await postForm(`${store.url}/payments/checkout`, { orderId: order.id });
      const [payment] = await store.tijara.listPayments(order.id);
      await payOnSandbox(sandbox, payment!.paymentId, CARDS.ok);
      const purchase = await store.driver.client.purchases.retrieve(payment!.paymentId);
      // Whitespace a JSON parser would not reproduce: only the raw bytes carry this signature.
      const body = JSON.stringify(
        { id: 'evt_raw', type: 'purchase.paid', created_on: Math.floor(Date.now() / 1000), object: purchase },
        null,
        2,
      );
      const response = await fetch(`${store.url}/payments/webhook`, {
        method: 'POST',
        headers: ummahTestWebhookHeaders(body, keys.privateKey),
        body,
      });
      expect(response.status).toBe(200);
      expect(store.events.map((e) => e.type)).toEqual(['payment.paid']);
    } finally {
      await store.close();
    }
  });

  test('behind a plain Router (no mount event), a consumed body is refused at request time with the fix', async () => {
    const app = express();
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tijara = await createTijaraExpress({
      driver: ummahDriver(sandbox),
      publicUrl: url,
      database: 'sqlite::memory:',
      getOrder: async () => undefined,
      reconcile: false,
    });
    try {
      const router = express.Router();
      router.use(express.json());
      router.use('/payments', tijara.router);
      app.use(router);
      const body = JSON.stringify({ id: 'evt', type: 'purchase.paid', created_on: 1, object: {} });
      const response = await fetch(`${url}/payments/webhook`, {
        method: 'POST',
        headers: ummahTestWebhookHeaders(body, generateUmmahTestKeys().privateKey),
        body,
      });
      expect(response.status).toBe(500);
      const answer = (await response.json()) as { error: string; message: string };
      expect(answer.error).toBe('raw_body_unavailable');
      expect(answer.message).toMatch(/keepRawBody/);
    } finally {
      await tijara.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

test('mounting at a path other than mountPath fails at start-up', async () => {
  const tijara = await createTijaraExpress({
    driver: ummahDriver(sandbox),
    publicUrl: 'http://127.0.0.1:9',
    database: 'sqlite::memory:',
    getOrder: async () => undefined,
    reconcile: false,
  });
  try {
    expect(() => express5().use('/pay', tijara.router)).toThrow(
      /mounted at "\/pay" but mountPath is "\/payments"/,
    );
    expect(() => express5().use('/payments', tijara.router)).not.toThrow();
    expect(() =>
      express5()
        .use(express5.json({ verify: keepRawBody }))
        .use('/payments', tijara.router),
    ).toThrow(ConfigurationError);
    expect(() => express5().use('/api', express5.json()).use('/payments', tijara.router)).not.toThrow();
  } finally {
    await tijara.close();
  }
});

test('configuration mistakes are reported together, before anything starts', async () => {
  await expect(createTijaraExpress({} as never)).rejects.toThrow(
    /missing: driver \(a GatewayDriver\); getOrder\(orderId\) → order; publicUrl/,
  );
  await expect(
    createTijaraExpress({
      driver: ummahDriver(sandbox),
      publicUrl: 'http://127.0.0.1:9',
      database: 'redis://127.0.0.1:6379',
      getOrder: async () => undefined,
    }),
  ).rejects.toThrow(/ledger cannot live in redis/);
});
