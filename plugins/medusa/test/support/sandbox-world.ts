import { startSandbox, type RunningSandbox } from '@tijara/sandbox';
import { startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';
import { startGatewayProxy, type GatewayProxy } from './gateway-proxy.js';

export const CARD = '4242 4242 4242 4242';
const POSTPAY_MEDIA_TYPE = 'application/vnd.postpay+json; version=v1';
const HOOK_SECRET = 'postpay-hook-secret-for-the-module-tests';

/**
 * The gateway sandbox (Ummah and Postpay), a recording proxy in front of it (the provider talks through it, so a
 * test can count what it sent), and a receiver standing in for Medusa's `/hooks/payment/…` route: it records every
 * signed delivery with its exact bytes and answers 200.
 */
export interface SandboxWorld {
  readonly sandbox: RunningSandbox;
  readonly proxy: GatewayProxy;
  readonly receiver: LoopbackServer;
  readonly ummah: {
    /** Provider options pointing at the sandbox through the proxy. */
    options(extra?: Record<string, unknown>): Record<string, unknown>;
    /** Pay a purchase as the buyer would on the hosted page. */
    pay(purchaseId: string, body?: Record<string, unknown>): Promise<void>;
    /** The API directly, as the merchant's dashboard would (not through the proxy). */
    api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  };
  readonly postpay: {
    options(extra?: Record<string, unknown>): Record<string, unknown>;
    /** The buyer's decision on the hosted page of a checkout (its redirect URL). */
    decide(redirectUrl: string, action: 'approve' | 'deny' | 'cancel'): Promise<void>;
    api<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
  };
  readonly numipay: {
    options(extra?: Record<string, unknown>): Record<string, unknown>;
    /** Pay (or decline) at the cashier, by tracking id, as the buyer would. */
    pay(trackingId: string, outcome?: 'success' | 'decline'): Promise<void>;
  };
  readonly uhmi: {
    options(extra?: Record<string, unknown>): Record<string, unknown>;
    /** Pay a payment in the widget; answers the transaction id the widget would post to the return URL. */
    pay(paymentId: string, outcome?: 'paid' | 'open' | 'failed'): Promise<string>;
  };
  /** Deliveries the receiver got about one gateway object, optionally of one event type. */
  deliveries(objectId: string, event?: string): RecordedRequest[];
  close(): Promise<void>;
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

const json = (body: unknown) => (body === undefined ? {} : { body: JSON.stringify(body) });

export async function startSandboxWorld(): Promise<SandboxWorld> {
  const sandbox = await startSandbox({ port: 0, webhookTimeScale: 0.001 });
  const proxy = await startGatewayProxy(sandbox.url);
  const receiver = await startLoopbackServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
  });
  const pp = sandbox.gateways.postpay;
  const ummahApi = <T>(method: string, path: string, body?: unknown) =>
    call<T>(`${sandbox.apiBase}${path}`, {
      method,
      headers: { authorization: `Bearer ${sandbox.secretKey}`, 'content-type': 'application/json' },
      ...json(body),
    });
  const postpayApi = <T>(method: string, path: string, body?: unknown) =>
    call<T>(`${pp.baseUrl(sandbox.url)}/${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${pp.merchantId}:${pp.secretKey}`).toString('base64')}`,
        accept: POSTPAY_MEDIA_TYPE,
        'content-type': 'application/json',
      },
      ...json(body),
    });
  const control = (path: string, body: unknown = {}) =>
    call(`${sandbox.url}/__sandbox/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      ...json(body),
    });

  const webhook = await ummahApi<{ public_key: string }>('POST', 'webhooks/', {
    title: 'medusa',
    callback: `${receiver.url}/hooks/payment/ummah_ummah`,
    all_events: true,
  });
  await postpayApi('POST', 'hooks', {
    events: ['order', 'transaction'],
    url: `${receiver.url}/hooks/payment/postpay_postpay`,
    secret: HOOK_SECRET,
  });
  const np = sandbox.gateways.numipay;
  await call(`${sandbox.url}/__sandbox/numipay/webhook-url`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    ...json({ url: `${receiver.url}/hooks/payment/numipay_numipay` }),
  });
  const common = { returnUrl: 'http://127.0.0.1:8000/checkout/return', backendUrl: receiver.url };

  return {
    sandbox,
    proxy,
    receiver,
    ummah: {
      options: (extra = {}) => ({
        secretKey: sandbox.secretKey,
        brandId: sandbox.brandId,
        baseUrl: `${proxy.url}/api/v1/`,
        webhookPublicKeys: [webhook.public_key],
        ...common,
        ...extra,
      }),
      pay: async (purchaseId, body = {}) => {
        await control(`purchases/${purchaseId}/pay`, { card_number: CARD, ...body });
        await sandbox.settle();
      },
      api: ummahApi,
    },
    postpay: {
      options: (extra = {}) => ({
        merchantId: pp.merchantId,
        secretKey: pp.secretKey,
        baseUrl: `${proxy.url}/postpay`,
        hookSecrets: [HOOK_SECRET],
        ...common,
        ...extra,
      }),
      decide: async (redirectUrl, action) => {
        const token = /\/checkout\/([^/?#]+)/.exec(redirectUrl)?.[1];
        if (!token) throw new Error(`no checkout token in ${redirectUrl}`);
        await control(`postpay/checkouts/${token}/${action}`);
        await sandbox.settle();
      },
      api: postpayApi,
    },
    uhmi: {
      options: (extra = {}) => ({
        apiKey: sandbox.gateways.uhmi.apiKey,
        baseUrl: `${proxy.url}/uhmi/api/v1/`,
        widgetPageUrl: sandbox.gateways.uhmi.widgetPage(sandbox.url),
        testMode: true,
        ...common,
        ...extra,
      }),
      pay: async (paymentId, outcome = 'paid') => {
        const transaction = (await control(`uhmi/payments/${encodeURIComponent(paymentId)}/pay`, {
          outcome,
        })) as { transaction_id: string };
        return transaction.transaction_id;
      },
    },
    numipay: {
      options: (extra = {}) => ({
        apiKey: np.apiKey,
        mode: 'test',
        baseUrl: `${proxy.url}/numipay/`,
        cashierUrl: np.cashierUrl(sandbox.url),
        signaturePasswords: [np.signaturePassword],
        ...common,
        ...extra,
      }),
      pay: async (trackingId, outcome = 'success') => {
        await control(`numipay/sessions/${encodeURIComponent(trackingId)}/pay`, { outcome });
        await sandbox.settle();
      },
    },
    deliveries: (objectId, event) =>
      receiver.requests.filter((request) => {
        const body = request.json as {
          id?: string;
          type?: string;
          event?: string;
          event_type?: string;
          object?: { id?: string };
          data?: { order_id?: string; status?: string };
        };
        const id = body?.object?.id ?? body?.data?.order_id ?? body?.id;
        const type =
          body?.type ?? body?.event_type ?? (body?.data?.status ? `order.${body.data.status}` : body?.event);
        return id === objectId && (event === undefined || type === event);
      }),
    close: async () => {
      await receiver.close();
      await proxy.close();
      await sandbox.close();
    },
  };
}
