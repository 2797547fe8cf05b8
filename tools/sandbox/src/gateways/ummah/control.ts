import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '@tijara/core';
import { z } from 'zod';
import type { SandboxClock } from '../../engine/clock.js';
import { zodBadRequest } from './api-errors.js';
import type { CardInput } from './cards.js';
import type { UmmahConfig } from './config.js';
import { errorReply, sendReply } from './endpoints.js';
import type { UmmahEvents } from './events.js';
import { chargebackSchema, delaySchema, laterLifeSchema, type PurchaseLifecycle } from './lifecycle.js';
import type { PurchaseService } from './purchases.js';

/** `POST /__sandbox/ummah/purchases/{id}/pay`: what the buyer would type on the checkout page. */
export const controlPaySchema = z.object({
  card_number: z.string().min(1),
  remember_card: z.boolean().default(false),
  /** MM/YY; defaults to December five years ahead. */
  expiry: z.string().optional(),
  expires: z.string().optional(),
  /** Defaults to 123 (which CHIP's 4444 3333 2222 1111 requires). */
  cvc: z.string().optional(),
  cardholder_name: z.string().optional(),
  /** Outcome of the 3-D Secure step for the challenge card (default: pass). */
  challenge: z.enum(['pass', 'fail']).default('pass'),
});

/** `POST /__sandbox/ummah/brand`: the name a store registers for its hosted pages. */
export const brandSchema = z.object({ name: z.string().trim().min(1).max(128) });

type Handler = (req: Request, res: Response) => unknown;

export interface UmmahControlDeps {
  readonly purchases: PurchaseService;
  readonly lifecycle: PurchaseLifecycle;
  readonly events: UmmahEvents;
  readonly config: UmmahConfig;
  readonly clock: SandboxClock;
  readonly logger: Logger;
  /** Persist a changed brand name. */
  readonly saveBrandName: (name: string) => void;
}

/**
 * Ummah's control actions: paying a purchase as a buyer would (the checkout page's own code path), its later
 * life (slow acquirer steps, clearing, settlement, chargebacks), listing purchases and events, naming the
 * merchant. Answers and errors are in the API's shapes.
 */
export function ummahControl(deps: UmmahControlDeps): { control: Router; legacyControl: Router } {
  const { purchases, lifecycle, events, config, clock, logger } = deps;
  const route = (handler: Handler) => async (req: Request, res: Response) => {
    try {
      const result = await handler(req, res);
      if (!res.headersSent) res.status(200).json(result);
    } catch (error) {
      sendReply(res, errorReply(logger, error));
    }
  };
  const parse = <T extends z.ZodType>(schema: T, value: unknown): z.output<T> => {
    const parsed = schema.safeParse(value ?? {}, { reportInput: true });
    if (!parsed.success) throw zodBadRequest(parsed.error);
    return parsed.data;
  };

  const pay = route((req) => {
    const body = parse(controlPaySchema, req.body);
    const year = new Date(clock.nowMs()).getUTCFullYear() + 5;
    const input: CardInput = {
      card_number: body.card_number,
      expires: body.expiry ?? body.expires ?? `12/${String(year % 100).padStart(2, '0')}`,
      cvc: body.cvc ?? '123',
      cardholder_name: body.cardholder_name ?? 'Test Cardholder',
    };
    const id = String(req.params['id']);
    let outcome = purchases.attemptPayment(id, input, body.remember_card, 'payform');
    if (outcome.kind === 'challenge') {
      outcome = purchases.completeChallenge(id, outcome.challenge.id, body.challenge === 'pass');
    }
    return outcome.record.object;
  });
  const list = route(() => ({
    results: purchases
      .list()
      .reverse()
      .map((r) => r.object),
  }));
  const eventList = route(() => ({
    results: events.list().map(({ source_type: _t, source_id: _s, ...e }) => e),
  }));

  // Paths from before the sandbox served several gateways stay where scripts and tests expect them.
  const legacyControl = express.Router();
  legacyControl.post('/purchases/:id/pay', pay);
  legacyControl.get('/purchases', list);
  legacyControl.get('/events', eventList);

  const control = express.Router();
  control.post('/purchases/:id/pay', pay);
  control.get('/purchases', list);
  control.get('/events', eventList);
  control.post(
    '/purchases/:id/delay',
    route((req) => lifecycle.delay(String(req.params['id']), parse(delaySchema, req.body))),
  );
  control.post(
    '/purchases/:id/clear',
    route((req) => lifecycle.later(String(req.params['id']), 'clear', parse(laterLifeSchema, req.body))),
  );
  control.post(
    '/purchases/:id/settle',
    route((req) => lifecycle.later(String(req.params['id']), 'settle', parse(laterLifeSchema, req.body))),
  );
  control.post(
    '/purchases/:id/chargeback',
    route((req) =>
      lifecycle.later(String(req.params['id']), 'chargeback', parse(chargebackSchema, req.body)),
    ),
  );
  control.post(
    '/brand',
    route((req) => {
      const { name } = parse(brandSchema, req.body);
      config.brandName = name;
      deps.saveBrandName(name);
      return { brand_id: config.brandId, brand_name: name };
    }),
  );
  return { control, legacyControl };
}
