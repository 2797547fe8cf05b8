import { CliError } from './cli-errors.js';
import { connectionRecords, type GatewayConnectionRecord } from './local-state.js';

/** What the CLI uses of a sandbox's `GET /__sandbox/info`. */
export interface SandboxInfo {
  /** Ummah's brand id (the top-level `brand_id`). */
  readonly brandId: string | undefined;
  /** Each gateway's connection details (`gateways.<name>`), string values only. */
  readonly gateways: Readonly<Record<string, GatewayConnectionRecord>>;
}

/** A delivery as the control API lists it (`GET /__sandbox/deliveries`). */
export interface SandboxDelivery {
  readonly id: string;
  readonly gateway?: string;
  readonly webhook_id?: string | null;
  readonly event?: string;
  readonly callback?: string;
  readonly source_type: string;
  readonly source_id: string;
  /** The body sent, parsed when it is JSON (the sandbox sends what JSON.stringify wrote, so it round-trips). */
  readonly payload?: unknown;
}

/**
 * The sandbox's own control API under `/__sandbox/` (not part of any gateway's API, so in no driver): lets
 * `webhooks trigger` act as the buyer (pay a purchase, approve a checkout, pay at a cashier) without a browser,
 * and the webhook commands read the delivery log and connection details.
 */
export class SandboxControl {
  readonly origin: string;
  readonly info: SandboxInfo;
  readonly #headers: Record<string, string>;

  private constructor(origin: string, info: SandboxInfo, headers: Record<string, string>) {
    this.origin = origin;
    this.info = info;
    this.#headers = headers;
  }

  /**
   * The sandbox behind `apiBase`, or undefined when nothing there answers like one (e.g. a real gateway). A
   * sandbox started with a control token is driven with it (`TIJARA_SANDBOX_TOKEN`).
   */
  static async detect(apiBase: string, controlToken?: string): Promise<SandboxControl | undefined> {
    const origin = new URL(apiBase).origin;
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(controlToken ? { authorization: `Bearer ${controlToken}` } : {}),
    };
    try {
      const response = await fetch(`${origin}/__sandbox/info`, {
        headers,
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) return undefined;
      const body = (await response.json()) as Record<string, unknown> | null;
      if (typeof body !== 'object' || body === null || body['is_test'] !== true) return undefined;
      const brandId = typeof body['brand_id'] === 'string' ? body['brand_id'] : undefined;
      return new SandboxControl(
        origin,
        { brandId, gateways: connectionRecords(body['gateways']) ?? {} },
        headers,
      );
    } catch {
      return undefined;
    }
  }

  /** Pay an Ummah purchase as a buyer would on the hosted page (a 3-D Secure step is passed automatically). */
  async pay(purchaseId: string, card: { cardNumber: string; rememberCard?: boolean }): Promise<unknown> {
    return this.request('POST', `purchases/${encodeURIComponent(purchaseId)}/pay`, {
      card_number: card.cardNumber,
      remember_card: card.rememberCard ?? false,
    });
  }

  /** Every delivery the sandbox has logged (of one gateway), to find a delivery's object and bytes. */
  async deliveries(gateway?: string): Promise<SandboxDelivery[]> {
    const query = gateway ? `?gateway=${encodeURIComponent(gateway)}` : '';
    const body = (await this.request('GET', `deliveries${query}`)) as { results?: SandboxDelivery[] };
    return body.results ?? [];
  }

  /** A control API call (`path` under `/__sandbox/`); a non-2xx answer is a CliError quoting it. */
  async request(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.origin}/__sandbox/${path}`, {
      method,
      headers: {
        ...this.#headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new CliError(
        `sandbox control API ${method} /__sandbox/${path} answered ${response.status}: ${text.slice(0, 300)}`,
      );
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
