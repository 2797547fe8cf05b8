import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import { startGatewayProxy, type GatewayProxy } from './gateway-proxy.js';

export const CARDS = {
  ok: '4242 4242 4242 4242',
  declined: '4000 0000 0000 0002',
} as const;

/**
 * The Ummah sandbox, a recording proxy in front of its API, and a receiver standing in for Medusa's
 * `/hooks/payment/…` route (it records every signed delivery with its exact bytes and answers 200).
 */
export interface UmmahWorld {
  readonly sandbox: RunningSandbox;
  readonly proxy: GatewayProxy;
  readonly receiver: LoopbackServer;
  /** The public key of the Ummah webhook that sends every event to the receiver. */
  readonly webhookPublicKey: string;
  /** Provider options pointing at all of it. */
  options(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Pay a purchase as the buyer would on the hosted page. */
  pay(purchaseId: string, body?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Call the sandbox's API directly, as the merchant's dashboard would (not through the proxy). */
  api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  /** Deliveries the receiver got for a purchase (`event` = `purchase.paid` …; callbacks carry `event_type`). */
  deliveries(purchaseId: string, event?: string): RecordedRequest[];
  close(): Promise<void>;
}

export async function startUmmahWorld(): Promise<UmmahWorld> {
  const sandbox = await startSandbox({ port: 0, webhookTimeScale: 0.001 });
  const proxy = await startGatewayProxy(sandbox.url);
  const receiver = await startLoopbackServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
  });
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sandbox.apiBase}${path}`, {
      method,
      headers: { authorization: `Bearer ${sandbox.secretKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
  const webhook = await api<{ public_key: string }>('POST', 'webhooks/', {
    title: 'medusa',
    callback: `${receiver.url}/hooks/payment/ummah_ummah`,
    all_events: true,
  });
  return {
    sandbox,
    proxy,
    receiver,
    webhookPublicKey: webhook.public_key,
    options: (extra = {}) => ({
      secretKey: sandbox.secretKey,
      brandId: sandbox.brandId,
      baseUrl: `${proxy.url}/api/v1/`,
      webhookPublicKeys: [webhook.public_key],
      returnUrl: 'http://127.0.0.1:8000/checkout/return',
      backendUrl: receiver.url,
      ...extra,
    }),
    pay: async (purchaseId, body = {}) => {
      const response = await fetch(`${sandbox.url}/__sandbox/purchases/${purchaseId}/pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ card_number: CARDS.ok, ...body }),
      });
      const json = (await response.json()) as Record<string, unknown>;
      if (!response.ok) throw new Error(`pay ${purchaseId}: ${response.status} ${JSON.stringify(json)}`);
      await sandbox.settle();
      return json;
    },
    api,
    deliveries: (purchaseId, event) =>
      receiver.requests.filter((request) => {
        const json = request.json as { id?: string; type?: string; event_type?: string; object?: { id?: string } };
        const id = json?.object?.id ?? json?.id;
        const type = json?.type ?? json?.event_type;
        return (id === purchaseId || json?.object?.id === purchaseId) && (event === undefined || type === event);
      }),
    close: async () => {
      await receiver.close();
      await proxy.close();
      await sandbox.close();
    },
  };
}
