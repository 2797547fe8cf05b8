/** Where the shared services are (the same defaults as the tests), and a check that they answer. */
import { connect } from 'node:net';

export const REDIS_URL = process.env.TIJARA_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const POSTGRES_URL =
  process.env.TIJARA_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function portOpen(url: string, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface RunContext {
  readonly quick: boolean;
  /** Directory for this run's logs, databases and profiles. */
  readonly runDir: string;
  readonly cpuProf: boolean;
  readonly log: (message: string) => void;
}
