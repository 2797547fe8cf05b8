import type { AddressInfo } from 'node:net';
import express from 'express';
import { createSandboxApp } from '../src/index.js';
import { client, type Json } from './helpers.js';

test('createSandboxApp mounts under a path; object URLs and pages follow the mount point', async () => {
  const sandbox = await createSandboxApp({ secretKey: 'sk_test_embedded_example_key' });
  const host = express();
  host.get('/health', (_req, res) => res.send('ok'));
  host.use('/ummah', sandbox.app);
  const server = host.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ummah`;
  try {
    const api = client({ apiBase: `${base}/api/v1/`, secretKey: sandbox.secretKey });
    const created = await api.post('/purchases/', {
      brand_id: sandbox.brandId,
      client: { email: 'embedded@example.com' },
      purchase: { products: [{ name: 'x', price: 100 }] },
    });
    expect(created.status).toBe(201);
    expect(created.body.checkout_url).toBe(`${base}/checkout/${created.body.id}/`);

    const page = await (await fetch(created.body.checkout_url)).text();
    expect(page).toContain(`action="/ummah/checkout/${created.body.id}/"`);
    const submitted = await fetch(created.body.checkout_url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        card_number: '4000 0000 0000 3220',
        expires: '12/39',
        cvc: '123',
        cardholder_name: 'A B',
      }),
    });
    expect(submitted.headers.get('location')).toMatch(new RegExp(`^/ummah/checkout/${created.body.id}/3ds/`));

    const info = (await (await fetch(`${base}/__sandbox/info`)).json()) as Json;
    expect(info.api_base).toBe(`${base}/api/v1/`);
    expect(await (await fetch(`${base.replace('/ummah', '')}/health`)).text()).toBe('ok');
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await sandbox.close();
  }
});
