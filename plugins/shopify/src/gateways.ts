/**
 * The gateways a merchant may pick in the settings page, and what Shopify's semantics ask of their drivers. The
 * plugin knows no gateway: the app lists them (name, credential fields, a driver factory, the capabilities its
 * driver declares), and every decision below reads capabilities only.
 */
import {
  AuthenticationError,
  ConfigurationError,
  PermissionError,
  type Capabilities,
  type GatewayDriver,
} from '@tijara/core';

export interface CredentialField {
  /** Key in the credentials object given to `createDriver`. */
  readonly name: string;
  readonly label: string;
  /** Secret fields are never shown again once saved (the page shows that one is set). */
  readonly secret?: boolean;
  /** Default true. */
  readonly required?: boolean;
  readonly help?: string;
}

export interface DriverContext {
  readonly shop: string;
  readonly testMode: boolean;
}

export interface GatewayOption {
  /** Stable id (`ummah`); stored with the shop's settings. */
  readonly name: string;
  /** What the merchant sees. */
  readonly label: string;
  readonly fields: readonly CredentialField[];
  /** The capabilities its driver declares (e.g. `UMMAH_CAPABILITIES`): checked when the app starts. */
  readonly capabilities: Capabilities;
  createDriver(credentials: Readonly<Record<string, string>>, context: DriverContext): GatewayDriver;
  /**
   * Prove the credentials work before Shopify is told the shop is ready. Default: read a payment that cannot
   * exist — the gateway refusing the key is an error, "not found" (or any other answer) proves the key.
   */
  checkCredentials?(driver: GatewayDriver): Promise<void>;
  /** The account name Shopify's admin shows for the connection (`paymentsAppConfigure(externalHandle)`). */
  externalHandle?(credentials: Readonly<Record<string, string>>): string | undefined;
}

/** Why a gateway cannot take a kind of Shopify payment, or undefined when it can. */
export function purchaseTypeProblem(
  capabilities: Capabilities,
  kind: 'sale' | 'authorization',
): string | undefined {
  if (kind === 'authorization' && !capabilities.captureModes.includes('manual')) {
    return 'cannot hold funds for a later capture (no manual capture)';
  }
  if (kind === 'sale' && !capabilities.captureModes.includes('automatic')) {
    return 'cannot take a sale in one step (no automatic capture)';
  }
  return undefined;
}

/**
 * Problems that make a gateway unusable on Shopify at all; empty when it can serve payment sessions. Each one is a
 * way Shopify's session semantics would break with money involved, so the app refuses the gateway when it starts
 * (and again when a merchant's settings build a driver), never at a buyer's checkout.
 */
export function shopifyCapabilityProblems(capabilities: Capabilities): string[] {
  const problems: string[] = [];
  if (!capabilities.signedWebhooks && !capabilities.returnResolution) {
    problems.push(
      'cannot report outcomes: it has neither signed webhooks nor return resolution, so a payment could never be resolved or rejected with Shopify',
    );
  }
  if (!capabilities.captureModes.includes('automatic') && !capabilities.captureModes.includes('manual')) {
    problems.push('declares no capture mode');
  }
  if (capabilities.amountPolicy !== 'exact') {
    problems.push(
      `cannot take an exact amount: its amount policy is "${capabilities.amountPolicy}" (the buyer may pay more than asked, as with pay what you want), while a Shopify sale or authorization is for the order's exact total and paymentSessionResolve cannot report another amount`,
    );
  }
  if (!capabilities.signedWebhooks && capabilities.returnResolution && !capabilities.refund) {
    problems.push(
      'cannot give money back: it has no merchant refund, so every Shopify refund session would fail, and without signed webhooks it hears of a payment only when the buyer comes back, so a buyer who pays and closes the page leaves money taken for a session Shopify never resolves, which neither the app nor Shopify can refund',
    );
  }
  return problems;
}

/**
 * What a usable gateway still cannot do on Shopify: the sessions the app will reject, in words for the merchant
 * (the settings page shows them beside the gateway's fields).
 */
export function shopifyLimitations(capabilities: Capabilities): string[] {
  const limits: string[] = [];
  const manual = capabilities.captureModes.includes('manual');
  if (!manual) {
    limits.push(
      'No authorizations: with Shopify set to capture payments manually, checkout is rejected (INVALID_PURCHASE_TYPE); captures and voids do not apply.',
    );
  } else {
    if (!capabilities.partialCapture) limits.push('Captures are for the whole authorized amount only.');
    if (!capabilities.release) limits.push('Voids are rejected: a held payment cannot be released.');
  }
  if (!capabilities.refund) {
    limits.push(
      'Refunds from Shopify are rejected (the gateway has no refund API): refund the buyer from the gateway’s own dashboard.',
    );
  } else {
    if (!capabilities.partialRefund) limits.push('Refunds are for the whole amount only.');
    if (!capabilities.multipleRefunds) limits.push('One refund per payment.');
  }
  if (!capabilities.testMode) limits.push('No test mode: test orders are rejected.');
  if (capabilities.currencies !== 'any') limits.push(`Currencies: ${capabilities.currencies.join(', ')}.`);
  return limits;
}

/**
 * Why a refund, capture or void session cannot be done by the gateway at all, or undefined when it may be tried.
 * Decided from capabilities before anything is recorded or sent: the session is rejected with this message.
 */
export function followUpProblem(
  capabilities: Capabilities,
  label: string,
  kind: 'refund' | 'capture' | 'void',
): string | undefined {
  if (kind === 'refund' && !capabilities.refund) {
    return `${label} has no refund API (no merchant refund), so nothing was refunded: refund the buyer from ${label}’s own dashboard.`;
  }
  if (kind === 'capture' && !capabilities.captureModes.includes('manual')) {
    return `${label} cannot hold funds for a later capture (no manual capture): there is no authorization to capture, and nothing was captured.`;
  }
  if (kind === 'void' && !capabilities.release) {
    return `${label} cannot release held funds (no void), so nothing was voided.`;
  }
  return undefined;
}

/** Validate the gateway list eagerly, naming every problem at once. */
export function validateGateways(gateways: readonly GatewayOption[] | undefined): Map<string, GatewayOption> {
  if (!Array.isArray(gateways) || gateways.length === 0) {
    throw new ConfigurationError('gateways: list at least one gateway the merchant can pick');
  }
  const problems: string[] = [];
  const byName = new Map<string, GatewayOption>();
  for (const [index, gateway] of gateways.entries()) {
    const label = `gateways[${index}]${gateway?.name ? ` (${gateway.name})` : ''}`;
    if (!gateway || typeof gateway !== 'object') {
      problems.push(`${label} is not an object`);
      continue;
    }
    if (typeof gateway.name !== 'string' || !/^[a-z][a-z0-9_-]{0,63}$/.test(gateway.name)) {
      problems.push(`${label}.name must be a lower-case id`);
    } else if (byName.has(gateway.name)) problems.push(`${label}.name is listed twice`);
    if (typeof gateway.label !== 'string' || gateway.label === '') problems.push(`${label}.label`);
    if (typeof gateway.createDriver !== 'function') problems.push(`${label}.createDriver`);
    if (!Array.isArray(gateway.fields)) problems.push(`${label}.fields`);
    if (!gateway.capabilities || typeof gateway.capabilities !== 'object') {
      problems.push(`${label}.capabilities (the capabilities its driver declares)`);
    } else {
      const unusable = shopifyCapabilityProblems(gateway.capabilities);
      if (unusable.length > 0) problems.push(`${label} is refused for Shopify: it ${unusable.join('; it ')}`);
    }
    byName.set(gateway.name, gateway);
  }
  if (problems.length > 0)
    throw new ConfigurationError(`Unusable gateway configuration: ${problems.join('; ')}`);
  return byName;
}

/** Build a shop's driver and hold it to the same rules (a driver may narrow what its gateway declares). */
export function createShopDriver(
  gateway: GatewayOption,
  credentials: Readonly<Record<string, string>>,
  context: DriverContext,
): GatewayDriver {
  const driver = gateway.createDriver(credentials, context);
  const problems = shopifyCapabilityProblems(driver.capabilities);
  if (problems.length > 0) {
    throw new ConfigurationError(
      `${gateway.label} cannot be used with Shopify: it ${problems.join('; it ')}`,
      {
        gateway: driver.name,
        code: 'unusable_gateway',
      },
    );
  }
  return driver;
}

/** A payment id no gateway issues: reading it tests the credentials without creating anything. */
const PROBE_ID = 'tijara-credentials-check-00000000';

export async function checkGatewayCredentials(gateway: GatewayOption, driver: GatewayDriver): Promise<void> {
  if (gateway.checkCredentials) return gateway.checkCredentials(driver);
  try {
    await driver.retrievePayment(PROBE_ID);
  } catch (error) {
    if (error instanceof AuthenticationError || error instanceof PermissionError) throw error;
    // Not found, or an id format the gateway refuses: either way it accepted the key.
    if (
      (error as { statusCode?: number }).statusCode !== undefined &&
      (error as { statusCode: number }).statusCode < 500
    ) {
      return;
    }
    throw error;
  }
}
