import { Command } from 'commander';
import type { CliIo } from './cli-io.js';
import { oneLine } from './cli-errors.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerWebhooksCommand } from './commands/webhooks.js';
import { CLI_VERSION } from './version.js';

/** The `tijara` command tree. Errors are thrown (exitOverride), never `process.exit`, so `runCli` decides. */
export function createProgram(io: CliIo): Command {
  const program = new Command('tijara')
    .description(
      'Tijara developer tools: the local gateway sandbox (Ummah, Postpay, Uhmi, Numipay), webhook signing, ' +
        'triggering, replay and forwarding.',
    )
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .option('--debug', 'print stack traces with errors')
    .helpCommand(true)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`tijara: ${oneLine(text)}\n`),
    });

  registerSandboxCommand(program, io);
  registerWebhooksCommand(program, io);
  registerKeysCommand(program, io);
  return program;
}
