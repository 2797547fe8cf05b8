import { startLoopbackServer, type LoopbackServer } from '@tijara/testkit';

/** One exchange as the driver saw it: method, the path with object ids replaced, the status. */
export interface Step {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
}

export interface RecordingProxy {
  readonly server: LoopbackServer;
  readonly url: string;
  readonly steps: Step[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/**
 * A pass-through proxy in front of the sandbox that notes each exchange, so a scenario run against the sandbox can
 * be compared with the recording the other target replays (same requests, same statuses). `route` turns a path
 * into its shape (object ids differ between targets; routes do not).
 */
export async function startRecordingProxy(
  target: () => string,
  route: (path: string) => string,
): Promise<RecordingProxy> {
  const steps: Step[] = [];
  const server = await startLoopbackServer(async (request, response) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = String(value);
    }
    const query = request.query.size > 0 ? `?${request.query}` : '';
    const answer = await fetch(`${target()}${request.path}${query}`, {
      method: request.method,
      headers,
      ...(request.body.length > 0 ? { body: request.body } : {}),
    });
    const text = await answer.text();
    steps.push({
      method: request.method,
      path: route(request.path),
      query: request.query.toString(),
      status: answer.status,
    });
    const forwarded: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'content-encoding') forwarded[name] = value;
    });
    response.writeHead(answer.status, forwarded);
    response.end(text);
  });
  return { server, url: server.url, steps, close: () => server.close() };
}
