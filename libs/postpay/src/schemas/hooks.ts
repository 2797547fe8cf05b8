import { z } from 'zod';
import {
  choice,
  httpUrl,
  messages,
  optionalBoolean,
  pageSchema,
  requiredString,
  typeError,
} from './common.js';

/** What a hook can be triggered for. */
export const HOOK_EVENTS = ['order', 'transaction'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

const events = () =>
  z.array(choice(HOOK_EVENTS), { error: typeError(messages.list) }).min(1, { error: messages.emptyList });

/** `POST /hooks`: the secret keys the HMAC of every delivery's `X-Postpay-Signature`. */
export const createHookRequestSchema = z.object({
  events: events(),
  url: httpUrl(),
  secret: requiredString(),
  active: optionalBoolean(),
});
export type CreateHookRequest = z.input<typeof createHookRequestSchema>;

/** `PATCH /hooks/{hook_id}`: only what changes. */
export const patchHookRequestSchema = z.object({
  events: events().optional(),
  url: httpUrl().optional(),
  secret: requiredString().optional(),
  active: optionalBoolean(),
});
export type PatchHookRequest = z.input<typeof patchHookRequestSchema>;

/** A hook as the API shows it; the secret is never shown back. */
export const hookSchema = z.looseObject({
  id: z.string().min(1),
  active: z.boolean(),
  events: z.array(z.string()),
  url: z.string(),
  last_response: z.looseObject({ code: z.int().nullable(), status: z.string() }).nullish(),
  created: z.string().nullish(),
  modified: z.string().nullish(),
});
export type Hook = z.infer<typeof hookSchema>;

export const hookPageSchema = pageSchema(hookSchema);
export type HookPage = z.infer<typeof hookPageSchema>;
