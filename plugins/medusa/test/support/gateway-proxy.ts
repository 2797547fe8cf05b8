import { startLoopbackServer, type LoopbackServer, type RecordedRequest } from '@tijara/testkit';

/**
 * A recording HTTP proxy in front of the sandbox: the provider talks to the gateway through it, so a test can
 * count what the provider actually sent (e.g. that a capture of a captured payment made no call).
 */
export interface GatewayProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests with this method whose path matches. */
  sent(method: string, path: RegExp): RecordedRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

export async function startGatewayProxy(target: string): Promise<GatewayProxy> {
  const server: LoopbackServer = await startLoopbackServer(async (request, response) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name))
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const query = request.query.toString();
    const upstream = await fetch(`${target}${request.path}${query ? `?${query}` : ''}`, {
      method: request.method,
      headers,
      ...(request.body.length > 0 ? { body: new Uint8Array(request.body) } : {}),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') out[name] = value;
    });
    response.writeHead(upstream.status, { ...out, 'content-length': String(body.length) });
    response.end(body);
  });
  return {
    url: server.url,
    requests: server.requests,
    sent: (method, path) => server.requests.filter((r) => r.method === method && path.test(r.path)),
    close: () => server.close(),
  };
}
