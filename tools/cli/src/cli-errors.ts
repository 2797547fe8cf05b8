import { redactString, TijaraError } from '@tijara/core';

/** Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure the user can act on; printed as one line without a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? EXIT_FAILURE;
  }
}

/** A command line that cannot work (bad value, conflicting flags): exit code 2 like commander's own. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_USAGE });
    this.name = 'UsageError';
  }
}

/** Collapse any message to one line, so scripts can grep stderr and terminals stay tidy. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function describe(error: unknown): string {
  if (error instanceof TijaraError) {
    const parts = [error.message];
    if (error.statusCode !== undefined && !error.message.includes(String(error.statusCode))) {
      parts.push(`(HTTP ${error.statusCode})`);
    }
    if (error.details) {
      const fields = Object.entries(error.details)
        .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
        .filter((text) => !error.message.includes(text));
      if (fields.length > 0) parts.push(`[${fields.join('; ')}]`);
    }
    return parts.join(' ');
  }
  if (error instanceof Error) {
    // The most specific cause says what went wrong ("connect ECONNREFUSED …"), not "fetch failed".
    let root: unknown = error.cause;
    while (root instanceof Error && root.cause instanceof Error) root = root.cause;
    const cause = root instanceof Error ? describe(root) : undefined;
    return cause && !error.message.includes(cause) ? `${error.message} (${cause})` : error.message;
  }
  return String(error);
}

/** The line printed for an error: `tijara: error: …`, redacted; with `debug` the stack follows. */
export function formatError(
  error: unknown,
  options: { debug?: boolean; secrets?: readonly string[] } = {},
): string {
  const line = `tijara: error: ${oneLine(redactString(describe(error), options.secrets))}\n`;
  if (!options.debug || !(error instanceof Error) || !error.stack) return line;
  return `${line}${redactString(error.stack, options.secrets)}\n`;
}
