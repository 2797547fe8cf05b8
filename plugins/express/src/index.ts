export * from './ledger/types.js';
export { SqliteLedger, type SqliteLedgerOptions } from './ledger/sqlite-ledger.js';
export { PostgresLedger, postgresLedgerSchemaSql, type PostgresLedgerOptions } from './ledger/postgres-ledger.js';
export { openBackends, type BackendOptions, type Backends } from './ledger/open-backends.js';
