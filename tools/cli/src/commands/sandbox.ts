import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Logger } from '@tijara/core';
import { note, say, untilStopped, type CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { exportLine, sandboxConnections, sandboxState } from '../gateway-profiles.js';
import { clearSandboxState, writeSandboxState } from '../local-state.js';
import { parseList, parseNumber, parsePort, parseUrl } from '../option-parsers.js';

export const DEFAULT_SANDBOX_PORT = 4010;
/** The file `npm start` (examples/express-store) keeps its sandbox in, under the repository root. */
export const DEFAULT_SANDBOX_DB = '.tijara/sandbox.sqlite';
/** The control token's environment variable, for `tijara sandbox` and for the commands that talk to one. */
export const CONTROL_TOKEN_ENV = 'TIJARA_SANDBOX_TOKEN';

interface SandboxOptions {
  port: number;
  host: string;
  secretKey?: string;
  brandId?: string;
  brandName?: string;
  db?: string;
  memory?: boolean;
  webhookTimeScale?: number;
  publicUrl?: string;
  controlToken?: string;
  allowedHost?: string[];
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
    .summary('run the local gateway sandbox (every gateway it emulates) until Ctrl+C')
    .description(
      'Run the local gateway sandbox until SIGINT or SIGTERM: every gateway it emulates at once (Ummah at the ' +
        'root, Postpay at /postpay, Uhmi at /uhmi, Numipay at /numipay: APIs, hosted pages, signed webhooks), and ' +
        'the control API under /__sandbox/. Prints each connection (and `export` lines a store reads) and keeps ' +
        'them in .tijara/sandbox.json for the other commands. State persists ' +
        `in a SQLite file (default ${DEFAULT_SANDBOX_DB}, the file \`npm start\` in examples/express-store keeps ` +
        'under the repository root, so run from there both share one sandbox) unless --memory is given.\n\n' +
        'It listens on 127.0.0.1. To listen anywhere else (--host 0.0.0.0, a LAN address) a control token is ' +
        `required (--control-token or ${CONTROL_TOKEN_ENV}): the control API then answers only requests that ` +
        'send it (Authorization: Bearer <token>), and refuses other sites and host names either way.',
    )
    .option(
      '-p, --port <port>',
      'TCP port to listen on (0 picks a free one)',
      parsePort,
      DEFAULT_SANDBOX_PORT,
    )
    .option('--host <host>', 'interface to bind; anything but loopback needs --control-token', '127.0.0.1')
    .option(
      '--control-token <token>',
      `token the control API (/__sandbox/) requires (env ${CONTROL_TOKEN_ENV}); required beyond loopback`,
    )
    .option(
      '--allowed-host <names>',
      'further host names the control API answers to (comma-separated; e.g. a LAN name)',
      parseList,
    )
    .option('--secret-key <key>', 'the sk_test_… key the Ummah API accepts (default: the sandbox picks one)')
    .option('--brand-id <id>', 'brand id of the emulated Ummah account (default: the sandbox picks one)')
    .option(
      '--brand-name <name>',
      "the merchant's name on Ummah's hosted pages (remembered; default Sandbox Store)",
    )
    .option(
      '--db <file>',
      `SQLite file for the sandbox state (default: ${DEFAULT_SANDBOX_DB} in this directory, which npm start ` +
        'uses at the repository root)',
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
      const controlToken = options.controlToken ?? (io.env[CONTROL_TOKEN_ENV] || undefined);

      // Loaded on demand: the emulator (HTTP server, SQLite) is heavy and only this command needs it.
      const { isLoopbackHost, startSandbox } = await import('@tijara/sandbox').catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_BUILTIN_MODULE') {
          throw new CliError(
            `the sandbox needs Node >= 22.12 (for node:sqlite) and this is ${process.version}; ` +
              "run it as `npx tijara sandbox`, which uses the repository's Node 24",
          );
        }
        throw error;
      });
      if (!isLoopbackHost(options.host) && !controlToken) {
        throw new UsageError(
          `--host ${options.host} makes the sandbox reachable beyond this machine: pass --control-token ` +
            `(or set ${CONTROL_TOKEN_ENV}) so only you can drive it`,
        );
      }
      // Listen for Ctrl+C before announcing readiness, so a signal right after the banner is never lost.
      const stopped = untilStopped(io);
      const dbFile = options.memory ? ':memory:' : resolve(io.cwd, options.db ?? DEFAULT_SANDBOX_DB);
      // The directory holds keys: this user's alone (the sandbox makes the file itself 0600).
      if (!options.memory) mkdirSync(dirname(dbFile), { recursive: true, mode: 0o700 });

      const sandbox = await startSandbox({
        port: options.port,
        host: options.host,
        dbFile,
        ...(options.secretKey === undefined ? {} : { secretKey: options.secretKey }),
        ...(options.brandId === undefined ? {} : { brandId: options.brandId }),
        ...(options.brandName === undefined ? {} : { brandName: options.brandName }),
        ...(options.webhookTimeScale === undefined ? {} : { webhookTimeScale: options.webhookTimeScale }),
        ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl.replace(/\/$/, '') }),
        ...(controlToken === undefined ? {} : { controlToken }),
        ...(options.allowedHost === undefined ? {} : { allowedHosts: options.allowedHost }),
        ...(options.verbose ? { logger: stderrLogger(io) } : {}),
      }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new CliError(
            `${options.host}:${options.port} is already in use (another sandbox?); choose another --port`,
          );
        }
        throw error;
      });
      const connections = sandboxConnections(sandbox);
      writeSandboxState(io.cwd, sandboxState(sandbox));

      say(io, `Sandbox listening on ${sandbox.url}`);
      say(io, `  State       ${options.memory ? 'in memory' : dbFile}`);
      say(
        io,
        `  Control     ${sandbox.url}/__sandbox/info${controlToken ? ' (send the control token)' : ''}`,
      );
      for (const { profile, record } of connections) {
        say(io);
        say(io, profile.title);
        for (const setting of profile.settings) {
          const value = record[setting.key];
          if (value !== undefined) say(io, `  ${setting.label.padEnd(11)} ${value}`);
        }
        for (const line of profile.notes(sandbox.url)) say(io, `  ${line}`);
      }
      // A gateway the sandbox serves and this CLI does not know yet: where it is, and where its details are.
      const known = new Set(connections.map(({ profile }) => profile.name));
      for (const name of Object.keys(sandbox.gateways).filter((gateway) => !known.has(gateway))) {
        say(io);
        say(io, `${name[0]!.toUpperCase()}${name.slice(1)}`);
        say(io, `  Base URL    ${sandbox.url}/${name} (details: /__sandbox/info → gateways.${name})`);
      }
      say(io);
      say(io, '# A store connects with these (each driver reads its own):');
      for (const { profile, record } of connections) {
        for (const setting of profile.settings) {
          const value = record[setting.key];
          if (value !== undefined) say(io, exportLine(setting.env, value));
        }
      }
      say(io);
      say(io, 'Press Ctrl+C to stop.');

      const reason = await stopped;
      note(io, `Stopping the sandbox (${reason})…`);
      clearSandboxState(io.cwd);
      await sandbox.close();
      note(io, 'Sandbox stopped.');
    });
}
