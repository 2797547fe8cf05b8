import { z } from 'zod';
import { choice, epochSeconds, listResponseSchema, optionalString, statusOnlySchema } from './common.js';

export const STATEMENT_FORMATS = ['csv', 'xlsx'] as const;

// --- requests -----------------------------------------------------------------------------------------

/** Filters for balance and turnover reports; forwarded as given. */
export const accountReportQuerySchema = z.looseObject({
  currency: optionalString(3),
  from: z.union([z.number(), z.string()]).optional(),
  to: z.union([z.number(), z.string()]).optional(),
});
export type AccountReportQuery = z.input<typeof accountReportQuerySchema>;

/** `POST /company_statements/` */
export const createCompanyStatementRequestSchema = z.looseObject({
  format: choice(STATEMENT_FORMATS),
  timezone: optionalString(64),
  query_string: optionalString(2000),
});
export type CreateCompanyStatementRequest = z.input<typeof createCompanyStatementRequestSchema>;

// --- responses ----------------------------------------------------------------------------------------

export const balanceEntrySchema = z.looseObject({ currency: z.string(), amount: z.number() });

/** `GET /balance/` and `GET /account/json/balance/`: `{balance: [{currency, amount}]}`; more fields pass through. */
export const balanceSchema = z.looseObject({ balance: z.array(balanceEntrySchema).optional() });
export type Balance = z.infer<typeof balanceSchema>;

export const turnoverEntrySchema = z.looseObject({
  currency: z.string(),
  paid_amount: z.number().optional(),
  period: z.string().optional(),
});

/** `GET /account/json/turnover/` */
export const turnoverSchema = z.looseObject({ turnover: z.array(turnoverEntrySchema).optional() });
export type Turnover = z.infer<typeof turnoverSchema>;

export const companyStatementSchema = z.looseObject({
  id: z.string(),
  type: z.string().optional(),
  format: z.string().optional(),
  status: z.string().optional(),
  download_url: z.string().nullable().optional(),
  timezone: z.string().nullable().optional(),
  query_string: z.string().nullable().optional(),
  created_on: epochSeconds.optional(),
  updated_on: epochSeconds.optional(),
});
export type CompanyStatement = z.infer<typeof companyStatementSchema>;

export const companyStatementListSchema = listResponseSchema(companyStatementSchema);
export type CompanyStatementList = z.infer<typeof companyStatementListSchema>;

/** The seed answers a statement cancel with `{"status": "cancelled"}`; CHIP with the statement itself. */
export const companyStatementCancelResponseSchema = z.union([companyStatementSchema, statusOnlySchema]);
export type CompanyStatementCancelResponse = z.infer<typeof companyStatementCancelResponseSchema>;
