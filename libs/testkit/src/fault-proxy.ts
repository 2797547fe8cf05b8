import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from './loopback.js';

/**
 * What the proxy does to the next request that matches:
 * - `drop-response`: forward it, let the gateway act, then cut the connection before the answer reaches the
 *   client — the case where a blind re-send acts twice;
 * - `refuse`: answer `status` (default 503) without forwarding — the gateway provably did not act.
 */
export type Fault =
  | { readonly kind: 'drop-response' }
  | { readonly kind: 'refuse'; readonly status?: number; readonly body?: unknown };

/** A request the proxy passed to the gateway. */
export interface ForwardedRequest {
  readonly method: string;
  /** Path with the query string. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The gateway's answer status (also when the proxy then dropped it). */
  readonly status: number;
  readonly dropped: boolean;
}

export interface FaultProxy {
  /** The proxy's origin (`http://127.0.0.1:<port>`); requests keep their path, so put the target's path after it. */
  readonly url: string;
  /** The target's base URL rewritten to go through the proxy. */
  readonly baseUrl: string;
  /** Everything forwarded to the target, in order. */
  readonly forwarded: ForwardedRequest[];
  /** Apply `fault` to the next request whose method is in `methods` (default: every method but GET). */
  inject(fault: Fault, methods?: readonly string[]): void;
  close(): Promise<void>;
}

const NOT_READS = ['POST', 'PUT', 'PATCH', 'DELETE'];
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function forward(
  target: URL,
  incoming: RecordedRequest,
  rawUrl: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  if (incoming.body.length > 0) headers['content-length'] = String(incoming.body.length);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path: rawUrl, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(incoming.body);
  });
}

/**
 * A loopback proxy in front of a gateway (recorded fixtures, the sandbox) that injects one fault at a time, so a
 * driver's retry safety can be checked against real state: did it re-send a request the gateway had acted on?
 */
export async function startFaultProxy(targetBaseUrl: string): Promise<FaultProxy> {
  const target = new URL(targetBaseUrl);
  const forwarded: ForwardedRequest[] = [];
  const faults: Array<{ fault: Fault; methods: readonly string[] }> = [];
  const server: LoopbackServer = await startLoopbackServer(async (incoming, response, socket) => {
    const rawUrl = `${incoming.path}${incoming.query.size > 0 ? `?${incoming.query}` : ''}`;
    const index = faults.findIndex((f) => f.methods.includes(incoming.method));
    const planned = index >= 0 ? faults.splice(index, 1)[0]?.fault : undefined;
    if (planned?.kind === 'refuse') {
      const status = planned.status ?? 503;
      return sendJson(response, status, planned.body ?? { error: 'unavailable', message: 'Try again.' });
    }
    const answer = await forward(target, incoming, rawUrl);
    const dropped = planned?.kind === 'drop-response';
    forwarded.push({
      method: incoming.method,
      url: rawUrl,
      headers: incoming.headers,
      status: answer.status,
      dropped,
    });
    if (dropped) return void socket.destroy();
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    headers['content-length'] = String(answer.body.length);
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  });
  return {
    url: server.url,
    baseUrl: `${server.url}${target.pathname}${target.search}`,
    forwarded,
    inject: (fault, methods = NOT_READS) => void faults.push({ fault, methods }),
    close: () => server.close(),
  };
}
