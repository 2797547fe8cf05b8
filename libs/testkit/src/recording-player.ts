import { isDeepStrictEqual } from 'node:util';
import { sendJson, startLoopbackServer, type LoopbackServer, type RecordedRequest } from './loopback.js';

/** One request a driver made to the real gateway and what the gateway answered, as a recording keeps it. */
export interface RecordedExchange {
  readonly request: {
    readonly method: string;
    readonly path: string;
    /** The query string, compared whole where the player checks queries. */
    readonly query?: Readonly<Record<string, string>>;
    readonly body?: unknown;
    /** Headers the request must carry with exactly these values (lower-case names). */
    readonly headers?: Readonly<Record<string, string>>;
  };
  /** What the gateway answered, or `drop`: it acted on the request but the answer never arrived. */
  readonly response: { readonly status: number; readonly body?: unknown; readonly drop?: boolean };
}

/** A scenario's recorded exchanges, in the order the driver made them, plus whatever else the driver's suite keeps. */
export interface ExchangeRecording {
  readonly scenario: string;
  readonly exchanges: readonly RecordedExchange[];
}

export interface RecordingPlayerOptions<Recording extends ExchangeRecording> {
  /** The recording of a scenario, read when it begins. */
  read(scenario: string): Recording;
  /** What the gateway requires of every request (its credentials, headers): each problem as a sentence. */
  check(request: RecordedRequest): string[];
  /** The body of the 418 a mismatched request gets, in the gateway's error shape. */
  mismatchBody(message: string): unknown;
  /** Compare the query string with the recorded one (none recorded: none allowed). Default false. */
  checkQuery?: boolean;
  /** Headers sent with every recorded answer (the gateway's media type). */
  responseHeaders?: Readonly<Record<string, string>>;
  /** `{base}` in a recorded answer becomes the player's URL (for recorded `next` links). Default false. */
  substituteBase?: boolean;
}

export interface RecordingPlayer<Recording extends ExchangeRecording> {
  readonly server: LoopbackServer;
  /** The recording of the scenario under way, undefined before the first `begin`. */
  readonly recording: Recording | undefined;
  begin(scenario: string): void;
  /** Throws when a request differed from the recording or a recorded exchange was never requested. */
  end(scenario: string): void;
  close(): Promise<void>;
}

/** Everything about a request that differs from the recorded one (besides what `check` says), empty when it matches. */
function differences(
  request: RecordedRequest,
  expected: RecordedExchange['request'],
  checkQuery: boolean,
): string[] {
  const found: string[] = [];
  if (request.method !== expected.method || request.path !== expected.path) {
    found.push(`expected ${expected.method} ${expected.path}, got ${request.method} ${request.path}`);
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    if (request.headers[name] !== value)
      found.push(`header ${name}: expected ${value}, got ${request.headers[name]}`);
  }
  if (checkQuery) {
    const query = Object.fromEntries(request.query);
    if (!isDeepStrictEqual(query, expected.query ?? {})) {
      found.push(
        `query differs: expected ${JSON.stringify(expected.query ?? {})}, got ${JSON.stringify(query)}`,
      );
    }
  }
  if (expected.body !== undefined && !isDeepStrictEqual(request.json, expected.body)) {
    found.push(
      `body differs: expected ${JSON.stringify(expected.body)}, got ${JSON.stringify(request.json)}`,
    );
  }
  return found;
}

/**
 * A loopback gateway that plays one scenario's recorded exchanges in order, for a driver's recorded-exchange
 * tests. Nothing is simulated: a request that is not the next recorded one gets a 418 and is reported by `end()`,
 * as is a recording left unused.
 */
export async function startRecordingPlayer<Recording extends ExchangeRecording>(
  options: RecordingPlayerOptions<Recording>,
): Promise<RecordingPlayer<Recording>> {
  let recording: Recording | undefined;
  let queue: RecordedExchange[] = [];
  let mismatches: string[] = [];

  const server = await startLoopbackServer((request, response, socket) => {
    const expected = queue.shift();
    const problems = expected
      ? [...differences(request, expected.request, options.checkQuery ?? false), ...options.check(request)]
      : [`unexpected ${request.method} ${request.path}`];
    if (problems.length > 0 || !expected) {
      mismatches.push(...problems);
      return sendJson(response, 418, options.mismatchBody(problems.join('; ')));
    }
    if (expected.response.drop) return void socket.destroy();
    if (expected.response.status === 204) {
      response.writeHead(204);
      response.end();
      return;
    }
    const body = options.substituteBase
      ? (JSON.parse(JSON.stringify(expected.response.body).split('{base}').join(server.url)) as unknown)
      : expected.response.body;
    sendJson(response, expected.response.status, body, { ...options.responseHeaders });
  });

  return {
    server,
    get recording() {
      return recording;
    },
    begin(scenario) {
      recording = options.read(scenario);
      queue = [...recording.exchanges];
      mismatches = [];
    },
    end(scenario) {
      if (mismatches.length > 0)
        throw new Error(`${scenario}: requests differ from the recording:\n${mismatches.join('\n')}`);
      if (queue.length > 0) {
        const left = queue.map((e) => `${e.request.method} ${e.request.path}`).join(', ');
        throw new Error(`${scenario}: recorded exchanges never requested: ${left}`);
      }
    },
    close: () => server.close(),
  };
}
