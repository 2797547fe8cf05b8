import { z } from 'zod';
import { orderSummarySchema } from './orders.js';
import { pageSchema } from './common.js';

/** Seed 003's four kinds of settlement transaction. */
export const TRANSACTION_TYPES = ['order', 'refund', 'instalment', 'regularization'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/**
 * One line of what Postpay pays out: `amount` less the fees (`fee_amount` fixed, `fee_rate` and `fee_tax_rate` in
 * hundredths of a percent) is `total_amount`. Refunds and regularizations may be negative. `paid` is null until the
 * payment cycle that pays it.
 */
export const transactionSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  currency: z.string().length(3),
  amount: z.int(),
  fee_amount: z.int().nullish(),
  fee_rate: z.int().nullish(),
  fee_tax_rate: z.int().nullish(),
  total_amount: z.int(),
  description: z.string().nullish(),
  created: z.string().nullish(),
  paid: z.string().nullish(),
  order: orderSummarySchema.nullish(),
});
export type Transaction = z.infer<typeof transactionSchema>;

export const transactionPageSchema = pageSchema(transactionSchema);
export type TransactionPage = z.infer<typeof transactionPageSchema>;
