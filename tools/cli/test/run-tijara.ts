import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

/** The real executable, as npm links it into node_modules/.bin/tijara. */
export const TIJARA_BIN = join(__dirname, '..', 'bin', 'tijara.js');

export interface TijaraResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  timeoutMs?: number;
}

/** Environment without the caller's gateway settings, so a developer's shell cannot change a test's outcome. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env).filter((key) => /^(UMMAH|POSTPAY|UHMI|NUMIPAY)_/.test(key))) {
    delete env[name];
  }
  for (const name of ['TIJARA_DEBUG', 'TIJARA_SANDBOX_TOKEN', 'TIJARA_WEBHOOK_SECRET', 'NODE_OPTIONS']) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/** Start `tijara args…` as a child process of this Node (24). */
export function spawnTijara(
  args: readonly string[],
  options: RunOptions = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [TIJARA_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: cleanEnv(options.env),
    stdio: 'pipe',
  });
}

/** Run `tijara args…` to completion and collect its output. */
export function runTijara(args: readonly string[], options: RunOptions = {}): Promise<TijaraResult> {
  const child = spawnTijara(args, options);
  return collect(child, options);
}

export function collect(
  child: ChildProcessWithoutNullStreams,
  options: RunOptions = {},
): Promise<TijaraResult> {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tijara did not exit within ${options.timeoutMs ?? 30_000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A long-running `tijara` (sandbox, listen): output so far, a way to wait for a line, and to stop it. */
export interface RunningTijara {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the stdout so far once `pattern` matches it; rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Send `signal` and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<TijaraResult>;
  /** Wait for the process to exit by itself. */
  exited(): Promise<TijaraResult>;
}

export function startTijara(args: readonly string[], options: RunOptions = {}): RunningTijara {
  const child = spawnTijara(args, options);
  child.stdin.end();
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<TijaraResult>((resolve) => {
    child.on('close', (code, signal) => {
      for (const wake of waiters) wake();
      resolve({ code, signal, stdout: out, stderr: err });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(out)) {
            cleanup();
            resolve(out);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`tijara exited before printing ${pattern}; stdout: ${out} stderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `tijara did not print ${pattern} within ${timeoutMs} ms; stdout: ${out} stderr: ${err}`,
            ),
          );
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited: () => exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
