import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import { defineGateway } from '@tijara/sandbox';

/** A charge of the fake gateway: pending until the control API says it succeeded, expired after a minute. */
interface Charge {
  id: string;
  status: 'pending' | 'succeeded' | 'expired';
  amount: number;
  callback_url: string;
  expires_at_ms: number;
}

/** `<timestamp>:<hex HMAC-SHA256 of "<timestamp>:<body>">` — a signature that must be fresh on every attempt. */
export function fakeSignature(secret: string, timestamp: number, body: string): string {
  return `${timestamp}:${createHmac('sha256', secret).update(`${timestamp}:${body}`).digest('hex')}`;
}

/**
 * A gateway as small as one can be, written only against the module interface: its own routes under `/fakepay`,
 * a page, a table of its own (through a migration), a signer that signs each attempt afresh, a control action,
 * a timer on the sandbox clock. The sandbox serves it next to Ummah without a change to the engine
 * (test/gateway-modules.test.ts).
 */
export const fakeGateway = defineGateway({
  name: 'fakepay',
  mount: '/fakepay',
  migrations: [
    {
      version: 1,
      description: 'a counter table of its own',
      up: (db) => db.exec('CREATE TABLE fakepay_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)'),
    },
  ],
  create(services, options) {
    const given = (options as { secret?: string } | undefined)?.secret;
    const secret = given ?? services.meta.get('secret') ?? `fk_${randomBytes(12).toString('hex')}`;
    services.meta.set('secret', secret);
    services.protectSecret(secret);
    const charges = services.objects;
    const count = () =>
      Number(
        (
          services.db.prepare(`SELECT value FROM fakepay_counters WHERE name = 'charges'`).get() as
            { value: number } | undefined
        )?.value ?? 0,
      );

    const router = express.Router();
    router.use(express.json());
    router.post('/charges', (req, res) => {
      const body = req.body as { amount?: unknown; callback_url?: unknown };
      if (typeof body.amount !== 'number' || typeof body.callback_url !== 'string') {
        res.status(400).json({ error: { code: 'invalid_request' } });
        return;
      }
      const charge = charges.put<Charge>('charge', {
        id: randomUUID(),
        status: 'pending',
        amount: body.amount,
        callback_url: body.callback_url,
        expires_at_ms: services.clock.nowMs() + 60_000,
      });
      services.db
        .prepare(
          `INSERT INTO fakepay_counters (name, value) VALUES ('charges', 1)
           ON CONFLICT (name) DO UPDATE SET value = value + 1`,
        )
        .run();
      res.status(201).json({ ...charge, pay_url: `${services.urls.gateway(req)}/pay/${charge.id}` });
    });
    router.get('/charges/:id', (req, res) => {
      const charge = charges.get<Charge>('charge', String(req.params['id']));
      if (charge) res.json(charge);
      else res.status(404).json({ error: { code: 'not_found' } });
    });
    router.get('/stats', (_req, res) => {
      res.json({ charges: count() });
    });
    router.get('/pay/:id', (req, res) => {
      res
        .type('html')
        .send(`<!doctype html><title>Fakepay</title><h1 id="charge">${String(req.params['id'])}</h1>`);
    });

    const control = express.Router();
    control.post('/charges/:id/succeed', (req, res) => {
      const charge = charges.get<Charge>('charge', String(req.params['id']));
      if (!charge || charge.status !== 'pending') {
        res.status(409).json({ error: 'not pending' });
        return;
      }
      charge.status = 'succeeded';
      charges.put('charge', charge);
      services.deliveries.enqueue({
        kind: 'hook',
        url: charge.callback_url,
        event: 'charge.succeeded',
        eventId: randomUUID(),
        source: { type: 'charge', id: charge.id },
        body: JSON.stringify({ type: 'charge.succeeded', charge }),
        signer: 'secret',
      });
      res.json(charge);
    });

    return {
      router,
      control,
      sign: (delivery, sentAt) => ({ 'x-fake-signature': fakeSignature(secret, sentAt, delivery.body) }),
      retryDelaysMinutes: [0, 1, 5],
      timer: {
        nextDueMs: () => {
          const pending = charges.list<Charge>('charge', { '$.status': 'pending' });
          return pending.length === 0 ? undefined : Math.min(...pending.map((c) => c.expires_at_ms));
        },
        runDue: () => {
          for (const charge of charges.list<Charge>('charge', { '$.status': 'pending' })) {
            if (charge.expires_at_ms <= services.clock.nowMs())
              charges.put('charge', { ...charge, status: 'expired' });
          }
        },
      },
      info: (req) => ({ baseUrl: services.urls.gateway(req), secret }),
      handle: { secret },
    };
  },
});
