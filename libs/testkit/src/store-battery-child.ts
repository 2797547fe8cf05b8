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
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { createStores, type EventStore, type LockStore } from '@tijara/core';

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

function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function failed(id: string | undefined, error: unknown): void {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  emit({ event: 'failed', id, error: name, message });
}

async function openStores(
  config: ChildConfig,
): Promise<{ events: EventStore; locks: LockStore; close(): Promise<void> }> {
  if (config.module) {
    const specifier = config.module.startsWith('file:') ? config.module : pathToFileURL(config.module).href;
    const mod = (await import(specifier)) as StoreModule;
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
const running = new Set<Promise<void>>();

function track(work: Promise<void>): void {
  running.add(work);
  void work.finally(() => running.delete(work));
}

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
  // Both processes start at the same wall-clock instant so that their calls overlap as much as possible.
  const delay = (command.startAt ?? 0) - Date.now();
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const results = await Promise.all(
    Array.from({ length: command.count ?? 1 }, () =>
      events.rememberOnce(command.key ?? '', command.ttlMs ?? 0),
    ),
  );
  emit({ event: 'remembered', id: command.id, trues: results.filter(Boolean).length });
}

emit({ event: 'ready', pid: process.pid });

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue;
  let command: Command;
  try {
    command = JSON.parse(line) as Command;
  } catch (error) {
    failed(undefined, error);
    continue;
  }
  if (command.op === 'exit') break;
  if (command.op === 'release') {
    releases.get(command.id ?? '')?.();
    releases.delete(command.id ?? '');
  } else if (command.op === 'hold') {
    track(hold(command).catch((error: unknown) => failed(command.id, error)));
  } else if (command.op === 'remember') {
    track(remember(command).catch((error: unknown) => failed(command.id, error)));
  } else {
    failed(command.id, new Error(`unknown op ${String(command.op)}`));
  }
}

for (const release of releases.values()) release();
await Promise.allSettled(running);
await stores.close();
emit({ event: 'closed' });
// The parent keeps its end of stdin open; let go of it so the process can exit once nothing else is pending
// (a store that leaks a socket or timer after close() keeps it alive, which the battery reports).
process.stdin.destroy();
