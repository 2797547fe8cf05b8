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

/** Problems that make a gateway unusable on Shopify at all; empty when it can serve payment sessions. */
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
  return problems;
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
      for (const problem of shopifyCapabilityProblems(gateway.capabilities))
        problems.push(`${label} ${problem}`);
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
    throw new ConfigurationError(`${gateway.label} as configured ${problems.join('; ')}`, {
      gateway: driver.name,
      code: 'unusable_gateway',
    });
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
