import { randomInt } from 'node:crypto';

/** A payment as Uhmi answers it (seed 001), plus what the sandbox keeps beside it. */
export interface UhmiPaymentObject {
  payment_id: string;
  status: 'active';
  /** ISO 8601 with `+00:00`, as the seed writes it. */
  created_at: string;
  type: 'content' | 'donation' | 'subscription';
  title: string;
  /** Decimal euros. */
  price: number;
  pwyw: boolean;
  category: string | null;
  refundable: boolean;
  repeatable: boolean;
  cover: string | null;
  metadata: Record<string, unknown>;
  success_url: string | null;
  interval?: string;
  interval_count?: number;
  trial_days?: number;
}

export type TransactionStatus = 'open' | 'paid' | 'failed' | 'refunded';

/** A transaction answers the payment's fields with its own status, id and price (what the buyer paid). */
export interface UhmiTransactionObject extends Omit<UhmiPaymentObject, 'status'> {
  transaction_id: string;
  status: TransactionStatus;
}

/** Stored rows: the engine's object store wants an `id`. */
export interface PaymentRecord {
  id: string;
  object: UhmiPaymentObject;
}

export interface TransactionRecord {
  id: string;
  object: UhmiTransactionObject;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Shaped like the seed's `07LygN2WrLPjX1FOnqHfs5xuxcuAwK`. */
export const newPaymentId = () => randomString(ALNUM, 30);
/** Shaped like the seed's `V2LBXVPKH86ERIRSY`. */
export const newTransactionId = () => randomString(UPPER, 17);

/** `2021-01-22T15:16:25+00:00` */
export function uhmiTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}
