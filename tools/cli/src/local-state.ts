import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The CLI's working files live in `.tijara/` of the current directory (git-ignored): the sandbox database, the
 * address and key of a running `tijara sandbox` (so other commands in the same directory find it without
 * exports), and the deliveries `webhooks listen` received (so `webhooks replay` can re-send their exact bytes).
 */
export const STATE_DIR = '.tijara';

export interface SandboxState {
  readonly url: string;
  readonly apiBase: string;
  readonly secretKey: string;
  readonly brandId: string;
  readonly pid: number;
}

/** The sandbox state file of a state directory (the CLI's is `<cwd>/.tijara`). */
export function sandboxStateFile(stateDir: string): string {
  return join(stateDir, 'sandbox.json');
}

function sandboxStatePath(cwd: string): string {
  return sandboxStateFile(join(cwd, STATE_DIR));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function writeSandboxState(cwd: string, state: SandboxState): void {
  writeSandboxStateIn(join(cwd, STATE_DIR), state);
}

/**
 * Write the state file straight into `stateDir`, for a program that runs a sandbox and keeps its `.tijara`
 * somewhere else than its working directory (`npm start` of the example store). The CLI run from the directory
 * holding that `.tijara` then finds the sandbox as if `tijara sandbox` had started it.
 */
export function writeSandboxStateIn(stateDir: string, state: SandboxState): void {
  const path = sandboxStateFile(stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // Holds a test key of a local sandbox (also in its database); readable by this user only all the same. Written
  // aside and renamed, so a reader never sees half a file and an older file's wider mode is not kept.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Remove the state file if it still describes this process's sandbox (another may have started since). */
export function clearSandboxState(cwd: string, pid = process.pid): void {
  clearSandboxStateIn(join(cwd, STATE_DIR), pid);
}

/** `clearSandboxState` for a state directory given as such (see `writeSandboxStateIn`). */
export function clearSandboxStateIn(stateDir: string, pid = process.pid): void {
  if (readStateFile(sandboxStateFile(stateDir))?.pid === pid)
    rmSync(sandboxStateFile(stateDir), { force: true });
}

/** The sandbox `tijara sandbox` runs from this directory, if its process is still alive. */
export function readSandboxState(
  cwd: string,
  options: { includeDead?: boolean } = {},
): SandboxState | undefined {
  const state = readStateFile(sandboxStatePath(cwd));
  return state && (options.includeDead || isAlive(state.pid)) ? state : undefined;
}

function readStateFile(path: string): SandboxState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as SandboxState;
    if (typeof state.apiBase !== 'string' || typeof state.secretKey !== 'string') return undefined;
    return state;
  } catch {
    return undefined;
  }
}

/** One delivery `webhooks listen` forwarded, exactly as it arrived. */
export interface CapturedDelivery {
  readonly receivedAt: string;
  readonly webhookId: string;
  /** The gateway's delivery id, when its delivery log could be matched. */
  readonly deliveryId: string | undefined;
  readonly event: string | undefined;
  /** The body bytes, base64 (bodies are JSON, but the exact bytes are what the signature covers). */
  readonly body: string;
  readonly signature: string | undefined;
}

function capturePath(cwd: string): string {
  return join(cwd, STATE_DIR, 'deliveries.jsonl');
}

export function captureDelivery(cwd: string, delivery: CapturedDelivery): void {
  const path = capturePath(cwd);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  appendFileSync(path, `${JSON.stringify(delivery)}\n`, { mode: 0o600 });
}

export function readCapturedDeliveries(cwd: string): CapturedDelivery[] {
  const path = capturePath(cwd);
  if (!existsSync(path)) return [];
  const out: CapturedDelivery[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as CapturedDelivery);
    } catch {
      // A line cut short by a crash is skipped; the others are still good.
    }
  }
  return out;
}
