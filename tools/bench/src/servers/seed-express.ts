/**
 * Baseline (c): the reference handler from the Ummah webhook verification guide (seeds/000, "Webhook
 * Handler"), as published: Express, `express.raw({ type: 'application/json' })`, and `crypto.createVerify`
 * with the PEM text on every request (so OpenSSL parses the key each time).
 * One change: the guide's `console.log('Event received:', event.type)` is left out, so the baseline does
 * less work than the original and the ratios against it are conservative.
 */
import crypto from 'node:crypto';
import express from 'express';
import { exitWithParent, signalReady } from '../lib/proc.js';

exitWithParent();
const app = express();
const PUBLIC_KEY_PEM = process.env.UMMAH_WEBHOOK_PUBLIC_KEY as string; // PEM text (from Webhook.public_key or GET /public_key/)

// IMPORTANT: use raw body parser — do NOT use express.json() here
app.post('/webhook', express.raw({ type: 'application/json' }), (req, res) => {
  const sigHeader = req.headers['x-signature'] || '';
  const rawBody = req.body; // Buffer
  const sigB64 = String(sigHeader || '').trim();
  const signature = Buffer.from(sigB64, 'base64');

  const verifier = crypto.createVerify('RSA-SHA256');
  verifier.update(rawBody);
  verifier.end();

  const ok = verifier.verify(PUBLIC_KEY_PEM, signature);
  if (!ok) return res.status(403).json({ error: 'Invalid signature' });

  const event = JSON.parse(rawBody.toString('utf8'));
  void event.type; // the guide logs it here
  // Process idempotently. Deliveries may be retried.
  res.sendStatus(200);
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  signalReady({ port: typeof address === 'object' && address ? address.port : 0 });
});
