/**
 * Run a TypeScript file of this monorepo in a real child Node process, for tests that need several processes
 * (shared stores, multi-instance servers, crash recovery).
 *
 * The child is `process.execPath` with Node's built-in type stripping and `ts-hooks.mjs` imported first, which
 * maps `@tijara/<pkg>` to the package's `src/index.ts` and `./x.js` to `./x.ts`, so sources run unbuilt. The
 * child's stdout and stderr are piped and split into lines that `waitForLine` can wait for; stdin stays open
 * for `sendLine` (a child that reads its stdin therefore stays alive until it destroys `process.stdin` or the
 * parent calls `child.stdin.end()`). A child never outlives its parent: it is SIGKILLed when the parent exits, and it exits by
 * itself if the parent dies without a chance to do that (SIGKILL, OOM).
 *
 * ```ts
 * const child = spawnTs(new URL('./fixtures/server.ts', import.meta.url), ['--port', '0']);
 * const line = await waitForLine(child, /listening on (\d+)/);
 * // ... talk to it ...
 * await stopChild(child);
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * URL of the hooks module; `node --import <tsHooksUrl()> file.ts` runs TypeScript sources without spawnTs.
 * A function, not a constant, so that merely importing this module never depends on `import.meta`.
 */
export function tsHooksUrl(): string {
  return new URL('./ts-hooks.mjs', import.meta.url).href;
}

export interface SpawnTsOptions {
  /** Working directory of the child (default: the parent's). */
  readonly cwd?: string;
  /** Merged over the parent's environment; `undefined` removes a variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra Node flags, placed before the file (e.g. `--max-old-space-size=64`). */
  readonly nodeArgs?: readonly string[];
  /** Open an IPC channel too, for `child.send()` / `process.send()`. */
  readonly ipc?: boolean;
  /** Name used in error messages and echoed output (default: the file name). */
  readonly label?: string;
  /**
   * Copy the child's output to the parent's stderr as it arrives, each line prefixed by the label. Default: on
   * when the environment variable TIJARA_SPAWN_ECHO is set, for debugging a failing test.
   */
  readonly echo?: boolean;
  /** Kill the child when the parent exits or dies (default true). */
  readonly killOnParentExit?: boolean;
  /** Most lines kept per stream for `waitForLine` and error messages (default 5000; older ones are dropped). */
  readonly maxLines?: number;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

type StreamName = 'stdout' | 'stderr';

interface StreamLines {
  /** Complete lines, oldest first; `dropped` older ones are gone. */
  readonly lines: string[];
  dropped: number;
  partial: string;
  /** Absolute indexes of lines already returned by waitForLine. */
  readonly consumed: Set<number>;
}

interface ChildState {
  readonly label: string;
  readonly maxLines: number;
  readonly streams: Record<StreamName, StreamLines>;
  /** Called on every new line and on close. */
  readonly watchers: Set<() => void>;
  exit: ChildExit | undefined;
  readonly closed: Promise<ChildExit>;
}

const states = new WeakMap<ChildProcess, ChildState>();
const live = new Set<ChildProcess>();
const killOnExit = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Inside Jest `process` is a sandbox copy whose 'exit' never fires; hook the real one. */
function realProcess(): NodeJS.Process {
  try {
    return (process.getBuiltinModule?.('node:process') as NodeJS.Process | undefined) ?? process;
  } catch {
    return process;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  realProcess().once('exit', () => {
    for (const child of killOnExit) child.kill('SIGKILL');
  });
}

/** Node flags that make `.ts` files runnable on this Node, plus the hooks. */
function nodeFlags(): string[] {
  // Type stripping is on by default from Node 22.18 / 23.6; older versions need the flag.
  const typescript = (process.features as { typescript?: string | false }).typescript;
  const strip = typescript ? [] : ['--experimental-strip-types'];
  return [...strip, '--disable-warning=ExperimentalWarning', '--import', tsHooksUrl()];
}

/** Spawn `file` (a .ts or .js path or file: URL) in a child Node process; see the module comment. */
export function spawnTs(
  file: string | URL,
  args: readonly string[] = [],
  options: SpawnTsOptions = {},
): ChildProcess {
  const cwd = options.cwd ?? process.cwd();
  const path = file instanceof URL || file.startsWith('file:') ? fileURLToPath(file) : resolvePath(cwd, file);
  const label = options.label ?? path.split(/[\\/]/).pop() ?? path;
  const killOnParentExit = options.killOnParentExit ?? true;

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...options.env })) {
    if (value !== undefined) env[name] = value;
  }
  if (killOnParentExit) env.TIJARA_SPAWN_TS_PARENT_PID = String(process.pid);
  else delete env.TIJARA_SPAWN_TS_PARENT_PID;

  const child = spawn(process.execPath, [...nodeFlags(), ...(options.nodeArgs ?? []), path, ...args], {
    cwd,
    env,
    stdio: options.ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'],
  });

  const echo = options.echo ?? Boolean(process.env.TIJARA_SPAWN_ECHO);
  const watchers = new Set<() => void>();
  const newStream = (): StreamLines => ({ lines: [], dropped: 0, partial: '', consumed: new Set() });
  let markClosed: (exit: ChildExit) => void = () => undefined;
  const state: ChildState = {
    label,
    maxLines: options.maxLines ?? 5000,
    streams: { stdout: newStream(), stderr: newStream() },
    watchers,
    exit: undefined,
    closed: new Promise<ChildExit>((resolve) => (markClosed = resolve)),
  };
  states.set(child, state);

  const push = (name: StreamName, line: string): void => {
    const stream = state.streams[name];
    stream.lines.push(line);
    if (stream.lines.length > state.maxLines) {
      stream.lines.shift();
      stream.consumed.delete(stream.dropped);
      stream.dropped++;
    }
    if (echo) process.stderr.write(`[${label} ${name}] ${line}\n`);
    for (const watcher of [...watchers]) watcher();
  };
  for (const name of ['stdout', 'stderr'] as const) {
    const readable = child[name];
    readable?.setEncoding('utf8');
    readable?.on('data', (chunk: string) => {
      const stream = state.streams[name];
      const parts = (stream.partial + chunk).split(/\r?\n/);
      stream.partial = parts.pop() ?? '';
      for (const line of parts) push(name, line);
    });
    readable?.on('end', () => {
      const stream = state.streams[name];
      if (stream.partial !== '') push(name, stream.partial);
      stream.partial = '';
    });
  }
  // Writing to a child that already exited must not crash the parent with EPIPE.
  child.stdin?.on('error', () => undefined);

  live.add(child);
  if (killOnParentExit) {
    killOnExit.add(child);
    installExitHook();
  }
  child.on('error', () => {
    // Spawn failure (e.g. ENOENT); 'close' follows and settles the waiters.
  });
  child.on('close', (code, signal) => {
    live.delete(child);
    killOnExit.delete(child);
    state.exit = { code, signal };
    markClosed(state.exit);
    for (const watcher of [...watchers]) watcher();
  });
  return child;
}

function stateOf(child: ChildProcess): ChildState {
  const state = states.get(child);
  if (!state) throw new Error('Not a child started by spawnTs');
  return state;
}

export interface WaitForLineOptions {
  /** Which output to watch (default stdout). */
  readonly stream?: StreamName;
}

/**
 * The first line of the child's output matching `pattern` that no earlier `waitForLine` call returned, whether
 * it was printed before or after this call. Rejects, with the tail of the child's output, when `timeoutMs`
 * passes or the child exits first.
 */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp | ((line: string) => boolean),
  timeoutMs = 10_000,
  options: WaitForLineOptions = {},
): Promise<string> {
  const state = stateOf(child);
  const stream = state.streams[options.stream ?? 'stdout'];
  const matches =
    typeof pattern === 'function'
      ? pattern
      : (
          (re: RegExp) => (line: string) =>
            re.test(line)
        )(new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')));
  const describe = typeof pattern === 'function' ? 'the predicate' : String(pattern);

  return new Promise<string>((resolve, reject) => {
    let scanned = stream.dropped;
    const check = (): boolean => {
      for (
        let index = Math.max(scanned, stream.dropped);
        index < stream.dropped + stream.lines.length;
        index++
      ) {
        const line = stream.lines[index - stream.dropped] as string;
        if (!stream.consumed.has(index) && matches(line)) {
          stream.consumed.add(index);
          finish();
          resolve(line);
          return true;
        }
      }
      scanned = stream.dropped + stream.lines.length;
      if (state.exit) {
        finish();
        reject(
          new Error(
            `${state.label} exited (code ${state.exit.code}, signal ${state.exit.signal}) before printing a line ` +
              `matching ${describe}${outputTail(state)}`,
          ),
        );
        return true;
      }
      return false;
    };
    const timer = setTimeout(() => {
      finish();
      reject(
        new Error(
          `${state.label} printed no line matching ${describe} within ${timeoutMs} ms${outputTail(state)}`,
        ),
      );
    }, timeoutMs);
    const watcher = (): void => {
      check();
    };
    const finish = (): void => {
      clearTimeout(timer);
      state.watchers.delete(watcher);
    };
    if (!check()) state.watchers.add(watcher);
  });
}

/** Write one line to the child's stdin. */
export function sendLine(child: ChildProcess, line: string): void {
  if (!child.stdin || child.stdin.destroyed) throw new Error(`${stateOf(child).label}: stdin is closed`);
  child.stdin.write(line.endsWith('\n') ? line : `${line}\n`);
}

/** Everything the child printed so far (up to `maxLines` lines per stream). */
export function childOutput(child: ChildProcess): { stdout: string; stderr: string } {
  const { streams } = stateOf(child);
  const text = (stream: StreamLines): string =>
    [...stream.lines, ...(stream.partial ? [stream.partial] : [])].join('\n');
  return { stdout: text(streams.stdout), stderr: text(streams.stderr) };
}

/** Resolves when the child has exited and its output is fully read; rejects after `timeoutMs`. */
export function waitForExit(child: ChildProcess, timeoutMs = 10_000): Promise<ChildExit> {
  const state = stateOf(child);
  if (state.exit) return Promise.resolve(state.exit);
  return new Promise<ChildExit>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${state.label} did not exit within ${timeoutMs} ms${outputTail(state)}`)),
      timeoutMs,
    );
    void state.closed.then((exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
}

export interface StopChildOptions {
  /** First signal (default SIGTERM). */
  readonly signal?: NodeJS.Signals;
  /** How long to wait before escalating to SIGKILL (default 5000 ms). */
  readonly graceMs?: number;
}

/** Stop the child and wait for it: `signal`, then SIGKILL if it is still running after `graceMs`. */
export async function stopChild(child: ChildProcess, options: StopChildOptions = {}): Promise<ChildExit> {
  const state = stateOf(child);
  if (state.exit) return state.exit;
  child.kill(options.signal ?? 'SIGTERM');
  try {
    return await waitForExit(child, options.graceMs ?? 5000);
  } catch {
    child.kill('SIGKILL');
    return waitForExit(child, 10_000);
  }
}

/** Stop every child spawnTs started that is still running, e.g. in an `afterAll`. */
export async function stopAllChildren(options: StopChildOptions = {}): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child, options)));
}

function outputTail(state: ChildState, lines = 20): string {
  const tail = (name: StreamName): string => {
    const stream = state.streams[name];
    const all = [...stream.lines, ...(stream.partial ? [stream.partial] : [])];
    return all.length === 0 ? ' (nothing)' : `\n${all.slice(-lines).join('\n')}`;
  };
  return `\n--- ${state.label} stdout (last ${lines} lines):${tail('stdout')}\n--- stderr:${tail('stderr')}`;
}
