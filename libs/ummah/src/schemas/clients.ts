import { z } from 'zod';
import { epochSeconds, listResponseSchema } from './common.js';
import { clientDetailsRequestSchema } from './purchases.js';

// --- requests -----------------------------------------------------------------------------------------

/** `POST /clients/` and `PUT /clients/{id}/` (a full replacement: email is required). */
export const createClientRequestSchema = clientDetailsRequestSchema;
export type CreateClientRequest = z.input<typeof createClientRequestSchema>;

export const updateClientRequestSchema = clientDetailsRequestSchema;
export type UpdateClientRequest = z.input<typeof updateClientRequestSchema>;

/** `PATCH /clients/{id}/`: any subset of the client fields. */
export const patchClientRequestSchema = clientDetailsRequestSchema.partial();
export type PatchClientRequest = z.input<typeof patchClientRequestSchema>;

// --- responses ----------------------------------------------------------------------------------------

export const clientSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  email: z.string().nullable().optional(),
  full_name: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  street_address: z.string().nullable().optional(),
  country: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  zip_code: z.string().nullable().optional(),
  is_test: z.boolean().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
});
export type Client = z.infer<typeof clientSchema>;

export const clientListSchema = listResponseSchema(clientSchema);
export type ClientList = z.infer<typeof clientListSchema>;

/**
 * A saved payment method of a client. The seed names its id `id`; CHIP also gives `recurring_token`
 * (the id of the purchase that saved it, which is what `POST /purchases/{id}/charge/` takes).
 */
export const recurringTokenSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  recurring_token: z.string().optional(),
  payment_method: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  is_test: z.boolean().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
});
export type RecurringToken = z.infer<typeof recurringTokenSchema>;

export const recurringTokenListSchema = listResponseSchema(recurringTokenSchema);
export type RecurringTokenList = z.infer<typeof recurringTokenListSchema>;
