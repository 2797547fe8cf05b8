import { createServer } from 'node:http';
import { createVerify } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startSandbox } from '@tijara/sandbox';

export async function quickstart(): Promise<{
  checkoutUrl: string;
  status: string;
  verifiedEvents: string[];
}> {
  // An in-memory sandbox on a free port; retries run 1000× faster than the real schedule.
  const sandbox = await startSandbox({ port: 0, webhookTimeScale: 0.001 });

  // A webhook receiver that checks X-Signature exactly as the gateway's verification guide says.
  let publicKey = '';
  const verifiedEvents: string[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const verifier = createVerify('RSA-SHA256');
      verifier.update(raw);
      const signature = Buffer.from(String(req.headers['x-signature']), 'base64');
      if (!verifier.verify(publicKey, signature)) return void res.writeHead(403).end();
      verifiedEvents.push(JSON.parse(raw.toString('utf8')).type);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sandbox.apiBase}${path}`, {
      method,
      headers: { authorization: `Bearer ${sandbox.secretKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as T;
  };

  try {
    // Each webhook has its own key pair; keep its public key to verify deliveries.
    const webhook = await api<{ public_key: string }>('POST', 'webhooks/', {
      callback: receiverUrl,
      events: ['purchase.paid'],
    });
    publicKey = webhook.public_key;

    const purchase = await api<{ id: string; checkout_url: string }>('POST', 'purchases/', {
      brand_id: sandbox.brandId,
      client: { email: 'buyer@example.com' },
      purchase: { products: [{ name: 'Prayer mat', price: 4500, quantity: 1 }], currency: 'USD' },
      success_redirect: 'https://shop.example/thanks',
      failure_redirect: 'https://shop.example/sorry',
    });

    // A buyer would open purchase.checkout_url; the control API runs the same code path.
    await fetch(`${sandbox.url}/__sandbox/purchases/${purchase.id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ card_number: '4242 4242 4242 4242' }),
    });
    await sandbox.settle(); // wait until the signed purchase.paid delivery is done

    const paid = await api<{ status: string }>('GET', `purchases/${purchase.id}/`);
    return { checkoutUrl: purchase.checkout_url, status: paid.status, verifiedEvents };
  } finally {
    receiver.close();
    await sandbox.close();
  }
}
