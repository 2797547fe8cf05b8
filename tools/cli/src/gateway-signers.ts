import { generateDigestTestHeader, generateHmacTestHeader } from '@tijara/core';
import { signUmmahPayload } from '@tijara/ummah';
import { CliError, UsageError } from './cli-errors.js';

/**
 * How each gateway signs its webhook deliveries, for `tijara webhooks … --gateway <name>`. One entry per gateway
 * the suite knows; the credential is what the gateway's merchant holds (a key file, a shared secret).
 */
export interface GatewaySigner {
  readonly name: string;
  /** `--key <PEM file>` (RSA) or `--secret <value>`; `none`: the gateway signs nothing. */
  readonly credential: 'private-key' | 'secret' | 'none';
  /** The header the signature travels in. */
  readonly header: string;
  /** The signature scheme, as `--help` describes it. */
  readonly scheme: string;
  /** Where a store keeps the shared secret (read after `--secret`, before TIJARA_WEBHOOK_SECRET). */
  readonly secretEnv?: string;
  /** The signature header's value over the exact body bytes, made at `timestamp` (epoch seconds). */
  sign(body: Buffer, credential: string, timestamp: number): string;
}

const ummah: GatewaySigner = {
  name: 'ummah',
  credential: 'private-key',
  header: 'x-signature',
  scheme: 'X-Signature: base64 RSA PKCS#1 v1.5 over SHA-256 of the body',
  sign: (body, pem) => signUmmahPayload(body, pem),
};

const postpay: GatewaySigner = {
  name: 'postpay',
  credential: 'secret',
  header: 'x-postpay-signature',
  scheme: 'X-Postpay-Signature: <timestamp>:<hex HMAC-SHA256 of "<timestamp>:<body>">',
  secretEnv: 'POSTPAY_HOOK_SECRET',
  // Core's test signer is the one implementation of the scheme its verifier (and the Postpay driver) checks.
  sign: (body, secret, timestamp) => generateHmacTestHeader({ payload: body, secret, timestamp }),
};

const numipay: GatewaySigner = {
  name: 'numipay',
  credential: 'secret',
  header: 'x-signature',
  scheme: 'x-signature: uppercase hex SHA-1 of the body followed by the signature password',
  secretEnv: 'NUMIPAY_SIGNATURE_PASSWORD',
  sign: (body, password) => generateDigestTestHeader({ payload: body, secret: password, algorithm: 'sha1' }),
};

export const UHMI_NO_WEBHOOKS =
  'Uhmi signs no webhooks: your server re-reads the transaction (GET /transactions/{id})';

const uhmi: GatewaySigner = {
  name: 'uhmi',
  credential: 'none',
  header: '',
  scheme: UHMI_NO_WEBHOOKS,
  sign: () => {
    throw new CliError(UHMI_NO_WEBHOOKS);
  },
};

const SIGNERS: Readonly<Record<string, GatewaySigner>> = { ummah, postpay, numipay, uhmi };

export const DEFAULT_GATEWAY = 'ummah';
export const GATEWAY_NAMES = Object.keys(SIGNERS);

/** `--gateway <name>`, for every command that signs or sends webhooks. */
export const GATEWAY_OPTION_HELP = `gateway whose webhooks these are: ${GATEWAY_NAMES.join(', ')}`;

export function gatewaySigner(name: string): GatewaySigner {
  const signer = SIGNERS[name.toLowerCase()];
  if (!signer) throw new UsageError(`unknown gateway '${name}' (known: ${GATEWAY_NAMES.join(', ')})`);
  return signer;
}
