/**
 * The second process of the store battery's cross-process checks; started by `runStoreBattery` through
 * spawnTs, never imported. It opens the stores named by TIJARA_STORE_BATTERY_CHILD (JSON: `{ url, options }`
 * for createStores, or `{ module }` exporting createEventStore/createLockStore), then obeys JSON commands read
 * line by line from stdin and reports JSON lines on stdout:
 *
 * - `{ op: 'hold', id, key, ttlMs, waitMs }` → `holding` (with the lease's `fence`) once inside withLock,
 *   `released` after `release`
 * - `{ op: 'release', id }` ends that critical section
 * - `{ op: 'remember', id, key, ttlMs, count, startAt }` → `remembered` with how many calls returned true
 * - `{ op: 'exit' }` (or stdin closing) closes the stores and exits
 *
 * Any failure is reported as `failed` with the error's name and message.
 */
import { createStores, type EventStore, type LockStore } from '@tijara/core';
import { emit, moduleSpecifier, serveCommands, startingAt } from './battery-child-io.js';

interface ChildConfig {
  readonly url?: string;
  readonly options?: Record<string, unknown>;
  readonly module?: string;
}

interface Command {
  readonly op: 'hold' | 'release' | 'remember' | 'exit';
  readonly id?: string;
  readonly key?: string;
  readonly ttlMs?: number;
  readonly waitMs?: number;
  readonly count?: number;
  readonly startAt?: number;
}

interface StoreModule {
  createEventStore(): EventStore | Promise<EventStore>;
  createLockStore(): LockStore | Promise<LockStore>;
}

async function openStores(
  config: ChildConfig,
): Promise<{ events: EventStore; locks: LockStore; close(): Promise<void> }> {
  if (config.module) {
    const mod = (await import(moduleSpecifier(config.module))) as StoreModule;
    const events = await mod.createEventStore();
    const locks = await mod.createLockStore();
    return {
      events,
      locks,
      close: async () => {
        await events.close();
        await locks.close();
      },
    };
  }
  if (!config.url) throw new Error('TIJARA_STORE_BATTERY_CHILD names neither a url nor a module');
  return createStores(config.url, config.options);
}

const config = JSON.parse(process.env.TIJARA_STORE_BATTERY_CHILD ?? '{}') as ChildConfig;
const stores = await openStores(config);
const { events, locks } = stores;
const releases = new Map<string, () => void>();

async function hold(command: Command): Promise<void> {
  const id = command.id ?? '';
  const released = new Promise<void>((resolve) => releases.set(id, resolve));
  await locks.withLock(
    command.key ?? '',
    command.ttlMs ?? 0,
    async (lease) => {
      emit({ event: 'holding', id, fence: lease.fence });
      await released;
    },
    command.waitMs === undefined ? undefined : { waitMs: command.waitMs },
  );
  emit({ event: 'released', id });
}

async function remember(command: Command): Promise<void> {
  await startingAt(command.startAt);
  const results = await Promise.all(
    Array.from({ length: command.count ?? 1 }, () =>
      events.rememberOnce(command.key ?? '', command.ttlMs ?? 0),
    ),
  );
  emit({ event: 'remembered', id: command.id, trues: results.filter(Boolean).length });
}

await serveCommands<Command>(
  (command) => {
    if (command.op === 'release') {
      releases.get(command.id ?? '')?.();
      releases.delete(command.id ?? '');
      return undefined;
    }
    if (command.op === 'hold') return hold(command);
    if (command.op === 'remember') return remember(command);
    throw new Error(`unknown op ${String(command.op)}`);
  },
  () => {
    for (const release of releases.values()) release();
  },
);
await stores.close();
emit({ event: 'closed' });
// The parent keeps its end of stdin open; let go of it so the process can exit once nothing else is pending
// (a store that leaks a socket or timer after close() keeps it alive, which the battery reports).
process.stdin.destroy();
