import type { Logger } from '@tijara/core';
import { z } from 'zod';
import type { SandboxClock } from '../../engine/clock.js';
import type { Timer } from '../../engine/scheduler.js';
import { ApiError, conflict } from './api-errors.js';
import { DELAYED_ACTIONS, type PurchaseRecord, type ScheduledStep } from './purchase-model.js';
import { LATER_LIFE_FROM, type PurchaseService } from './purchases.js';

/**
 * `POST /__sandbox/ummah/purchases/{id}/delay`: the purchase's next `action` takes `seconds` on the acquirer's
 * side, going through `pending_<action>` first (seed 004).
 */
export const delaySchema = z
  .object({
    action: z.enum(DELAYED_ACTIONS),
    seconds: z
      .number()
      .min(0)
      .max(365 * 86_400)
      .default(60),
    outcome: z.enum(['success', 'failure']).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.outcome !== undefined && body.action !== 'execute' && body.action !== 'charge') {
      ctx.addIssue({
        code: 'custom',
        path: ['outcome'],
        message: 'Only a payment (execute or charge) can fail.',
      });
    }
  });

/** `POST …/clear`, `…/settle`: now, or `seconds` later on the sandbox clock. */
export const laterLifeSchema = z.object({
  seconds: z
    .number()
    .min(0)
    .max(365 * 86_400)
    .optional(),
});

/** `POST …/chargeback`: all that is left of the capture, or `amount`; now or later. */
export const chargebackSchema = laterLifeSchema.extend({ amount: z.int().min(1).optional() });

/**
 * Ummah's later life, driven through the control API and the sandbox clock: slow acquirer steps
 * (`pending_execute`, `pending_charge`, `pending_capture`, `pending_release`, `pending_refund`), clearing,
 * settlement and chargebacks — each with its webhook.
 */
export class PurchaseLifecycle implements Timer {
  private readonly purchases: PurchaseService;
  private readonly clock: SandboxClock;
  private readonly logger: Logger;

  constructor(purchases: PurchaseService, clock: SandboxClock, logger: Logger) {
    this.purchases = purchases;
    this.clock = clock;
    this.logger = logger;
  }

  delay(id: string, body: z.output<typeof delaySchema>): Record<string, unknown> {
    const delay = { seconds: body.seconds, ...(body.outcome ? { outcome: body.outcome } : {}) };
    this.purchases.arm(id, body.action, delay);
    return { purchase_id: id, action: body.action, ...delay };
  }

  /** Clear, settle or charge back now (answering the purchase), or schedule it (answering the step). */
  later(
    id: string,
    action: 'clear' | 'settle' | 'chargeback',
    body: { seconds?: number | undefined; amount?: number | undefined },
  ): unknown {
    if (body.seconds === undefined) {
      const record: PurchaseRecord =
        action === 'chargeback'
          ? this.purchases.chargeback(id, body.amount)
          : action === 'clear'
            ? this.purchases.clear(id)
            : this.purchases.settle(id);
      return record.object;
    }
    const record = this.purchases.get(id);
    if (!LATER_LIFE_FROM[action].has(record.object.status)) {
      throw conflict(`Cannot ${action} a purchase with status "${record.object.status}".`);
    }
    const step = this.purchases.schedule(
      { action, ...(body.amount === undefined ? {} : { amount: body.amount }) },
      id,
      body.seconds,
    );
    return { scheduled: view(step) };
  }

  nextDueMs(): number | undefined {
    return this.purchases.nextStepDueMs();
  }

  runDue(): void {
    for (const step of this.purchases.dueSteps(this.clock.nowMs())) {
      try {
        this.purchases.completeStep(step);
      } catch (error) {
        // A scheduled status the purchase can no longer take (it was refunded, charged back…) is dropped.
        if (!(error instanceof ApiError)) throw error;
        this.logger.warn(
          { purchase: step.purchase_id, action: step.action, reason: error.message },
          'sandbox: scheduled step no longer applies',
        );
      }
    }
  }
}

function view(step: ScheduledStep): Record<string, unknown> {
  return {
    purchase_id: step.purchase_id,
    action: step.action,
    due_on: Math.floor(step.due_ms / 1000),
    ...(step.amount === undefined ? {} : { amount: step.amount }),
  };
}
