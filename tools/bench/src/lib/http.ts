/** Plain loopback HTTP for the reliability runs: one request, bounded by a timeout, never throws. */
import { Agent, request } from 'node:http';
import { assertLoopback } from './load.js';

export interface SendResult {
  /** HTTP status, or 0 when no response came (reset, timeout). */
  readonly status: number;
  readonly body: string;
  readonly error?: string;
}

export const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });

export function send(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string | string[]>;
    body?: Buffer | string;
    timeoutMs?: number;
    agent?: Agent;
  },
): Promise<SendResult> {
  assertLoopback(url);
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: SendResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const body =
      init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
    const headers: Record<string, string | string[]> = { ...init.headers };
    if (body !== undefined) headers['content-length'] = String(body.length);
    const req = request(
      url,
      { method: init.method ?? 'GET', headers, agent: init.agent ?? keepAlive },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (chunks.length < 64) chunks.push(chunk);
        });
        res.on('end', () =>
          done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (error) => done({ status: res.statusCode ?? 0, body: '', error: error.message }));
      },
    );
    req.setTimeout(init.timeoutMs ?? 15_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) =>
      done({ status: 0, body: '', error: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Run `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        await task(i);
      }
    }),
  );
}
