/**
 * Baseline (b), the practical limit: a bare `node:http` server that reads the body and does only
 * `crypto.verify` with a KeyObject parsed once at start. No parsing, no dedupe, no framework.
 */
import { createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { exitWithParent, signalReady } from '../lib/proc.js';

exitWithParent();
const key = createPublicKey(process.env.UMMAH_WEBHOOK_PUBLIC_KEY ?? '');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const signature = Buffer.from(String(req.headers['x-signature'] ?? '').trim(), 'base64');
    const ok = verify('sha256', Buffer.concat(chunks), key, signature);
    res.writeHead(ok ? 200 : 403, { 'content-length': '0' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  signalReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
