import http, { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Resolver } from '@tijara/sandbox';
import { CliError } from './cli-errors.js';
import type { DeliverySummary } from './webhook-gateway.js';

/** What arrived from the gateway and what the forward target answered. */
export interface RelayedDelivery extends DeliverySummary {
  readonly body: Buffer;
  readonly signature: string | undefined;
  /** The target's HTTP status; undefined when it could not be reached. */
  readonly status: number | undefined;
  readonly error: string | undefined;
}

export interface WebhookRelayOptions {
  readonly forwardTo: string;
  /** The header the gateway's signature arrives in (kept with each delivery for `replay`). */
  readonly signatureHeader: string;
  /** Event and object of a body, in the gateway's terms. */
  readonly describe: (body: Buffer) => DeliverySummary;
  readonly host?: string;
  readonly port?: number;
  readonly timeoutMs?: number;
  /** DNS for the forward target (default: the system's); every answer is checked before connecting. */
  readonly resolver?: Resolver;
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

function forwardedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !NOT_FORWARDED.has(name)) out[name] = value;
  }
  return out;
}

interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

/**
 * The sandbox's outbound rule, applied to the forward target: this machine (loopback), or a public address over
 * HTTPS — never a private, link-local, unique-local or cloud-metadata address. Names are resolved (and judged)
 * for every forward, and the connection goes to the address that was checked.
 */
async function forward(
  target: URL,
  method: string,
  headers: Record<string, string | string[]>,
  body: Buffer,
  timeoutMs: number,
  resolver: Resolver | undefined,
): Promise<Answer> {
  const { guardTarget, systemResolver } = await import('@tijara/sandbox');
  const { lookup } = guardTarget(target, resolver ?? systemResolver);
  return new Promise((resolve, reject) => {
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method,
        headers: { ...headers, 'content-length': String(body.length) },
        lookup,
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            contentType: response.headers['content-type'],
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(method === 'GET' || method === 'HEAD' ? undefined : body);
  });
}

/** Refuse a forward target the outbound rule forbids before anything listens (a clear error, not a 502 later). */
export async function checkForwardTarget(url: string, resolver?: Resolver): Promise<void> {
  const { guardTarget, RefusedTarget, systemResolver } = await import('@tijara/sandbox');
  const target = new URL(url);
  try {
    const { lookup } = guardTarget(target, resolver ?? systemResolver);
    await new Promise<void>((resolve, reject) =>
      lookup(target.hostname.replace(/^\[|\]$/g, ''), {}, (error) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    if (error instanceof RefusedTarget) throw new CliError(`--forward-to ${url}: ${error.message}`);
    // A name that does not resolve yet may resolve later (the app's DNS, a tunnel): each forward checks again.
  }
}

/**
 * A local HTTP endpoint for the gateway's webhook: each delivery is forwarded byte for byte, headers
 * (the signature included) intact, to `forwardTo`; the target's status and body go back to the gateway, so the
 * gateway's retry logic sees what the app really answered.
 */
export async function startWebhookRelay(options: WebhookRelayOptions): Promise<WebhookRelay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const signature = req.headers[options.signatureHeader.toLowerCase()];
      const base = {
        ...options.describe(body),
        body,
        signature: Array.isArray(signature) ? signature[0] : signature,
      };
      forward(
        new URL(options.forwardTo),
        req.method ?? 'POST',
        forwardedHeaders(req.headers),
        body,
        options.timeoutMs ?? 30_000,
        options.resolver,
      )
        .then((answer) => {
          res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' });
          res.end(answer.body);
          options.onDelivery({ ...base, status: answer.status, error: undefined });
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
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
