import type { CliIo } from '../cli-io.js';
import { CliError } from '../cli-errors.js';
import { capturedGateway, readCapturedDeliveries } from '../local-state.js';
import type { SandboxControl, SandboxDelivery } from '../sandbox-control.js';

/**
 * The exact bytes the sandbox sent. Its log shows the body parsed; the sandbox writes bodies with JSON.stringify,
 * which round-trips through JSON.parse byte for byte.
 */
export function loggedBytes(delivery: SandboxDelivery): Buffer | undefined {
  if (delivery.payload === undefined) return undefined;
  const text = typeof delivery.payload === 'string' ? delivery.payload : JSON.stringify(delivery.payload);
  return Buffer.from(text, 'utf8');
}

/**
 * The sandbox's id of a delivery `listen` received, for gateways whose API keeps no delivery log (Postpay,
 * Numipay): the newest delivery of that gateway that `isOurs` and carried exactly these bytes.
 */
export async function sandboxDeliveryId(
  sandbox: SandboxControl,
  gateway: string,
  body: Buffer,
  isOurs: (delivery: SandboxDelivery) => boolean,
): Promise<string | undefined> {
  const logged = await sandbox.deliveries(gateway);
  return logged.reverse().find((delivery) => isOurs(delivery) && loggedBytes(delivery)?.equals(body))?.id;
}

/** A past delivery, and the signature it arrived with when `listen` received it here. */
export interface PastDelivery {
  readonly event: string | undefined;
  readonly bytes: Buffer;
  readonly signature: string | undefined;
}

/**
 * A delivery by id: the copy `webhooks listen` kept in this directory, else the sandbox's delivery log (with the
 * signature of a kept copy of the same bytes, if any).
 */
export async function pastDelivery(
  io: CliIo,
  gateway: string,
  deliveryId: string,
  sandbox: SandboxControl | undefined,
): Promise<PastDelivery> {
  const captured = readCapturedDeliveries(io.cwd)
    .filter((entry) => capturedGateway(entry) === gateway)
    .reverse();
  const kept = captured.find((entry) => entry.deliveryId === deliveryId);
  if (kept) {
    return { event: kept.event, bytes: Buffer.from(kept.body, 'base64'), signature: kept.signature };
  }
  const logged = sandbox ? (await sandbox.deliveries(gateway)).find((d) => d.id === deliveryId) : undefined;
  const bytes = logged ? loggedBytes(logged) : undefined;
  if (!logged || !bytes) {
    throw new CliError(
      `no delivery ${deliveryId}: \`tijara webhooks listen\` did not receive it in this directory, and ` +
        (sandbox ? 'the sandbox has none' : 'only a sandbox keeps a delivery log to read it from'),
    );
  }
  const sameBytes = captured.find((entry) => Buffer.from(entry.body, 'base64').equals(bytes));
  return { event: logged.event, bytes, signature: sameBytes?.signature };
}
