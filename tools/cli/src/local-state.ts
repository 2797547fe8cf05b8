import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

function sandboxStatePath(cwd: string): string {
  return join(cwd, STATE_DIR, 'sandbox.json');
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
  const path = sandboxStatePath(cwd);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Holds a test key of a local sandbox (also in its database); readable by this user only all the same.
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Remove the state file if it still describes this process's sandbox (another may have started since). */
export function clearSandboxState(cwd: string, pid = process.pid): void {
  if (readSandboxState(cwd, { includeDead: true })?.pid === pid)
    rmSync(sandboxStatePath(cwd), { force: true });
}

/** The sandbox `tijara sandbox` runs from this directory, if its process is still alive. */
export function readSandboxState(
  cwd: string,
  options: { includeDead?: boolean } = {},
): SandboxState | undefined {
  const path = sandboxStatePath(cwd);
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as SandboxState;
    if (typeof state.apiBase !== 'string' || typeof state.secretKey !== 'string') return undefined;
    return options.includeDead || isAlive(state.pid) ? state : undefined;
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
