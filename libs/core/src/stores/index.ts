export * from './types.js';
export { MemoryEventStore, MemoryLockStore, type MemoryLockStoreOptions } from './memory.js';
export {
  SqliteEventStore,
  SqliteLockStore,
  createSqliteStores,
  openSqliteDatabase,
  type SqliteStoreOptions,
} from './sqlite.js';
export {
  RedisEventStore,
  RedisLockStore,
  createRedisStores,
  DEFAULT_REDIS_PREFIX,
  type RedisStoreOptions,
} from './redis.js';
export {
  PostgresEventStore,
  PostgresLockStore,
  createPostgresStores,
  postgresStoreSchemaSql,
  POSTGRES_STORE_SCHEMA_SQL,
  type PostgresStoreOptions,
} from './postgres.js';
export { DEFAULT_TABLE_PREFIX, type TableNameOptions } from './table-names.js';
export {
  createStores,
  parseStoreUrl,
  safeStoreUrl,
  type CreateStoresOptions,
  type ParsedStoreUrl,
  type StoreBackend,
} from './create-stores.js';
