import crypto from 'node:crypto';
import express from 'express';
const key = crypto.createPublicKey(process.env.UMMAH_WEBHOOK_PUBLIC_KEY as string);
const app = express();
const mode = process.argv[2];
if (mode === 'raw') {
  app.post('/webhook', express.raw({ type: 'application/json' }), (req, res) => {
    const ok = crypto.verify('sha256', req.body, key, Buffer.from(String(req.headers['x-signature']), 'base64'));
    res.sendStatus(ok ? 200 : 403);
  });
} else {
  app.post('/webhook', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok = crypto.verify('sha256', Buffer.concat(chunks), key, Buffer.from(String(req.headers['x-signature']), 'base64'));
      res.statusCode = ok ? 200 : 403; res.end();
    });
  });
}
const server = app.listen(0, '127.0.0.1', () => { process.stdout.write(`READY ${JSON.stringify({ port: (server.address() as any).port })}\n`); });
