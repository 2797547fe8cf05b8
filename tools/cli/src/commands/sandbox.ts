import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from '@tijara/core';
import { note, say, untilStopped, type CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { clearSandboxState, writeSandboxState } from '../local-state.js';
import { parseNumber, parsePort, parseUrl } from '../option-parsers.js';

export const DEFAULT_SANDBOX_PORT = 4010;
export const DEFAULT_SANDBOX_DB = '.tijara/sandbox.db';

interface SandboxOptions {
  port: number;
  host: string;
  secretKey?: string;
  brandId?: string;
  db?: string;
  memory?: boolean;
  webhookTimeScale?: number;
  publicUrl?: string;
  verbose?: boolean;
}

/** Pino-shaped logger writing one JSON line per entry to stderr, for `--verbose`. */
function stderrLogger(io: CliIo): Logger {
  const write =
    (level: string) =>
    (obj: object, msg?: string): void => {
      io.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), ...obj, msg })}\n`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export function registerSandboxCommand(program: Command, io: CliIo): void {
  program
    .command('sandbox')
    .summary('run the local Ummah gateway emulator until Ctrl+C')
    .description(
      'Run the local Ummah gateway emulator (API, hosted checkout page, signed webhooks, control API under ' +
        '/__sandbox/) until SIGINT or SIGTERM. State persists in a SQLite file unless --memory is given.',
    )
    .option(
      '-p, --port <port>',
      'TCP port to listen on (0 picks a free one)',
      parsePort,
      DEFAULT_SANDBOX_PORT,
    )
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--secret-key <key>', 'the sk_test_… key the API accepts (default: the sandbox picks one)')
    .option('--brand-id <id>', 'brand id of the emulated account (default: the sandbox picks one)')
    .option(
      '--db <file>',
      `SQLite file for the sandbox state (default: ${DEFAULT_SANDBOX_DB} in this directory)`,
    )
    .option('--memory', 'keep the state in memory only; it is gone when the sandbox stops')
    .option(
      '--webhook-time-scale <factor>',
      'real-time factor for webhook retry delays (0.001 = 1000x faster)',
      parseNumber,
    )
    .option(
      '--public-url <url>',
      'base URL for checkout links when the sandbox sits behind a proxy or tunnel',
      parseUrl,
    )
    .option('-v, --verbose', "print the sandbox's log (deliveries, failures) on stderr as JSON lines")
    .action(async (options: SandboxOptions) => {
      if (options.db && options.memory) throw new UsageError('--db and --memory cannot be used together');
      // Listen for Ctrl+C before announcing readiness, so a signal right after the banner is never lost.
      const stopped = untilStopped(io);
      const dbFile = options.memory ? ':memory:' : resolve(io.cwd, options.db ?? DEFAULT_SANDBOX_DB);
      if (!options.memory) mkdirSync(dirname(dbFile), { recursive: true });

      // Loaded on demand: the emulator (HTTP server, SQLite) is heavy and only this command needs it.
      const { startSandbox } = await import('@tijara/sandbox').catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_BUILTIN_MODULE') {
          throw new CliError(
            `the sandbox needs Node >= 22.12 (for node:sqlite) and this is ${process.version}; ` +
              "run it as `npx tijara sandbox`, which uses the repository's Node 24",
          );
        }
        throw error;
      });
      const sandbox = await startSandbox({
        port: options.port,
        host: options.host,
        dbFile,
        ...(options.secretKey === undefined ? {} : { secretKey: options.secretKey }),
        ...(options.brandId === undefined ? {} : { brandId: options.brandId }),
        ...(options.webhookTimeScale === undefined ? {} : { webhookTimeScale: options.webhookTimeScale }),
        ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl.replace(/\/$/, '') }),
        ...(options.verbose ? { logger: stderrLogger(io) } : {}),
      }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new CliError(
            `${options.host}:${options.port} is already in use (another sandbox?); choose another --port`,
          );
        }
        throw error;
      });
      writeSandboxState(io.cwd, {
        url: sandbox.url,
        apiBase: sandbox.apiBase,
        secretKey: sandbox.secretKey,
        brandId: sandbox.brandId,
        pid: process.pid,
      });

      say(io, `Ummah sandbox listening on ${sandbox.url}`);
      say(io, `  API base    ${sandbox.apiBase}`);
      say(io, `  Brand id    ${sandbox.brandId}`);
      say(io, `  Secret key  ${sandbox.secretKey}`);
      say(io, `  Checkout    ${sandbox.url}/checkout/<purchase id>/ (test card 4242 4242 4242 4242)`);
      say(io, `  State       ${options.memory ? 'in memory' : dbFile}`);
      say(io);
      say(io, `export UMMAH_API_BASE=${sandbox.apiBase}`);
      say(io, `export UMMAH_SECRET_KEY=${sandbox.secretKey}`);
      say(io, `export UMMAH_BRAND_ID=${sandbox.brandId}`);
      say(io);
      say(io, 'Press Ctrl+C to stop.');

      const reason = await stopped;
      note(io, `Stopping the sandbox (${reason})…`);
      clearSandboxState(io.cwd);
      await sandbox.close();
      note(io, 'Sandbox stopped.');
    });
}
