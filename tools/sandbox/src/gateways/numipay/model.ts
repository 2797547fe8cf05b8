import { randomInt } from 'node:crypto';

export type TransactionType = 'deposit' | 'withdrawal';
export type TransactionStatus = 'pending' | 'successful' | 'rejected' | 'cancelled';

/** The `request` envelope as the sandbox keeps it: no card data, ever (only its last four digits). */
export interface RequestFields {
  mode: 'test' | 'live';
  user_id: string;
  tracking_id: string;
  ip?: string;
  /** Minor units. */
  amount: number;
  currency: string;
  settings: Record<string, unknown>;
  customer?: Record<string, unknown>;
}

/** A cashier (or direct) session, opened by a token, before the buyer or payee acts. */
export interface Session {
  id: string;
  type: TransactionType;
  flow: 'cashier' | 'direct';
  provider_id?: number;
  request: RequestFields;
  /** The transaction the session made, once the buyer acted. */
  transaction_id?: string;
  created_ms: number;
}

export interface Transaction {
  id: string;
  type: TransactionType;
  status: TransactionStatus;
  rejected_reason: string | null;
  request: RequestFields;
  provider: string;
  /** Card payments: the last four digits, the only card data kept. */
  card_last4?: string;
  /** A card payment waiting at the 3-D Secure page. */
  three_ds?: boolean;
  /** A payout the merchant approved: it stays `pending` until the provider has paid out (`payout_due_ms`). */
  approved?: boolean;
  payout_due_ms?: number;
  created_ms: number;
  updated_ms: number;
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Shaped like the seed's `r21nmrtpcmrcava`. */
export const newTransactionId = () => randomString(LOWER, 15);
/** Shaped like the seed's cashier token. */
export const newToken = () => randomString(ALNUM, 50);

/** `2024-07-05 11:53:25`, as the transactions list writes dates. */
export function listDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The day (`DD-MM-YYYY`) an instant falls on, in UTC. */
export function dayOf(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getUTCDate()).padStart(2, '0')}-${String(date.getUTCMonth() + 1).padStart(2, '0')}-${date.getUTCFullYear()}`;
}

/** Midnight UTC of a `DD-MM-YYYY` day, or undefined for anything else. */
export function parseDay(value: string): number | undefined {
  const match = /^(\d{2})-(\d{2})-(\d{4})$/.exec(value);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[3]), Number(match[2]) - 1, Number(match[1]));
  return dayOf(ms) === value ? ms : undefined;
}

/** Test cards of the server-to-server flow; any other valid card is approved without a challenge. */
export const TEST_CARDS: Readonly<
  Record<string, { readonly outcome: 'three_ds' | 'rejected'; readonly reason?: string }>
> = {
  '4111111111111111': { outcome: 'three_ds' },
  '4000000000000002': { outcome: 'rejected', reason: 'Insufficient funds' },
  '4000000000000069': { outcome: 'rejected', reason: 'Expired card' },
};
