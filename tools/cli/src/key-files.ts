import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliIo } from './cli-io.js';
import { CliError } from './cli-errors.js';

function read(io: CliIo, file: string, what: string): Buffer {
  try {
    return readFileSync(resolve(io.cwd, file));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CliError(`cannot read ${what} ${file}: ${reason}`);
  }
}

/** A PEM private key from disk, checked early so a wrong file gives a clear message, not an OpenSSL one. */
export function readPrivateKey(io: CliIo, file: string): string {
  const pem = read(io, file, 'key file').toString('utf8');
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) {
    throw new CliError(`${file} is not a PEM private key (make one with \`tijara keys generate\`)`);
  }
  return pem;
}

/** The exact bytes of a body file. */
export function readBodyFile(io: CliIo, file: string): Buffer {
  return read(io, file, 'body file');
}
