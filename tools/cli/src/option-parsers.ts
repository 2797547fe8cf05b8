import { InvalidArgumentError } from 'commander';

/** commander argParser for a TCP port (0 = any free port). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    throw new InvalidArgumentError('expected a port number 0-65535.');
  return port;
}

/** commander argParser for a positive number. */
export function parseNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError('expected a positive number.');
  }
  return number;
}

/** commander argParser for an http(s) URL. */
export function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an absolute http(s) URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('expected an absolute http(s) URL.');
  }
  return url.toString();
}

/** commander argParser for a comma-separated list (`--events purchase.paid,purchase.refunded`). */
export function parseList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

/** commander argParser for epoch seconds (a signed timestamp). */
export function parseEpochSeconds(value: string): number {
  if (!/^\d{1,12}$/.test(value)) throw new InvalidArgumentError('expected epoch seconds, e.g. 1767225600.');
  return Number(value);
}
