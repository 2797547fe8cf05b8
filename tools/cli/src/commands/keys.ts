import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { generateUmmahTestKeys } from '@tijara/ummah';
import { say, type CliIo } from '../cli-io.js';
import { CliError } from '../cli-errors.js';

export const PRIVATE_KEY_FILE = 'private.pem';
export const PUBLIC_KEY_FILE = 'public.pem';

interface GenerateOptions {
  out?: string;
  force?: boolean;
}

export function registerKeysCommand(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('manage RSA keys for signing test webhooks');

  keys
    .command('generate')
    .summary('generate an RSA key pair (PEM) for signing test webhooks')
    .description(
      'Generate an RSA-2048 key pair (PEM) like the gateway signs webhooks with. With --out, writes ' +
        `${PRIVATE_KEY_FILE} (mode 600) and ${PUBLIC_KEY_FILE} into DIR; otherwise prints both PEMs to stdout.`,
    )
    .option('-o, --out <dir>', 'directory to write the key files into (created if missing)')
    .option('-f, --force', 'overwrite key files that already exist')
    .action((options: GenerateOptions) => {
      const pair = generateUmmahTestKeys();
      if (!options.out) {
        io.stdout.write(pair.privateKey.endsWith('\n') ? pair.privateKey : `${pair.privateKey}\n`);
        io.stdout.write(pair.publicKey.endsWith('\n') ? pair.publicKey : `${pair.publicKey}\n`);
        return;
      }
      const dir = resolve(io.cwd, options.out);
      const privatePath = join(dir, PRIVATE_KEY_FILE);
      const publicPath = join(dir, PUBLIC_KEY_FILE);
      for (const path of [privatePath, publicPath]) {
        if (existsSync(path) && !options.force) {
          throw new CliError(
            `${relative(io.cwd, path) || path} already exists; pass --force to overwrite it`,
          );
        }
      }
      mkdirSync(dir, { recursive: true });
      writeFileSync(privatePath, pair.privateKey, { mode: 0o600 });
      writeFileSync(publicPath, pair.publicKey);
      say(io, `private key  ${privatePath}`);
      say(io, `public key   ${publicPath}`);
    });
}
