import type { Command } from 'commander';
import { signUmmahPayload } from '@tijara/ummah';
import { readAll, say, type CliIo } from '../cli-io.js';
import { readBodyFile, readPrivateKey } from '../key-files.js';

interface SignOptions {
  key: string;
  file?: string;
}

export function registerWebhooksSignCommand(webhooks: Command, io: CliIo): void {
  webhooks
    .command('sign')
    .summary('print the X-Signature of a body (file or stdin)')
    .description(
      'Print the X-Signature header value for a body: base64 RSA PKCS#1 v1.5 over SHA-256 of the exact bytes ' +
        '(no newline is added or removed). Reads the body from --file or from stdin.',
    )
    .requiredOption('-k, --key <file>', 'PEM private key to sign with (see `tijara keys generate`)')
    .option('-f, --file <file>', 'file holding the body (default: stdin)')
    .action(async (options: SignOptions) => {
      const privateKey = readPrivateKey(io, options.key);
      const body = options.file ? readBodyFile(io, options.file) : await readAll(io.stdin);
      say(io, signUmmahPayload(body, privateKey));
    });
}
