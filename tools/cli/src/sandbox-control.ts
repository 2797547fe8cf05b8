import { CliError } from './cli-errors.js';

/** What the CLI uses of a sandbox's `GET /__sandbox/info`. */
export interface SandboxInfo {
  readonly brandId: string | undefined;
}

/** A delivery as the control API lists it (`GET /__sandbox/deliveries`). */
export interface SandboxDelivery {
  readonly id: string;
  readonly source_type: string;
  readonly source_id: string;
}

/**
 * The sandbox's own control API under `/__sandbox/` (not part of the Ummah API, so not in the Ummah driver):
 * lets `webhooks trigger` pay a purchase the way a buyer on the hosted page would, without a browser.
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
      return new SandboxControl(origin, { brandId }, headers);
    } catch {
      return undefined;
    }
  }

  /** Pay a purchase as a buyer would on the hosted page (a 3-D Secure step is passed automatically). */
  async pay(purchaseId: string, card: { cardNumber: string; rememberCard?: boolean }): Promise<unknown> {
    return this.#request('POST', `purchases/${encodeURIComponent(purchaseId)}/pay`, {
      card_number: card.cardNumber,
      remember_card: card.rememberCard ?? false,
    });
  }

  /** Every delivery the sandbox has logged, to find which object a delivery id belongs to. */
  async deliveries(): Promise<SandboxDelivery[]> {
    const body = (await this.#request('GET', 'deliveries')) as { results?: SandboxDelivery[] };
    return body.results ?? [];
  }

  async #request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
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
