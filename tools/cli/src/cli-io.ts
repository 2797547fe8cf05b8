/** Where a command reads and writes; the real process by default, so the CLI can also run in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Aborting it stops long-running commands (`sandbox`, `webhooks listen`) as SIGINT/SIGTERM would. */
  readonly signal?: AbortSignal;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Write one line to stdout. */
export function say(io: CliIo, line = ''): void {
  io.stdout.write(`${line}\n`);
}

/** Write one line to stderr (progress and diagnostics, so stdout stays pipeable). */
export function note(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
}

/**
 * Resolve with the signal's name when the process receives SIGINT or SIGTERM (or `io.signal` aborts).
 * The handlers replace Node's default "exit at once", so the caller can shut down cleanly.
 */
export function untilStopped(io: CliIo): Promise<string> {
  return new Promise((resolve) => {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const finish = (reason: string): void => {
      for (const s of signals) process.off(s, handlers[s]);
      io.signal?.removeEventListener('abort', onAbort);
      resolve(reason);
    };
    const handlers = { SIGINT: () => finish('SIGINT'), SIGTERM: () => finish('SIGTERM') };
    const onAbort = (): void => finish('abort');
    for (const s of signals) process.once(s, handlers[s]);
    if (io.signal?.aborted) finish('abort');
    else io.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Read all of a stream as bytes (stdin for `webhooks sign`). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
