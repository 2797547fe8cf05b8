/**
 * Redis stores (ioredis), for several app instances sharing one Redis. Import them from
 * `@tijara/core/stores/redis` (or open them with `createStores('redis://…')`); `ioredis` is an optional peer
 * dependency, loaded when the first store connects. Dedupe is `SET NX PX`; a lock is a
 * key holding a random owner token, deleted by a compare-and-delete script so only its owner can release it.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { ConfigurationError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { assertKey, assertTtl, wholeMs, withLease, type LeaseBackend } from './lease.js';
import { requirePeer } from './optional-peer.js';
import type { EventStore, LockOptions, LockPollingOptions, LockStore, Stores } from './types.js';

export const DEFAULT_REDIS_PREFIX = 'tijara:';

const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RedisStoreOptions extends LockPollingOptions {
  /** `redis://` or `rediss://` URL; the store opens its own connection and closes it on `close()`. */
  readonly url?: string;
  /** An existing client to use instead of `url`. The store never closes it. */
  readonly client?: Redis;
  /** Extra ioredis options when the store opens the connection from `url`. */
  readonly redisOptions?: RedisOptions;
  /** Prepended to every key (default `tijara:`); events live under `<prefix>event:`, locks `<prefix>lock:`. */
  readonly prefix?: string;
  readonly logger?: Logger;
}

/** The client a store works on, and whether the store created it (and so must close it). */
interface Connection {
  readonly client: Redis;
  readonly owned: boolean;
}

function connect(options: RedisStoreOptions): Connection {
  if (options.client) return { client: options.client, owned: false };
  if (!options.url) throw new ConfigurationError('Redis store: pass either `url` or `client`');
  const { Redis: RedisClient } = requirePeer<{ Redis: typeof Redis }>('ioredis');
  const client = new RedisClient(options.url, options.redisOptions ?? {});
  const logger = options.logger ?? silentLogger;
  // Without a listener ioredis prints every connection error to the console; route them to the logger.
  client.on('error', (error: Error) => logger.warn({ store: 'redis', err: error }, 'redis connection error'));
  return { client, owned: true };
}

async function disconnect(connection: Connection): Promise<void> {
  if (!connection.owned || connection.client.status === 'end') return;
  try {
    await connection.client.quit();
  } catch {
    connection.client.disconnect();
  }
}

function normalize(options: RedisStoreOptions | string): RedisStoreOptions {
  return typeof options === 'string' ? { url: options } : options;
}

export class RedisEventStore implements EventStore {
  readonly #connection: Connection;
  readonly #prefix: string;
  #closed = false;

  /** `options` may be just the URL. */
  constructor(options: RedisStoreOptions | string) {
    const opts = normalize(options);
    this.#prefix = `${opts.prefix ?? DEFAULT_REDIS_PREFIX}event:`;
    this.#connection = connect(opts);
  }

  async rememberOnce(key: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    assertKey(key, 'rememberOnce');
    assertTtl(ttlMs, 'rememberOnce');
    const reply = await this.#connection.client.set(this.#prefix + key, '1', 'PX', wholeMs(ttlMs), 'NX');
    return reply === 'OK';
  }

  async has(key: string): Promise<boolean> {
    this.#assertOpen();
    return (await this.#connection.client.exists(this.#prefix + key)) > 0;
  }

  async forget(key: string): Promise<void> {
    this.#assertOpen();
    await this.#connection.client.del(this.#prefix + key);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await disconnect(this.#connection);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('RedisEventStore is closed');
  }
}

export class RedisLockStore implements LockStore {
  readonly #connection: Connection;
  readonly #backend: LeaseBackend;
  readonly #settings: RedisStoreOptions;
  #closed = false;

  /** `options` may be just the URL. */
  constructor(options: RedisStoreOptions | string) {
    const opts = normalize(options);
    this.#settings = opts;
    this.#connection = connect(opts);
    const prefix = `${opts.prefix ?? DEFAULT_REDIS_PREFIX}lock:`;
    const { client } = this.#connection;
    this.#backend = {
      tryAcquire: async (key, token, ttlMs) =>
        (await client.set(prefix + key, token, 'PX', wholeMs(ttlMs), 'NX')) === 'OK',
      release: async (key, token) => Number(await client.eval(RELEASE_SCRIPT, 1, prefix + key, token)) > 0,
    };
  }

  async withLock<T>(key: string, ttlMs: number, fn: () => Promise<T>, options?: LockOptions): Promise<T> {
    if (this.#closed) throw new Error('RedisLockStore is closed');
    return withLease(this.#backend, key, ttlMs, fn, options, {
      storeName: 'redis',
      logger: this.#settings.logger,
      pollMinMs: this.#settings.pollMinMs,
      pollMaxMs: this.#settings.pollMaxMs,
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await disconnect(this.#connection);
  }
}

/** Both stores on one connection; `close()` closes it unless it was passed in as `client`. */
export function createRedisStores(options: RedisStoreOptions | string): Stores {
  const opts = normalize(options);
  const connection = connect(opts);
  const events = new RedisEventStore({ ...opts, client: connection.client });
  const locks = new RedisLockStore({ ...opts, client: connection.client });
  return {
    events,
    locks,
    close: async () => {
      await events.close();
      await locks.close();
      await disconnect(connection);
    },
  };
}
