/**
 * Hostile webhook requests: everything an attacker (or a broken proxy) can send to a webhook URL without the
 * gateway's private key, plus validly signed bytes that are not a gateway event. Deterministic for a seed, and
 * generated one at a time (a 2 MB body is built only when its turn comes).
 * Every request here must be answered 4xx and change nothing.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';

export interface HostileRequest {
  readonly kind: string;
  readonly method: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

export interface HostileContext {
  /** Real-looking event bodies for orders the store knows (never sent unaltered). */
  readonly templates: readonly string[];
  /** Sign with the gateway's real key (used only for bodies that are not events, or are altered after signing). */
  readonly signReal: (body: Buffer) => string;
  /** Sign with an attacker's key. */
  readonly signWrong: (body: Buffer) => string;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JSON_CT = { 'content-type': 'application/json' };

type Maker = (rand: () => number, ctx: HostileContext) => HostileRequest;

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

function randomBuffer(rand: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

const template = (rand: () => number, ctx: HostileContext): Buffer => Buffer.from(pick(rand, ctx.templates));

/** Change one thing in a signed event body so the old signature no longer covers it. */
function alter(rand: () => number, body: string): string {
  const variants: Array<(s: string) => string> = [
    (s) => s.replace(/"total"\s*:\s*(\d+)/, (_m, n: string) => `"total":${Number(n) + 1}`),
    (s) => s.replace(/"amount"\s*:\s*(\d+)/, (_m, n: string) => `"amount":${Number(n) * 10}`),
    (s) => s.replace(/"status"\s*:\s*"[a-z_]+"/, '"status":"refunded"'),
    (s) => s.replace(/"currency"\s*:\s*"[A-Z]{3}"/, '"currency":"JPY"'),
    (s) => s.replace(/"id"\s*:\s*"([^"]+)"/, (_m, id: string) => `"id":"${id}x"`),
    (s) => `${s}\n`,
    (s) => ` ${s}`,
    (s) => s.replace(/,/, ', '),
    (s) => s.replace(/"(event_type|type)"\s*:\s*"[a-z_.]+"/, '"$1":"purchase.refunded"'),
  ];
  const altered = pick(rand, variants)(body);
  return altered === body ? `${body} ` : altered;
}

function deepJson(rand: () => number): Buffer {
  const depth = pick(rand, [1_000, 10_000, 100_000, 500_000]);
  return rand() < 0.5
    ? Buffer.from('['.repeat(depth) + ']'.repeat(depth))
    : Buffer.from('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
}

const MAKERS: ReadonlyArray<[string, number, Maker]> = [
  [
    'random-bytes',
    14,
    (rand, ctx) => {
      const body = randomBuffer(rand, Math.floor(rand() * 4096));
      return {
        kind: 'random-bytes',
        method: 'POST',
        headers: { ...JSON_CT, 'x-signature': ctx.signWrong(body) },
        body,
      };
    },
  ],
  [
    'bad-base64',
    10,
    (rand, ctx) => {
      const signature = pick(rand, [
        '%%%not*base64%%%',
        '',
        '   ',
        'AAAA',
        '=====',
        'ümlaut-ñ',
        'A'.repeat(10_000),
        ctx.signReal(Buffer.from('other')).slice(0, 100),
        cryptoRandomBytes(256).toString('hex'),
      ]);
      return {
        kind: 'bad-base64',
        method: 'POST',
        headers: { ...JSON_CT, 'x-signature': signature },
        body: template(rand, ctx),
      };
    },
  ],
  [
    'wrong-key',
    12,
    (rand, ctx) => {
      const body = template(rand, ctx);
      return {
        kind: 'wrong-key',
        method: 'POST',
        headers: { ...JSON_CT, 'x-signature': ctx.signWrong(body) },
        body,
      };
    },
  ],
  [
    'truncated',
    10,
    (rand, ctx) => {
      const full = template(rand, ctx);
      const signature = ctx.signReal(full);
      const body = full.subarray(0, Math.max(0, Math.floor(rand() * (full.length - 1))));
      return { kind: 'truncated', method: 'POST', headers: { ...JSON_CT, 'x-signature': signature }, body };
    },
  ],
  [
    'oversized-2mb',
    2,
    (rand, ctx) => {
      const base = pick(rand, ctx.templates);
      const padding = 2 * 1024 * 1024 - base.length;
      const body = Buffer.from(base.replace(/^\{/, `{"padding":"${'x'.repeat(Math.max(0, padding - 20))}",`));
      return {
        kind: 'oversized-2mb',
        method: 'POST',
        headers: { ...JSON_CT, 'x-signature': ctx.signWrong(body) },
        body,
      };
    },
  ],
  [
    'deep-json',
    4,
    (rand, ctx) => {
      const body = deepJson(rand);
      return {
        kind: 'deep-json',
        method: 'POST',
        headers: { ...JSON_CT, 'x-signature': ctx.signWrong(body) },
        body,
      };
    },
  ],
  [
    // Validly signed, but not a gateway event: exercises parsing after verification.
    'signed-non-event',
    4,
    (rand, ctx) => {
      const body = pick(rand, [
        () => deepJson(rand),
        () => Buffer.from('{}'),
        () => Buffer.from('[]'),
        () => Buffer.from('null'),
        () => Buffer.from('"purchase.paid"'),
        () => Buffer.from('{"id":1,"type":{"$ne":null},"object":"__proto__"}'),
        () => Buffer.from('{"__proto__":{"status":"paid"},"constructor":{"prototype":{"paid":true}}}'),
        () => Buffer.from('{"event_type":"purchase.paid","id":null,"status":"paid"}'),
        () => randomBuffer(rand, 512),
        () => Buffer.from('\uFEFF{"broken": tru'),
      ])();
      return {
        kind: 'signed-non-event',
        method: 'POST',
        headers: { ...JSON_CT, 'x-signature': ctx.signReal(body) },
        body,
      };
    },
  ],
  [
    'wrong-content-type',
    10,
    (rand, ctx) => {
      const [contentType, body] = pick(rand, [
        ['text/plain', template(rand, ctx)],
        ['application/x-www-form-urlencoded', Buffer.from('id=evt_1&type=purchase.paid&status=paid')],
        [
          'multipart/form-data; boundary=xyz',
          Buffer.from('--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n'),
        ],
        ['application/xml', Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>')],
        ['application/json; charset=utf-16', Buffer.from(pick(rand, ctx.templates), 'utf16le')],
        ['', template(rand, ctx)],
      ] as Array<[string, Buffer]>);
      const headers: Record<string, string> = { 'x-signature': ctx.signWrong(body) };
      if (contentType) headers['content-type'] = contentType;
      return { kind: 'wrong-content-type', method: 'POST', headers, body };
    },
  ],
  [
    // A real signature, replayed on a body that was changed after signing.
    'replayed-signature-altered-body',
    18,
    (rand, ctx) => {
      const original = pick(rand, ctx.templates);
      const signature = ctx.signReal(Buffer.from(original));
      const body = Buffer.from(alter(rand, original));
      return {
        kind: 'replayed-signature-altered-body',
        method: 'POST',
        headers: { ...JSON_CT, 'x-signature': signature },
        body,
      };
    },
  ],
  [
    'missing-or-odd-signature-header',
    8,
    (rand, ctx) => {
      const body = template(rand, ctx);
      const signature = ctx.signReal(body);
      const headers = pick(rand, [
        () => ({ ...JSON_CT }) as Record<string, string | string[]>,
        () => ({ ...JSON_CT, 'x-signature': [signature.slice(1), signature.slice(1)] }),
        () => ({ ...JSON_CT, 'x-signatures': signature }),
        () => ({ ...JSON_CT, 'x-signature': signature.replace(/[A-Z]/, 'a') }),
      ])();
      // The first two variants never carry the real signature unchanged.
      return { kind: 'missing-or-odd-signature-header', method: 'POST', headers, body };
    },
  ],
  [
    'empty-body',
    4,
    (rand, ctx) => ({
      kind: 'empty-body',
      method: 'POST',
      headers: pick(rand, [{ ...JSON_CT }, { ...JSON_CT, 'x-signature': ctx.signReal(Buffer.alloc(0)) }]),
      body: Buffer.alloc(0),
    }),
  ],
  [
    'wrong-method',
    4,
    (rand, ctx) => {
      const body = template(rand, ctx);
      return {
        kind: 'wrong-method',
        method: pick(rand, ['GET', 'PUT', 'DELETE', 'PATCH']),
        headers: { ...JSON_CT, 'x-signature': ctx.signWrong(body) },
        body,
      };
    },
  ],
];

const TOTAL_WEIGHT = MAKERS.reduce((sum, [, weight]) => sum + weight, 0);

/** The `index`-th hostile request for `seed` (each request is independent, so the run can be parallel). */
export function hostileRequest(seed: number, index: number, ctx: HostileContext): HostileRequest {
  const rand = prng(seed * 1_000_003 + index);
  let roll = rand() * TOTAL_WEIGHT;
  for (const [, weight, make] of MAKERS) {
    roll -= weight;
    if (roll < 0) return make(rand, ctx);
  }
  return (MAKERS[0] as [string, number, Maker])[2](rand, ctx);
}

export const HOSTILE_KINDS: readonly string[] = MAKERS.map(([kind]) => kind);
