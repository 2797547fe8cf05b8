/**
 * Keys and pre-signed webhook deliveries for the load runs. Signing (RSA-2048, ~0.3 ms each) is done before a
 * run, spread over worker threads, so the load generator only replays bytes.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface KeyPair {
  readonly publicKeyPem: string;
  readonly privateKeyPem: string;
}

export function generateKeys(bits = 2048): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Base64 RSA PKCS#1 v1.5 / SHA-256 over the raw bytes: Ummah's `X-Signature`. */
export function signBody(body: string | Buffer, privateKeyPem: string): string {
  return sign('sha256', typeof body === 'string' ? Buffer.from(body) : body, privateKeyPem).toString(
    'base64',
  );
}

export interface SignedDelivery {
  readonly body: string;
  readonly signature: string;
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPrivateKey, sign } = require('node:crypto');
const key = createPrivateKey(workerData.pem);
parentPort.postMessage(workerData.bodies.map((b) => sign('sha256', Buffer.from(b), key).toString('base64')));
`;

/** Sign many bodies on worker threads (one per core). */
export async function signMany(bodies: readonly string[], privateKeyPem: string): Promise<SignedDelivery[]> {
  const threads = Math.max(1, Math.min(availableParallelism(), 4));
  const size = Math.ceil(bodies.length / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, i) => {
      const slice = bodies.slice(i * size, (i + 1) * size);
      if (slice.length === 0) return Promise.resolve([] as string[]);
      return new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(WORKER, { eval: true, workerData: { pem: privateKeyPem, bodies: slice } });
        worker.once('message', (sigs: string[]) => {
          resolve(sigs);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  const signatures = parts.flat();
  return bodies.map((body, i) => ({ body, signature: signatures[i] as string }));
}
