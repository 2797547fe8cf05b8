/**
 * The child's side of a battery's second process (see `battery-child.ts`): JSON lines out, commands in.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/** A command read from stdin: what to do (`op`) and the id its answers carry. */
export interface BatteryCommand {
  readonly op: string;
  readonly id?: string;
}

export function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Answer the command `id` with `failed`, the error's name and message. */
export function failed(id: string | undefined, error: unknown): void {
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  emit({ event: 'failed', id, error: name, message });
}

/** A module named by an absolute path or a file: URL, as `import()` takes it. */
export function moduleSpecifier(module: string): string {
  return module.startsWith('file:') ? module : pathToFileURL(module).href;
}

/** Wait until the wall-clock instant `startAt` (ms), so that two processes' calls overlap as much as possible. */
export async function startingAt(startAt: number | undefined): Promise<void> {
  const delay = (startAt ?? 0) - Date.now();
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
}

/**
 * Report `ready`, then run each command read from stdin with `handle` (concurrently; what throws is answered
 * `failed`) until `{ op: 'exit' }` or the end of stdin. Then `stopping` runs, and the commands still running are
 * awaited.
 */
export async function serveCommands<C extends BatteryCommand>(
  handle: (command: C) => Promise<void> | void,
  stopping: () => void = () => undefined,
): Promise<void> {
  const running = new Set<Promise<void>>();
  emit({ event: 'ready', pid: process.pid });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    let command: C;
    try {
      command = JSON.parse(line) as C;
    } catch (error) {
      failed(undefined, error);
      continue;
    }
    if (command.op === 'exit') break;
    const work = Promise.resolve()
      .then(() => handle(command))
      .catch((error: unknown) => failed(command.id, error));
    running.add(work);
    void work.finally(() => running.delete(work));
  }
  stopping();
  await Promise.allSettled(running);
}
