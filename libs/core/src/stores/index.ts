export * from './types.js';
export { MemoryEventStore, MemoryLockStore, type MemoryLockStoreOptions } from './memory.js';
export {
  SqliteEventStore,
  SqliteLockStore,
  createSqliteStores,
  openSqliteDatabase,
  type SqliteStoreOptions,
} from './sqlite.js';
// Redis and PostgreSQL stores have entry points of their own (`@tijara/core/stores/redis`,
// `@tijara/core/stores/postgres`), so that importing @tijara/core needs neither `ioredis` nor `pg`.
export { DEFAULT_TABLE_PREFIX, type TableNameOptions } from './table-names.js';
export {
  createStores,
  parseStoreUrl,
  safeStoreUrl,
  type CreateStoresOptions,
  type ParsedStoreUrl,
  type StoreBackend,
} from './create-stores.js';
