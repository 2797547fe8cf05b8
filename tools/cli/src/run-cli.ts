import { CommanderError } from 'commander';
import { processIo, type CliIo } from './cli-io.js';
import { EXIT_FAILURE, EXIT_USAGE, CliError, formatError } from './cli-errors.js';
import { SECRET_ENV_NAMES } from './gateway-profiles.js';
import { createProgram } from './program.js';

/** Flags whose value is a credential. */
const SECRET_FLAGS = new Set(['--secret-key', '--secret', '--control-token']);

/** Credentials this run was given (environment and flags), kept out of every error line. */
function secretsOf(args: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out = [...SECRET_ENV_NAMES, 'TIJARA_SANDBOX_TOKEN'].map((name) => env[name] ?? '');
  args.forEach((arg, index) => {
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    if (flag !== undefined && SECRET_FLAGS.has(flag)) out.push(inline ?? args[index + 1] ?? '');
  });
  return out.filter(Boolean);
}

/**
 * Run `tijara` with `args` (without the node and script paths) and return the exit code. Failures print one
 * line on stderr (`tijara: error: …`); `--debug` or TIJARA_DEBUG=1 adds the stack trace.
 */
export async function runCli(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const debug = args.includes('--debug') || io.env['TIJARA_DEBUG'] === '1';
  const secrets = secretsOf(args, io.env);
  try {
    await createProgram(io).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    // commander has already printed its own message (or the help text) through configureOutput.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    io.stderr.write(formatError(error, { debug, secrets }));
    return error instanceof CliError ? error.exitCode : EXIT_FAILURE;
  }
}
