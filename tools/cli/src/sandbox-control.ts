import { CliError } from './cli-errors.js';

/** What the CLI needs from a sandbox's `GET /__sandbox/info`. */
export interface SandboxInfo {
  readonly secretKey: string | undefined;
  readonly brandId: string | undefined;
}

function pick(body: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = body[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * The sandbox's own control API under `/__sandbox/` (not part of the Ummah API, so not in the Ummah driver):
 * lets `webhooks trigger` pay a purchase the way a buyer on the hosted page would, without a browser.
 */
export class SandboxControl {
  readonly origin: string;
  readonly info: SandboxInfo;
  readonly #secretKey: string | undefined;

  private constructor(origin: string, info: SandboxInfo, secretKey: string | undefined) {
    this.origin = origin;
    this.info = info;
    this.#secretKey = secretKey;
  }

  /** The sandbox behind `apiBase`, or undefined when nothing there answers like one (a real gateway). */
  static async detect(apiBase: string, secretKey?: string): Promise<SandboxControl | undefined> {
    const origin = new URL(apiBase).origin;
    let response: Response;
    try {
      response = await fetch(`${origin}/__sandbox/info`, {
        headers: { accept: 'application/json', ...(secretKey ? { authorization: `Bearer ${secretKey}` } : {}) },
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      return undefined;
    }
    if (!response.ok) return undefined;
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return undefined;
    }
    if (typeof body !== 'object' || body === null) return undefined;
    const record = body as Record<string, unknown>;
    const info = {
      secretKey: pick(record, 'secretKey', 'secret_key'),
      brandId: pick(record, 'brandId', 'brand_id'),
    };
    return new SandboxControl(origin, info, secretKey ?? info.secretKey);
  }

  /** Pay a purchase as a buyer would on the hosted page (3-D Secure is passed automatically). */
  async pay(purchaseId: string, card: { cardNumber: string; rememberCard?: boolean }): Promise<unknown> {
    return this.#post(`purchases/${encodeURIComponent(purchaseId)}/pay`, {
      card_number: card.cardNumber,
      remember_card: card.rememberCard ?? false,
    });
  }

  async #post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.origin}/__sandbox/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(this.#secretKey ? { authorization: `Bearer ${this.#secretKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new CliError(`sandbox control API POST /__sandbox/${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}
