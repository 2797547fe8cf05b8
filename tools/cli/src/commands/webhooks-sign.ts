import type { Command } from 'commander';
import { readAll, say, type CliIo } from '../cli-io.js';
import { gatewayCredential, type CredentialFlags } from '../gateway-credential.js';
import { DEFAULT_GATEWAY, GATEWAY_OPTION_HELP, gatewaySigner } from '../gateway-signers.js';
import { readBodyFile } from '../key-files.js';
import { parseEpochSeconds } from '../option-parsers.js';

interface SignOptions extends CredentialFlags {
  gateway: string;
  file?: string;
  timestamp?: number;
}

export function registerWebhooksSignCommand(webhooks: Command, io: CliIo): void {
  webhooks
    .command('sign')
    .summary("print a body's webhook signature (file or stdin), as the gateway would sign it")
    .description(
      "Print the value of the gateway's signature header for a body, over its exact bytes (no newline is added " +
        'or removed). Ummah: X-Signature, base64 RSA PKCS#1 v1.5 over SHA-256, with --key. Postpay: ' +
        'X-Postpay-Signature, <timestamp>:<hex HMAC-SHA256 of "<timestamp>:<body>">, with --secret. Numipay: ' +
        'x-signature, uppercase hex SHA-1 of the body followed by --secret. Reads the body from --file or stdin.',
    )
    .option('-g, --gateway <name>', GATEWAY_OPTION_HELP, DEFAULT_GATEWAY)
    .option('-k, --key <file>', 'Ummah: PEM private key to sign with (see `tijara keys generate`)')
    .option('--secret <secret>', 'Postpay, Numipay: the shared secret (env TIJARA_WEBHOOK_SECRET)')
    .option('-f, --file <file>', 'file holding the body (default: stdin)')
    .option('--timestamp <seconds>', 'Postpay: the signed timestamp (default: now)', parseEpochSeconds)
    .action(async (options: SignOptions) => {
      const signer = gatewaySigner(options.gateway);
      const credential = gatewayCredential(io, signer, options);
      const body = options.file ? readBodyFile(io, options.file) : await readAll(io.stdin);
      say(io, signer.sign(body, credential, options.timestamp ?? Math.floor(Date.now() / 1000)));
    });
}
