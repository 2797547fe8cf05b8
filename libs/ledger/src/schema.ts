/**
 * Table names and the versioned migrations. Each migration runs once per database, recorded in
 * `<prefix>migrations`; concurrent start-ups serialise on the database (SQLite's write lock, PostgreSQL's
 * advisory transaction lock), so the second process finds the work done.
 */
import { ConfigurationError } from '@tijara/core';
import type { DialectName } from './sql/statement.js';

export const DEFAULT_LEDGER_TABLE_PREFIX = 'tijara_ledger_';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export interface LedgerTables {
  readonly prefix: string;
  readonly schema: string | undefined;
  readonly migrations: string;
  readonly payments: string;
  readonly operations: string;
  readonly outbox: string;
  readonly events: string;
  readonly savedMethods: string;
}

/** Names are spliced into SQL, so only plain lower-case identifiers are accepted. */
export function ledgerTables(prefix = DEFAULT_LEDGER_TABLE_PREFIX, schema?: string): LedgerTables {
  if (!IDENTIFIER.test(prefix) || prefix.length > 40) {
    throw new ConfigurationError(
      `Invalid ledger table prefix "${prefix}": use lower-case letters, digits and _ (at most 40)`,
    );
  }
  if (schema !== undefined && (!IDENTIFIER.test(schema) || schema.length > 63)) {
    throw new ConfigurationError(`Invalid ledger schema "${schema}": use lower-case letters, digits and _`);
  }
  const q = (name: string) => (schema === undefined ? `${prefix}${name}` : `${schema}.${prefix}${name}`);
  return {
    prefix,
    schema,
    migrations: q('migrations'),
    payments: q('payments'),
    operations: q('operations'),
    outbox: q('outbox'),
    events: q('events'),
    savedMethods: q('saved_methods'),
  };
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The statements, in order; they run in one transaction with the record of the migration. */
  up(dialect: DialectName, t: LedgerTables): readonly string[];
}

/** Index names are not schema-qualified (PostgreSQL puts an index in its table's schema). */
const bare = (t: LedgerTables, name: string) => `${t.prefix}${name}`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'payments, operations, outbox, events, saved methods',
    up: (dialect, t) => {
      const big = dialect === 'sqlite' ? 'INTEGER' : 'BIGINT';
      const serial =
        dialect === 'sqlite'
          ? 'INTEGER PRIMARY KEY AUTOINCREMENT'
          : 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY';
      return [
        `CREATE TABLE ${t.payments} (
          key TEXT PRIMARY KEY,
          gateway TEXT NOT NULL,
          payment_id TEXT,
          order_id TEXT NOT NULL,
          attempt INTEGER NOT NULL,
          amount ${big} NOT NULL,
          currency TEXT NOT NULL,
          capture_mode TEXT NOT NULL,
          status TEXT NOT NULL,
          captured_amount ${big} NOT NULL DEFAULT 0,
          refunded_amount ${big} NOT NULL DEFAULT 0,
          authorization_expires_at ${big},
          customer_key TEXT,
          next_action TEXT,
          idempotency_key TEXT,
          metadata TEXT NOT NULL DEFAULT '{}',
          version ${big} NOT NULL DEFAULT 0,
          created_at ${big} NOT NULL,
          updated_at ${big} NOT NULL,
          UNIQUE (gateway, payment_id),
          UNIQUE (order_id, attempt)
        )`,
        `CREATE INDEX ${bare(t, 'payments_status_idx')} ON ${t.payments} (status, created_at)`,
        `CREATE TABLE ${t.operations} (
          id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          payment_key TEXT NOT NULL REFERENCES ${t.payments} (key),
          order_id TEXT NOT NULL,
          amount ${big},
          currency TEXT NOT NULL,
          status TEXT NOT NULL,
          gateway_id TEXT,
          reason TEXT,
          failure TEXT,
          metadata TEXT NOT NULL DEFAULT '{}',
          created_at ${big} NOT NULL,
          updated_at ${big} NOT NULL
        )`,
        `CREATE INDEX ${bare(t, 'operations_payment_idx')} ON ${t.operations} (payment_key, kind)`,
        `CREATE TABLE ${t.outbox} (
          sequence ${serial},
          id TEXT NOT NULL UNIQUE,
          topic TEXT NOT NULL,
          stream TEXT NOT NULL,
          payload TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'pending',
          attempts INTEGER NOT NULL DEFAULT 0,
          available_at ${big} NOT NULL,
          lease_owner TEXT,
          lease_until ${big},
          fence ${big} NOT NULL DEFAULT 0,
          last_error TEXT,
          created_at ${big} NOT NULL,
          delivered_at ${big}
        )`,
        // Open messages only: what a stream still has to hand over stays a tiny index however long the history.
        `CREATE INDEX ${bare(t, 'outbox_open_idx')} ON ${t.outbox} (stream, sequence) WHERE status <> 'delivered'`,
        `CREATE INDEX ${bare(t, 'outbox_due_idx')} ON ${t.outbox} (available_at, sequence) WHERE status = 'pending'`,
        `CREATE TABLE ${t.events} (
          key TEXT PRIMARY KEY,
          stream TEXT,
          expires_at ${big} NOT NULL
        )`,
        `CREATE INDEX ${bare(t, 'events_expires_idx')} ON ${t.events} (expires_at)`,
        `CREATE TABLE ${t.savedMethods} (
          id TEXT PRIMARY KEY,
          customer_key TEXT NOT NULL,
          gateway TEXT NOT NULL,
          token TEXT NOT NULL,
          brand TEXT,
          last4 TEXT,
          expiry_month INTEGER,
          expiry_year INTEGER,
          holder_name TEXT,
          source_payment_id TEXT NOT NULL,
          created_at ${big} NOT NULL,
          UNIQUE (customer_key, gateway, token)
        )`,
      ];
    },
  },
];
