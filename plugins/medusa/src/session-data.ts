import {
  InvalidRequestError,
  type CaptureMode,
  type NextAction,
  type Payment,
  type PaymentStatus,
} from '@tijara/core';
import { z } from 'zod';

/**
 * What the plugin keeps in a Medusa payment session's `data`. Medusa shows session data to the storefront, so it
 * holds ids, amounts and what the buyer must do next — never a key, a signature or a saved-card token. Medusa
 * replaces the stored data with what a provider returns, so every answer carries all of it.
 */
export interface SessionData {
  /** Which Tijara gateway wrote it (the reconcile job looks for it). */
  readonly tijara_gateway: string;
  /** The Medusa payment session; also the gateway payment's `reference`. */
  readonly session_id: string;
  /** The gateway's payment id. */
  readonly id: string;
  /** Core's normalized status as last read from the gateway. */
  readonly status: PaymentStatus;
  /** The amount asked for, in minor units of `currency`. */
  readonly amount: number;
  readonly currency: string;
  readonly capture: CaptureMode;
  /** What the buyer must do next (a redirect to the hosted page, a widget, or nothing). */
  readonly next_action: NextAction;
  /** The hosted page for a GET redirect, when that is the next action. */
  readonly redirect_url?: string;
  readonly captured_amount: number;
  readonly refunded_amount: number;
  readonly test_mode: boolean;
  /** Card display data when the payment saved a method (no token). */
  readonly saved_method?: {
    readonly brand?: string;
    readonly last4?: string;
    readonly expiry_month?: number;
    readonly expiry_year?: number;
  };
}

const storedSchema = z.object({
  tijara_gateway: z.string(),
  session_id: z.string().min(1),
  id: z.string().min(1),
  amount: z.number().int().nonnegative(),
  currency: z.string().length(3),
  capture: z.enum(['automatic', 'manual']),
});

export type StoredPayment = z.infer<typeof storedSchema>;

/** The gateway payment a session points at, or undefined for a session the plugin never started. */
export function storedPayment(
  data: Record<string, unknown> | undefined,
  gateway: string,
): StoredPayment | undefined {
  if (!data || data['id'] === undefined) return undefined;
  const parsed = storedSchema.safeParse(data);
  if (!parsed.success || parsed.data.tijara_gateway !== gateway) {
    throw new InvalidRequestError(`The payment session data was not written by the ${gateway} provider`, {
      gateway,
      code: 'invalid_session_data',
    });
  }
  return parsed.data;
}

export interface SnapshotBase {
  readonly gateway: string;
  readonly sessionId: string;
  readonly amount: number;
  readonly currency: string;
  readonly capture: CaptureMode;
}

/** The session data for a payment as read (or created) just now. */
export function snapshotOf(payment: Payment, base: SnapshotBase): SessionData {
  const saved = payment.savedMethod;
  const next = payment.nextAction;
  return {
    tijara_gateway: base.gateway,
    session_id: base.sessionId,
    id: payment.id,
    status: payment.status,
    amount: base.amount,
    currency: base.currency,
    capture: base.capture,
    next_action: next,
    ...(next.type === 'redirect' && next.method === 'GET' ? { redirect_url: next.url } : {}),
    captured_amount: payment.capturedAmount,
    refunded_amount: payment.refundedAmount,
    test_mode: payment.testMode,
    ...(saved
      ? {
          saved_method: {
            ...(saved.brand ? { brand: saved.brand } : {}),
            ...(saved.last4 ? { last4: saved.last4 } : {}),
            ...(saved.expiryMonth ? { expiry_month: saved.expiryMonth } : {}),
            ...(saved.expiryYear ? { expiry_year: saved.expiryYear } : {}),
          },
        }
      : {}),
  };
}

/** A Medusa address as the storefront has it on the cart. */
const addressSchema = z.object({
  first_name: z.string().max(128).nullish(),
  last_name: z.string().max(128).nullish(),
  address_1: z.string().min(1).max(255),
  address_2: z.string().max(255).nullish(),
  city: z.string().min(1).max(128),
  province: z.string().max(128).nullish(),
  postal_code: z.string().max(32).nullish(),
  country_code: z.string().length(2),
  phone: z.string().max(32).nullish(),
});

export type StorefrontAddress = z.infer<typeof addressSchema>;

/** What a storefront may put in `data` when it creates a session. Everything else it sends is ignored. */
const storefrontSchema = z.object({
  email: z.email().optional(),
  name: z.string().max(128).optional(),
  phone: z.string().max(32).optional(),
  /** A saved method (from the store route) to charge without a redirect. */
  payment_method_id: z.string().min(1).max(128).optional(),
  /** Ask the gateway to keep the card for the logged-in customer. */
  save_method: z.boolean().optional(),
  /** Where the gateway sends the buyer back; must be on an allowed origin. */
  return_url: z.url().optional(),
  /** The cart's addresses, for gateways that need them (Postpay wants the shipping address). */
  shipping_address: addressSchema.optional(),
  billing_address: addressSchema.optional(),
});

export type StorefrontInput = z.infer<typeof storefrontSchema>;

export function storefrontInput(data: Record<string, unknown> | undefined, gateway: string): StorefrontInput {
  const picked = Object.fromEntries(
    Object.entries(data ?? {}).filter(([key]) => key in storefrontSchema.shape),
  );
  const parsed = storefrontSchema.safeParse(picked);
  if (!parsed.success) {
    const details: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.') || 'data';
      (details[key] ??= []).push(issue.message);
    }
    throw new InvalidRequestError(
      `Invalid payment session data: ${Object.entries(details)
        .map(([key, messages]) => `${key}: ${messages.join(', ')}`)
        .join('; ')}`,
      { gateway, code: 'invalid_session_data', details },
    );
  }
  return parsed.data;
}
