/**
 * The parent's side of a battery's second process (store battery, ledger battery): a script started through
 * spawnTs that takes JSON commands line by line on stdin and answers JSON lines on stdout (`battery-child-io.ts`
 * is its side). Every message names the `event` and the command `id` it answers; `failed` answers any command
 * that threw.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { sendLine, spawnTs, stopChild, waitForExit, waitForLine, type ChildExit } from './spawn-ts.js';

/** What every message of a battery child carries. */
export interface BatteryMessage {
  readonly event: string;
  readonly id?: string;
  readonly error?: string;
  readonly message?: string;
}

/**
 * A child script of this package by its base name: the TypeScript source in this repository, the compiled file
 * in a build.
 */
export function batteryChildScript(name: string): URL {
  const source = new URL(`./${name}.ts`, import.meta.url);
  return existsSync(fileURLToPath(source)) ? source : new URL(`./${name}.js`, import.meta.url);
}

function parse<M extends BatteryMessage>(line: string): M | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as M;
  } catch {
    return undefined;
  }
}

/** The parent's handle on a battery child process. */
export class BatteryChild<M extends BatteryMessage> {
  readonly process: ChildProcess;

  private constructor(child: ChildProcess) {
    this.process = child;
  }

  /** Start `script` with `env` and wait for its `ready` message. */
  static async start<M extends BatteryMessage>(
    script: URL,
    env: Readonly<Record<string, string>>,
    label: string,
  ): Promise<BatteryChild<M>> {
    const handle = new BatteryChild<M>(spawnTs(script, [], { label, env }));
    await handle.expect('ready', undefined, 20_000);
    return handle;
  }

  send(command: Record<string, unknown>): void {
    sendLine(this.process, JSON.stringify(command));
  }

  /** The next `event` message for `id`; a `failed` message for `id` is returned too, for the caller to judge. */
  async next(event: string, id: string | undefined, timeoutMs = 15_000): Promise<M> {
    const line = await waitForLine(
      this.process,
      (text) => {
        const message = parse<M>(text);
        return (
          message !== undefined &&
          message.id === id &&
          (message.event === event || message.event === 'failed')
        );
      },
      timeoutMs,
    );
    return parse<M>(line) as M;
  }

  /** Like `next`, but a `failed` message is an error. */
  async expect(event: string, id: string | undefined, timeoutMs?: number): Promise<M> {
    const message = await this.next(event, id, timeoutMs);
    if (message.event !== event) {
      throw new Error(`child failed instead of reporting ${event}: ${message.error}: ${message.message}`);
    }
    return message;
  }

  /** Ask the child to close what it opened and exit; kill it if it has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<ChildExit> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.send({ op: 'exit' });
      try {
        return await waitForExit(this.process, graceMs);
      } catch {
        // Fall through to signals.
      }
    }
    return stopChild(this.process);
  }
}
