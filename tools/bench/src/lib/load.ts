/**
 * autocannon, bounded: every run stops after `amount` requests or `durationS` seconds, whichever the caller
 * chose, and a watchdog stops it in any case after `maxS` seconds. Loopback URLs only.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface LoadOptions {
  readonly title: string;
  readonly url: string;
  readonly connections?: number;
  /** Stop after this many requests (takes precedence over durationS). */
  readonly amount?: number;
  readonly durationS?: number;
  /** Hard stop, whatever happens (default: durationS + 30, or 120). */
  readonly maxS?: number;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Called for every request; returns the request to send (e.g. the next pre-signed body). */
  readonly next?: () => LoadRequest;
  readonly timeoutS?: number;
}

export interface LoadResult {
  readonly title: string;
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodes: Record<string, number>;
  readonly durationS: number;
  /** Requests/s of each run, when this is the mean of several. */
  readonly runs?: readonly number[];
}

export function assertLoopback(url: string): void {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') {
    throw new Error(`benchmarks run on loopback only, refusing ${url}`);
  }
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  assertLoopback(options.url);
  const next = options.next;
  const instance = autocannon({
    url: options.url,
    connections: options.connections ?? 16,
    pipelining: 1,
    timeout: options.timeoutS ?? 10,
    // autocannon acts on "stop" (the last of `amount` answered, or the duration over) only when it takes a
    // sample; at its default of one per second a run bounded by `amount` was timed up to a second past its last
    // answer, which cost a 6-second run up to 16 % of its req/s. A tenth of a second bounds that at 1.7 %.
    sampleInt: 100,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS ?? 5 }),
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers,
    body: options.body,
    requests: next
      ? [
          {
            setupRequest: (request: Record<string, unknown>) => {
              const n = next();
              return { ...request, ...n, headers: { ...(request.headers as object), ...n.headers } };
            },
          },
        ]
      : undefined,
  } as autocannon.Options);
  const maxS = options.maxS ?? (options.durationS !== undefined ? options.durationS + 30 : 120);
  const watchdog = setTimeout(() => instance.stop(), maxS * 1000);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    instance.on('done', resolve);
    instance.on('error', reject);
  });
  clearTimeout(watchdog);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {}))
    statusCodes[code] = Number(stat.count);
  const total = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  return {
    title: options.title,
    requests: total,
    rps: result.duration > 0 ? total / result.duration : 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: result.latency.average,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    durationS: result.duration,
  };
}
