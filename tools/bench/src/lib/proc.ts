/**
 * Child processes that run TypeScript sources (Node 24 type stripping + the workspace resolve hook), with every
 * line they write kept in a log file for the secret scan, and a `READY {json}` line as the start signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ROOT_DIR = join(BENCH_DIR, '..', '..');
/**
 * `@tijara/testkit`'s module hooks (`@tijara/*` → sources, `./x.js` → `./x.ts`, exit with the parent). Loaded by
 * path: the testkit entry point imports `@jest/globals`, which refuses to load outside Jest.
 */
export const HOOKS = join(ROOT_DIR, 'libs', 'testkit', 'src', 'ts-hooks.mjs');

export interface ChildOptions {
  /** Shown in log file names and messages. */
  readonly name: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the log file goes. */
  readonly logDir: string;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** How long to wait for the READY line (default 30 s). */
  readonly readyTimeoutMs?: number;
  readonly cwd?: string;
}

export interface RunningChild {
  readonly name: string;
  readonly pid: number;
  /** What the child printed after `READY `. */
  readonly ready: Record<string, unknown>;
  readonly logFile: string;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the child ends. */
  readonly exited: Promise<number | string>;
  alive(): boolean;
  /** Send `signal` (default SIGTERM) and wait for the exit; SIGKILL after `graceMs` (default 5 s). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
  /** Lines the child printed that start with `prefix` (e.g. `EVENT `), parsed as JSON, since start. */
  lines(prefix: string): unknown[];
}

let counter = 0;

/** Start `script` (a .ts file, absolute or relative to tools/bench) on this Node with the resolve hook. */
export function startTs(script: string, options: ChildOptions): Promise<RunningChild> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${String(++counter).padStart(2, '0')}-${options.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const scriptPath = script.startsWith('/') ? script : join(BENCH_DIR, script);
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      '--disable-warning=ExperimentalWarning',
      '--import',
      HOOKS,
      scriptPath,
      ...(options.args ?? []),
    ],
    {
      cwd: options.cwd ?? BENCH_DIR,
      env: { ...process.env, TIJARA_SPAWN_TS_PARENT_PID: String(process.pid), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const collected = new Map<string, unknown[]>();
  const watchers: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      for (const watch of watchers) watch(line);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  let exitValue: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      exitValue = code ?? signal ?? 'unknown';
      resolve(exitValue);
    });
  });
  exited.then(() => new Promise((r) => setTimeout(r, 20))).then(() => log.end());
  watchers.push((line) => {
    const space = line.indexOf(' ');
    if (space <= 0) return;
    const prefix = line.slice(0, space);
    if (!/^[A-Z_]+$/.test(prefix)) return;
    try {
      const value = JSON.parse(line.slice(space + 1));
      const list = collected.get(prefix) ?? [];
      list.push(value);
      collected.set(prefix, list);
    } catch {
      /* not one of ours */
    }
  });

  return new Promise<RunningChild>((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${options.name} did not print READY within ${options.readyTimeoutMs ?? 30_000} ms (log: ${logFile})`,
        ),
      );
    }, options.readyTimeoutMs ?? 30_000);
    exited.then((code) => {
      clearTimeout(timeout);
      reject(new Error(`${options.name} exited (${code}) before it was ready (log: ${logFile})`));
    });
    watchers.push((line) => {
      if (!line.startsWith('READY ')) return;
      clearTimeout(timeout);
      const ready = JSON.parse(line.slice(6)) as Record<string, unknown>;
      const running: RunningChild = {
        name: options.name,
        pid: child.pid!,
        ready,
        logFile,
        process: child,
        exited,
        alive: () => exitValue === undefined,
        stop: async (signal = 'SIGTERM', graceMs = 5000) => {
          if (exitValue !== undefined) return exitValue;
          child.kill(signal);
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const code = await exited;
          clearTimeout(timer);
          return code;
        },
        lines: (prefix) => collected.get(prefix) ?? [],
      };
      resolve(running);
    });
  });
}

/** Print the start signal from inside a child. */
export function signalReady(info: Record<string, unknown>): void {
  process.stdout.write(`READY ${JSON.stringify(info)}\n`);
}

/** Exit on SIGTERM (the hooks already end the child when its parent goes away). */
export function exitWithParent(): void {
  process.on('SIGTERM', () => process.exit(0));
}

/** Run `script` to completion (bounded by `timeoutMs`, SIGKILL after it) and return its `RESULT` lines. */
export async function runTs(
  script: string,
  options: ChildOptions & { readonly timeoutMs?: number },
): Promise<{ code: number | string; results: unknown[]; logFile: string }> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, `${String(++counter).padStart(2, '0')}-${options.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const scriptPath = script.startsWith('/') ? script : join(BENCH_DIR, script);
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      '--disable-warning=ExperimentalWarning',
      '--import',
      HOOKS,
      scriptPath,
      ...(options.args ?? []),
    ],
    {
      cwd: options.cwd ?? BENCH_DIR,
      env: { ...process.env, TIJARA_SPAWN_TS_PARENT_PID: String(process.pid), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    out += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const code = await new Promise<number | string>((resolve) =>
    child.on('close', (c, signal) => resolve(c ?? signal ?? 'unknown')),
  );
  clearTimeout(timer);
  await new Promise<void>((resolve) => log.end(resolve));
  const results = out
    .split('\n')
    .filter((line) => line.startsWith('RESULT '))
    .map((line) => JSON.parse(line.slice(7)) as unknown);
  return { code, results, logFile };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); NaN elsewhere. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100;
