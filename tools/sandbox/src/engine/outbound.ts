import { promises as dns } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Where the sandbox may connect when it delivers a webhook: to the public internet over HTTPS, or to this machine
 * (loopback, where local receivers run). Never to private networks, link-local addresses (169.254.169.254 is the
 * cloud metadata service), unique-local IPv6 or other special ranges — a webhook URL is input from whoever uses the
 * API, and a sandbox reachable by others must not become their way into the network it runs in.
 *
 * Names are resolved when each attempt is made, and the connection goes to the very address that was checked
 * (the check is the socket's `lookup`), so a name that later points somewhere else is judged again, and a name
 * that answers differently to a second query cannot slip through between the check and the connect.
 */
export type AddressKind =
  'loopback' | 'public' | 'private' | 'link-local' | 'unique-local' | 'metadata' | 'unspecified' | 'reserved';

/** Turns a host name into addresses; `dns.lookup` (the system resolver, /etc/hosts included) unless given. */
export type Resolver = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

const METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '192.0.0.192']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);

type V4Range = readonly [base: number, bits: number, kind: AddressKind];

const V4_RANGES: readonly V4Range[] = [
  [v4('0.0.0.0'), 8, 'unspecified'],
  [v4('10.0.0.0'), 8, 'private'],
  [v4('100.64.0.0'), 10, 'private'],
  [v4('127.0.0.0'), 8, 'loopback'],
  [v4('169.254.0.0'), 16, 'link-local'],
  [v4('172.16.0.0'), 12, 'private'],
  [v4('192.0.0.0'), 24, 'reserved'],
  [v4('192.0.2.0'), 24, 'reserved'],
  [v4('192.168.0.0'), 16, 'private'],
  [v4('198.18.0.0'), 15, 'reserved'],
  [v4('198.51.100.0'), 24, 'reserved'],
  [v4('203.0.113.0'), 24, 'reserved'],
  [v4('224.0.0.0'), 4, 'reserved'],
  [v4('240.0.0.0'), 4, 'reserved'],
];

function v4(text: string): number {
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function v4Text(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function classifyV4(value: number): AddressKind {
  if (METADATA.has(v4Text(value))) return 'metadata';
  for (const [base, bits, kind] of V4_RANGES) {
    const size = 2 ** (32 - bits);
    if (value >= base && value < base + size) return kind;
  }
  return 'public';
}

/** Eight 16-bit groups of an IPv6 address (zone id dropped, embedded dotted IPv4 folded in). */
function hextets(text: string): number[] {
  let address = text.replace(/%.*$/, '').toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    const value = v4(dotted[1]!);
    address = `${address.slice(0, -dotted[1]!.length)}${Math.floor(value / 65536).toString(16)}:${(value % 65536).toString(16)}`;
  }
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((group) => parseInt(group, 16));
}

function classifyV6(text: string): AddressKind {
  const h = hextets(text);
  const embedded = (high: number, low: number) => h[high]! * 65536 + h[low]!;
  if (METADATA_V6.has(h.map((g) => g.toString(16)).join(':'))) return 'metadata';
  if (h.every((g) => g === 0)) return 'unspecified';
  if (h.slice(0, 7).every((g) => g === 0) && h[7] === 1) return 'loopback';
  // IPv4 inside IPv6 reaches the IPv4 address: judge that one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4).
  if (h.slice(0, 5).every((g) => g === 0) && h[5] === 0xffff) return classifyV4(embedded(6, 7));
  if (h[0] === 0x64 && h[1] === 0xff9b && h.slice(2, 6).every((g) => g === 0))
    return classifyV4(embedded(6, 7));
  if (h[0] === 0x2002) return classifyV4(embedded(1, 2));
  if ((h[0]! & 0xfe00) === 0xfc00) return 'unique-local';
  if ((h[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((h[0]! & 0xffc0) === 0xfec0) return 'private';
  if ((h[0]! & 0xff00) === 0xff00) return 'reserved';
  if (h.slice(0, 6).every((g) => g === 0)) return 'reserved';
  return 'public';
}

/** What kind of address an IP literal is; throws for text that is not one. */
export function classifyAddress(address: string): AddressKind {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare.replace(/%.*$/, ''));
  if (family === 4) return classifyV4(v4(bare));
  if (family === 6) return classifyV6(bare);
  throw new TypeError(`not an IP address: ${address}`);
}

/** The host a URL names, without the brackets of an IPv6 literal. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Thrown (and recorded as the attempt's error) when a target is refused; nothing was sent. */
export class RefusedTarget extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedTarget';
  }
}

/** Why connecting to `address` for `url` is refused, or undefined when it is allowed. */
export function refusal(url: URL, address: string): string | undefined {
  const kind = classifyAddress(address);
  if (kind === 'loopback') return undefined;
  if (kind !== 'public') {
    const what = kind === 'metadata' ? 'a cloud metadata address' : `a ${kind} address`;
    return `refused to connect to ${address} (${url.hostname} is ${what}; only loopback or public HTTPS targets are allowed)`;
  }
  if (url.protocol !== 'https:') {
    return `refused to connect to ${url.hostname} over plain HTTP (callback URLs must use HTTPS unless they are loopback)`;
  }
  return undefined;
}

/**
 * Check a target before connecting: IP literals at once (a socket does not look them up), names through the
 * returned `lookup`, which resolves, checks every answer and hands the socket only an allowed address.
 */
export function guardTarget(url: URL, resolver: Resolver): { lookup: LookupFunction } {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedTarget(`refused: ${url.protocol} is not an HTTP URL`);
  }
  const host = bareHost(url);
  if (isIP(host.replace(/%.*$/, ''))) {
    const reason = refusal(url, host);
    if (reason) throw new RefusedTarget(reason);
  }
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolver(hostname).then(
      (answers) => {
        const allowed = answers.filter((answer) => refusal(url, answer.address) === undefined);
        if (answers.length === 0) {
          callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), '', 0);
          return;
        }
        // All or nothing: a name that answers with an internal address among public ones is not to be trusted.
        if (allowed.length < answers.length) {
          const bad = answers.find((answer) => refusal(url, answer.address) !== undefined)!;
          callback(new RefusedTarget(refusal(url, bad.address)!), '', 0);
          return;
        }
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = wanted ? allowed.filter((a) => a.family === wanted) : allowed;
        if (usable.length === 0) {
          callback(
            Object.assign(new Error(`${hostname} has no IPv${wanted} address`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
          return;
        }
        if (options.all) {
          (callback as unknown as (e: null, list: Array<{ address: string; family: number }>) => void)(
            null,
            usable.map(({ address, family }) => ({ address, family })),
          );
        } else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
  return { lookup };
}
