import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../src/index.js';

/** Parsed JSON in tests: shapes are asserted, not typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** A sandbox on an ephemeral loopback port with a fast webhook backoff. */
export function start(options: SandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ port: 0, webhookTimeScale: 0.001, ...options });
}

/** Minimal JSON client for the emulated API (real HTTP, no project code involved). */
export function client(sandbox: { apiBase: string; secretKey: string }) {
  const call = async <T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(new URL(path.replace(/^\//, ''), sandbox.apiBase), {
      method,
      headers: {
        authorization: `Bearer ${sandbox.secretKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed as T, headers: response.headers, text };
  };
  return {
    call,
    get: <T = Json>(path: string, headers?: Record<string, string>) =>
      call<T>('GET', path, undefined, headers),
    post: <T = Json>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>('POST', path, body ?? {}, headers),
    put: <T = Json>(path: string, body: unknown) => call<T>('PUT', path, body),
    patch: <T = Json>(path: string, body: unknown) => call<T>('PATCH', path, body),
    del: <T = Json>(path: string) => call<T>('DELETE', path),
  };
}

export type Client = ReturnType<typeof client>;

/** A call to the control API; every POST goes as JSON (the control API refuses anything else). */
export async function control<T = Json>(
  sandbox: { url: string },
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const json = body ?? (method === 'POST' ? {} : undefined);
  const response = await fetch(`${sandbox.url}/__sandbox${path}`, {
    method,
    headers: { ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export const SUCCESS_CARD = '4242 4242 4242 4242';
export const DECLINED_CARD = '4000 0000 0000 0002';
export const THREE_DS_CARD = '4000 0000 0000 3220';

export function purchaseBody(brandId: string, overrides: Record<string, unknown> = {}) {
  return {
    brand_id: brandId,
    client: { email: 'buyer@example.com', full_name: 'Amina Buyer' },
    purchase: { products: [{ name: 'Dates box', price: 2999, quantity: 1 }], currency: 'USD' },
    success_redirect: 'https://shop.example/success',
    failure_redirect: 'https://shop.example/failure',
    ...overrides,
  };
}

export async function createPurchase(api: Client, brandId: string, overrides: Record<string, unknown> = {}) {
  const response = await api.post('/purchases/', purchaseBody(brandId, overrides));
  if (response.status !== 201) throw new Error(`create failed: ${response.status} ${response.text}`);
  return response.body as Record<string, Json>;
}

export async function pay(
  sandbox: { url: string },
  id: string,
  card = SUCCESS_CARD,
  extra: Record<string, unknown> = {},
) {
  return control(sandbox, 'POST', `/purchases/${id}/pay`, {
    card_number: card,
    remember_card: false,
    ...extra,
  });
}

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json: Json;
  at: number;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Status codes to answer, in order; the last one repeats. */
  respondWith(...codes: number[]): void;
  /** Resolves once at least `count` requests arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A webhook receiver on loopback that records the raw bytes of each delivery. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let codes = [200];
  let served = 0;
  const waiters: Array<() => void> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = undefined;
      }
      requests.push({ path: req.url ?? '/', headers: req.headers, body, json, at: Date.now() });
      const code = codes[Math.min(served, codes.length - 1)]!;
      served++;
      res.writeHead(code, { 'content-type': 'text/plain' });
      res.end(code < 300 ? 'ok' : 'nope');
      for (const wake of waiters.splice(0)) wake();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith: (...next: number[]) => {
      codes = next;
      served = 0;
    },
    waitFor: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} deliveries, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The signed `success_callback` the sandbox POSTed for a purchase, as the receiver got it: raw bytes and the
 * headers a verifier needs. Waits until no delivery is in flight; exactly one must have arrived.
 */
export async function receivedCallback(
  sandbox: { settle(): Promise<void> },
  receiver: Receiver,
  purchaseId: string,
): Promise<{ rawBody: Buffer; headers: Record<string, string> }> {
  await sandbox.settle();
  const deliveries = receiver.requests.filter((r) => r.json?.id === purchaseId);
  if (deliveries.length !== 1) {
    throw new Error(`expected one success_callback for ${purchaseId}, got ${deliveries.length}`);
  }
  const { body, headers } = deliveries[0]!;
  const signature = headers['x-signature'];
  if (typeof signature !== 'string') throw new Error('the success_callback carried no X-Signature');
  return {
    rawBody: body,
    headers: { 'content-type': String(headers['content-type']), 'x-signature': signature },
  };
}
