import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What arrived from the gateway and what the forward target answered. */
export interface RelayedDelivery {
  /** `type` of the documented envelope, or CHIP's top-level `event_type`. */
  readonly event: string | undefined;
  /** The purchase/payment the event is about. */
  readonly objectId: string | undefined;
  readonly body: Buffer;
  readonly signature: string | undefined;
  /** The target's HTTP status; undefined when it could not be reached. */
  readonly status: number | undefined;
  readonly error: string | undefined;
}

export interface WebhookRelayOptions {
  readonly forwardTo: string;
  readonly host?: string;
  readonly port?: number;
  readonly timeoutMs?: number;
  readonly onDelivery: (delivery: RelayedDelivery) => void;
}

export interface WebhookRelay {
  /** Where the gateway should POST: `http://host:port/`. */
  readonly url: string;
  close(): Promise<void>;
}

// Hop-by-hop and framing headers belong to one connection; fetch sets its own for the forwarded request.
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-connection',
  'expect',
]);

function forwardedHeaders(headers: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.append(name, item);
  }
  return out;
}

/** Event name and object id of a delivery, in either body shape; undefined parts when it is not JSON. */
export function describeDelivery(body: Buffer): { event: string | undefined; objectId: string | undefined } {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const object = parsed['object'] as Record<string, unknown> | undefined;
    const event = typeof parsed['type'] === 'string' ? parsed['type'] : parsed['event_type'];
    const objectId = typeof object?.['id'] === 'string' ? object['id'] : parsed['id'];
    return {
      event: typeof event === 'string' ? event : undefined,
      objectId: typeof objectId === 'string' ? objectId : undefined,
    };
  } catch {
    return { event: undefined, objectId: undefined };
  }
}

/**
 * A local HTTP endpoint for the gateway's webhook: each delivery is forwarded byte for byte, headers
 * (X-Signature included) intact, to `forwardTo`; the target's status and body go back to the gateway, so the
 * gateway's retry logic sees what the app really answered.
 */
export async function startWebhookRelay(options: WebhookRelayOptions): Promise<WebhookRelay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const signature = req.headers['x-signature'];
      const base = {
        ...describeDelivery(body),
        body,
        signature: Array.isArray(signature) ? signature[0] : signature,
      };
      fetch(options.forwardTo, {
        method: req.method ?? 'POST',
        headers: forwardedHeaders(req.headers),
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      })
        .then(async (answer) => {
          const reply = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'text/plain',
          });
          res.end(reply);
          options.onDelivery({ ...base, status: answer.status, error: undefined });
        })
        .catch((error: unknown) => {
          const cause =
            error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
          const message = cause ?? (error instanceof Error ? error.message : String(error));
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'forward_failed', message }));
          options.onDelivery({ ...base, status: undefined, error: message });
        });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${urlHost}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
