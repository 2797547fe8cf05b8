import { NumipayClient, toNumipayAmount } from '@tijara/numipay';
import type { CliIo } from '../cli-io.js';
import { CliError, UsageError } from '../cli-errors.js';
import { sharedSecret } from '../gateway-credential.js';
import {
  requireSetting,
  resolveConnection,
  type ConnectionFlags,
  type ResolvedConnection,
} from '../gateway-connection.js';
import { numipayProfile } from '../gateway-profiles.js';
import { gatewaySigner } from '../gateway-signers.js';
import type { SandboxControl } from '../sandbox-control.js';
import {
  sameEventAndObject,
  type CausedEvent,
  type ConnectedGateway,
  type DeliverySummary,
  type RealEvent,
  type Subscription,
  type WebhookGateway,
} from '../webhook-gateway.js';
import { pastDelivery, sandboxDeliveryId } from './sandbox-delivery-log.js';

const signer = gatewaySigner('numipay');
/** The sandbox pays an approved payout out this long after the approval (its clock runs in real time). */
const PAYOUT_SECONDS = 30;

/** A URL on this machine, which a gateway on the internet cannot call. */
function isLocal(url: string): boolean {
  return /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i.test(new URL(url).hostname);
}

/** `<transaction_type>.<status>` (`deposit.successful`, `withdrawal.pending`…) about the transaction. */
function describe(body: Buffer): DeliverySummary {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const type = text(parsed['transaction_type']);
    const status = text(parsed['status']);
    return {
      event: type && status ? `${type}.${status}` : undefined,
      objectId: text(parsed['transaction_id']),
    };
  } catch {
    return { event: undefined, objectId: undefined };
  }
}

interface Scenario extends RealEvent {
  readonly kind: 'deposit' | 'withdrawal';
  /** The buyer at the cashier, or the merchant's decision on the payout. */
  readonly outcome: 'success' | 'decline' | 'submit' | 'reject' | 'approve';
}

const payout = 'open a payout cashier, request the payout as the payee';

/** Events `trigger` can cause on a Numipay sandbox, through the API and the cashier's control actions. */
const SCENARIOS: Readonly<Record<string, Scenario>> = {
  'deposit.successful': {
    steps: 'open a deposit cashier, pay it as the buyer',
    needsSandbox: true,
    kind: 'deposit',
    outcome: 'success',
  },
  'deposit.rejected': {
    steps: 'open a deposit cashier, decline it as the buyer',
    needsSandbox: true,
    kind: 'deposit',
    outcome: 'decline',
  },
  'withdrawal.pending': { steps: payout, needsSandbox: true, kind: 'withdrawal', outcome: 'submit' },
  'withdrawal.rejected': {
    steps: `${payout}, reject it`,
    needsSandbox: true,
    kind: 'withdrawal',
    outcome: 'reject',
  },
  'withdrawal.successful': {
    steps: `${payout}, approve it; it is paid out ${PAYOUT_SECONDS} s later`,
    needsSandbox: true,
    delaySeconds: PAYOUT_SECONDS,
    kind: 'withdrawal',
    outcome: 'approve',
  },
};

function transactionIdOf(view: unknown): string {
  const id = (view as { transaction_id?: unknown } | undefined)?.transaction_id;
  if (typeof id !== 'string') throw new CliError('the sandbox answered without a transaction_id');
  return id;
}

function connected(io: CliIo, connection: ResolvedConnection): ConnectedGateway {
  const { baseUrl, sandbox } = connection;
  let client: NumipayClient | undefined;
  const api = (): NumipayClient =>
    (client ??= new NumipayClient({
      apiKey: requireSetting(connection, 'apiKey'),
      baseUrl,
      // A CLI is interactive: fail fast on a dead endpoint instead of the library's patient retry schedule.
      maxAttempts: 2,
      backoffBaseMs: 200,
      jitterMs: 50,
    }));
  const needSandbox = (what: string): SandboxControl => {
    if (sandbox) return sandbox;
    throw new CliError(
      `${what} needs the sandbox's control API (a buyer or payee at the cashier), and ${baseUrl} is not a ` +
        'Tijara sandbox; send a signed body instead (--file body.json --secret … --to URL)',
    );
  };
  // Where `listen` pointed the account's deliveries, to tell its deliveries in the sandbox's log.
  let listening: string | undefined;

  async function run(event: string, scenario: Scenario, reference: string, callback?: string) {
    const control = needSandbox(event);
    const request = {
      mode: 'test' as const,
      user_id: 'tijara-cli',
      tracking_id: reference,
      amount: toNumipayAmount(2999, 'EUR'),
      currency: 'EUR',
      customer: { email: 'buyer@example.com', first_name: 'Test', last_name: 'Buyer' },
      // A request's own callback URL wins over the account's: `--to` gets this event alone.
      settings: callback ? { callback_url: callback } : {},
    };
    if (scenario.kind === 'deposit') {
      const { token } = await api().payments.cashier({ request });
      const path = `numipay/sessions/${encodeURIComponent(token)}`;
      return transactionIdOf(
        scenario.outcome === 'success'
          ? await control.request('POST', `${path}/pay`, { outcome: 'success' })
          : await control.request('POST', `${path}/decline`, {}),
      );
    }
    const { token } = await api().payouts.cashier({ request });
    const id = transactionIdOf(
      await control.request('POST', `numipay/payouts/${encodeURIComponent(token)}/submit`, {}),
    );
    if (scenario.outcome === 'reject') await api().payouts.reject({ transaction_id: id });
    if (scenario.outcome === 'approve') await api().payouts.approve({ transaction_id: id });
    return id;
  }

  return {
    apiBase: baseUrl,
    isSandbox: sandbox !== undefined,

    async subscribe(callback, options): Promise<Subscription> {
      if (options.secret !== undefined) {
        throw new UsageError(
          "Numipay signs with the account's signature password: --secret does not apply to listen",
        );
      }
      const password = connection.settings['signaturePassword'];
      const verification = password
        ? ['Signature password (verify x-signature with it, e.g. as NUMIPAY_SIGNATURE_PASSWORD):', password]
        : ["Verify x-signature with the account's signature password (NUMIPAY_SIGNATURE_PASSWORD)"];
      if (!sandbox) {
        const unreachable = isLocal(callback)
          ? ' (Numipay cannot reach this machine: expose --port through a tunnel and pass its URL as --public-url)'
          : '';
        return {
          id: '',
          registered: `Numipay has no API for its webhook URL: set it to ${callback} in the back office${unreachable}`,
          verification,
          removal: 'the back office keeps the webhook URL until you change it',
          remove: async () => undefined,
        };
      }
      // The sandbox's stand-in for the back office's setting; put back as it was when listen stops.
      const previous = sandbox.info.gateways['numipay']?.['webhookUrl'];
      await sandbox.request('PUT', 'numipay/webhook-url', { url: callback });
      listening = callback;
      return {
        id: '',
        registered:
          `Webhook URL of the Numipay account on ${baseUrl} set to ${callback} ` +
          "(every transaction's status changes, unless its request names its own settings.callback_url)",
        verification,
        removal: previous ? `restoring the webhook URL ${previous}` : 'clearing the webhook URL',
        remove: () =>
          sandbox.request('PUT', 'numipay/webhook-url', { url: previous ?? null }).then(() => undefined),
      };
    },

    async deliveryIdOf(_subscription, delivery) {
      if (!sandbox) return undefined;
      return sandboxDeliveryId(sandbox, 'numipay', delivery.body, (d) => d.callback === listening);
    },

    async cause(event, options): Promise<CausedEvent> {
      const scenario = SCENARIOS[event];
      if (!scenario) throw new CliError(`${event} cannot be caused on Numipay`);
      if (options.secret !== undefined) {
        throw new UsageError(
          "Numipay signs with the account's signature password: --secret only signs a body you send with --file",
        );
      }
      const objectId = await run(event, scenario, options.reference, options.callback);
      const notes = options.callback
        ? [
            "Signed with the account's signature password (NUMIPAY_SIGNATURE_PASSWORD, as `tijara sandbox` prints it)",
          ]
        : [];
      return { objectId, notes, cleanup: async () => undefined };
    },

    async replayable(deliveryId, lookup) {
      const past = await pastDelivery(io, 'numipay', deliveryId, sandbox);
      // The digest has no timestamp: the signature kept with the delivery is the one signing it again would give.
      let signature = lookup.secret === undefined ? past.signature : undefined;
      const password =
        lookup.secret ?? sharedSecret(io, signer, {}) ?? connection.settings['signaturePassword'];
      if (!signature && password) signature = signer.sign(past.bytes, password, 0);
      if (!signature) {
        throw new CliError(
          `the x-signature of ${deliveryId} is not known here: pass --secret with the signature password (or set ` +
            'NUMIPAY_SIGNATURE_PASSWORD)',
        );
      }
      return { event: past.event, bytes: past.bytes, headers: { [signer.header]: signature }, notes: [] };
    },
  };
}

/**
 * Numipay: no webhook API — deliveries go to each request's `settings.callback_url`, else the URL set in the back
 * office (on a sandbox, `PUT /__sandbox/numipay/webhook-url`); the payee's and buyer's actions at the cashier go
 * through the control API, the merchant's payout decisions through the API.
 */
export const numipayWebhooks: WebhookGateway = {
  name: 'numipay',
  title: 'Numipay',
  signer,
  realEvents: SCENARIOS,
  subscriptionEvents(names) {
    if (names) {
      throw new UsageError('Numipay sends every status change to one URL: --events does not apply');
    }
    return undefined;
  },
  checkEventName: () => undefined,
  describe,
  concerns: sameEventAndObject,
  connect: async (io: CliIo, flags: ConnectionFlags) =>
    connected(io, await resolveConnection(io, numipayProfile, flags)),
};
