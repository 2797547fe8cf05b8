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

/**
 * How a store connects to one gateway of the sandbox, under the names its driver's options use (`baseUrl`,
 * `secretKey`, `merchantId`, `apiKey`, `signaturePassword`…); every value a string.
 */
export type GatewayConnectionRecord = Readonly<Record<string, string>>;

/**
 * `.tijara/sandbox.json`. The top-level fields are Ummah's and stay as they always were, so files written by older
 * versions (and by programs that write only them, like the example store's `npm start`) still read; `gateways`
 * holds every gateway's connection, Ummah's included. A reader that finds no entry for a gateway asks the
 * sandbox's `GET /__sandbox/info` instead.
 */
export interface SandboxState {
  readonly url: string;
  readonly apiBase: string;
  readonly secretKey: string;
  readonly brandId: string;
  readonly pid: number;
  readonly gateways?: Readonly<Record<string, GatewayConnectionRecord>>;
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
    const { gateways, ...rest } = state;
    const kept = connectionRecords(gateways);
    return kept ? { ...rest, gateways: kept } : rest;
  } catch {
    return undefined;
  }
}

/** The well-formed entries of a `gateways` object (a hand-edited file or a foreign answer may hold anything). */
export function connectionRecords(value: unknown): Record<string, GatewayConnectionRecord> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, GatewayConnectionRecord> = {};
  for (const [name, record] of Object.entries(value)) {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) continue;
    const strings = Object.entries(record).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    );
    out[name] = Object.fromEntries(strings);
  }
  return out;
}

/**
 * One gateway's connection from the state file: its `gateways` entry, or for Ummah the top-level fields of a file
 * that has none (written before there were several gateways, or by `npm start`).
 */
export function storedConnection(state: SandboxState, gateway: string): GatewayConnectionRecord | undefined {
  const record = state.gateways?.[gateway];
  if (record) return record;
  if (gateway !== 'ummah') return undefined;
  return { baseUrl: state.apiBase, secretKey: state.secretKey, brandId: state.brandId };
}

/** One delivery `webhooks listen` forwarded, exactly as it arrived. */
export interface CapturedDelivery {
  /** Which gateway sent it; absent in entries written before there were several (they are Ummah's). */
  readonly gateway?: string;
  readonly receivedAt: string;
  /** The webhook (hook) `listen` registered; empty when the gateway has none (Numipay's account URL). */
  readonly webhookId: string;
  /** The gateway's delivery id, when its delivery log could be matched. */
  readonly deliveryId: string | undefined;
  readonly event: string | undefined;
  /** The body bytes, base64 (bodies are JSON, but the exact bytes are what the signature covers). */
  readonly body: string;
  /** The signature header's value as it arrived. */
  readonly signature: string | undefined;
}

/** Which gateway a captured delivery came from. */
export function capturedGateway(delivery: CapturedDelivery): string {
  return delivery.gateway ?? 'ummah';
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
