/**
 * Shopify authenticates its session requests with a client certificate (mutual TLS), not an HMAC: the certificate
 * chains to Shopify's self-signed Payments Platform CA, which has rotated before, so the CA is a list. Two ways to
 * check it:
 * - `direct`: the app terminates TLS itself (`mtlsServerOptions` → `https.createServer`), asks every client for a
 *   certificate without requiring one (browsers use the same server for OAuth, settings and the return route),
 *   and the session routes accept only a connection whose certificate Node verified against the CA list;
 * - `proxy`: a reverse proxy terminates TLS and forwards the client certificate in a header; the app accepts the
 *   header only from the proxies it names and verifies the certificate against the CA list itself.
 * `off` exists for tests and local development only: it needs `testMode` and says so in the log.
 */
import { BlockList, isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ConfigurationError, readHeader, type HeaderBag, type Logger } from '@tijara/core';

type Pem = string | Buffer;

export type MtlsOptions =
  | {
      readonly mode: 'direct';
      /** Trusted CA certificate(s), PEM: Shopify's Payments Platform CA (and its successor during a rotation). */
      readonly ca: Pem | readonly Pem[];
    }
  | {
      readonly mode: 'proxy';
      readonly ca: Pem | readonly Pem[];
      /** Addresses (or CIDR ranges) of the proxies allowed to forward a certificate. */
      readonly trustedProxies: readonly string[];
      /**
       * Header the proxy puts the client certificate in (default `x-client-cert`): PEM, URL-encoded PEM (nginx
       * `$ssl_client_escaped_cert`, AWS ALB) or Envoy's `x-forwarded-client-cert` with `Cert="…"`.
       */
      readonly header?: string;
    }
  | { readonly mode: 'off' };

/** What the transport knows about the connection a request came in on. */
export interface ConnectionInfo {
  readonly socket: unknown;
  readonly headers: HeaderBag;
}

export type MtlsResult =
  | { readonly ok: true; readonly subject: string | undefined }
  | { readonly ok: false; readonly reason: string };

export type MtlsVerifier = (connection: ConnectionInfo) => MtlsResult;

/**
 * TLS options for a server that hosts the session endpoints in `direct` mode. `requestCert` without
 * `rejectUnauthorized`: the handshake succeeds for browsers, and the session routes check `authorized`.
 */
export function mtlsServerOptions(options: {
  readonly key: Pem;
  readonly cert: Pem;
  readonly ca: Pem | readonly Pem[];
}): { key: Pem; cert: Pem; ca: Pem[]; requestCert: true; rejectUnauthorized: false; minVersion: 'TLSv1.2' } {
  const ca = parseCaList(options.ca).map((c) => c.pem);
  return {
    key: options.key,
    cert: options.cert,
    ca,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
  };
}

/** Build the check the session routes run; validates the configuration eagerly. */
export function createMtlsVerifier(
  options: MtlsOptions | undefined,
  context: { readonly testMode: boolean; readonly logger: Logger },
): MtlsVerifier {
  if (!options || typeof options !== 'object') {
    throw new ConfigurationError(
      "mtls is required: { mode: 'direct', ca } or { mode: 'proxy', ca, trustedProxies } ({ mode: 'off' } only with testMode)",
    );
  }
  switch (options.mode) {
    case 'off':
      if (!context.testMode) {
        throw new ConfigurationError(
          "mtls mode 'off' is allowed only with testMode: true — Shopify's session requests are authenticated by their client certificate alone",
        );
      }
      context.logger.warn(
        { mtls: 'off' },
        'mTLS IS OFF: the payment, refund, capture and void session endpoints accept requests from anyone. Test mode only; never expose this server.',
      );
      return () => ({ ok: true, subject: undefined });
    case 'direct': {
      parseCaList(options.ca);
      return ({ socket }) => {
        const tls = socket as Partial<TLSSocket> | undefined;
        if (!tls || !tls.encrypted || typeof tls.getPeerCertificate !== 'function') {
          return { ok: false, reason: 'not a TLS connection' };
        }
        const peer = tls.getPeerCertificate();
        if (!peer || Object.keys(peer).length === 0) return { ok: false, reason: 'no client certificate' };
        if (!tls.authorized) {
          return { ok: false, reason: `client certificate not trusted (${String(tls.authorizationError)})` };
        }
        const cn = peer.subject?.CN as string | string[] | undefined;
        return { ok: true, subject: Array.isArray(cn) ? cn[0] : cn };
      };
    }
    case 'proxy': {
      const cas = parseCaList(options.ca);
      const header = (options.header ?? 'x-client-cert').toLowerCase();
      const proxies = trustedProxyList(options.trustedProxies);
      return ({ socket, headers }) => {
        const remote = (socket as { remoteAddress?: string } | undefined)?.remoteAddress;
        if (!remote || !isTrusted(proxies, remote)) {
          return { ok: false, reason: `request did not come from a trusted proxy (${remote ?? 'unknown'})` };
        }
        const value = readHeader(headers, header);
        if (!value) return { ok: false, reason: `no ${header} header from the proxy` };
        let certificate: X509Certificate;
        try {
          certificate = new X509Certificate(decodeForwardedCertificate(value));
        } catch {
          return { ok: false, reason: `${header} does not hold a certificate` };
        }
        return checkAgainst(certificate, cas);
      };
    }
    default:
      throw new ConfigurationError(
        `Unknown mtls mode ${JSON.stringify((options as { mode?: unknown }).mode)}`,
      );
  }
}

interface TrustedCa {
  readonly pem: Pem;
  readonly certificate: X509Certificate;
}

function parseCaList(ca: Pem | readonly Pem[] | undefined): TrustedCa[] {
  const list = (Array.isArray(ca) ? ca : ca === undefined ? [] : [ca]) as Pem[];
  if (list.length === 0) throw new ConfigurationError('mtls.ca needs at least one CA certificate (PEM)');
  return list.map((pem, index) => {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch {
      throw new ConfigurationError(`mtls.ca[${index}] is not a PEM certificate`);
    }
    if (!certificate.ca) throw new ConfigurationError(`mtls.ca[${index}] is not a CA certificate`);
    return { pem, certificate };
  });
}

function checkAgainst(certificate: X509Certificate, cas: readonly TrustedCa[]): MtlsResult {
  const now = Date.now();
  if (now < Date.parse(certificate.validFrom) || now > Date.parse(certificate.validTo)) {
    return { ok: false, reason: 'client certificate expired or not yet valid' };
  }
  const trusted = cas.some(
    ({ certificate: ca }) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey),
  );
  if (!trusted) return { ok: false, reason: 'client certificate not issued by a trusted CA' };
  return { ok: true, subject: /CN=([^\n,]+)/.exec(certificate.subject)?.[1] };
}

/** Proxies write the certificate in several ways; all end as PEM text here. */
function decodeForwardedCertificate(value: string): string {
  const envoy = /Cert="([^"]+)"/.exec(value);
  let text = envoy ? (envoy[1] as string) : value.trim();
  if (/%[0-9A-Fa-f]{2}/.test(text)) text = decodeURIComponent(text);
  if (!text.includes('-----BEGIN')) {
    // Bare base64 DER (some load balancers).
    const body = text.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
    return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  }
  // A PEM squeezed onto one header line keeps spaces where its newlines were.
  return text.replace(
    /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/,
    (_m, body: string) =>
      `-----BEGIN CERTIFICATE-----\n${body.replace(/\s+/g, '\n').trim()}\n-----END CERTIFICATE-----`,
  );
}

function trustedProxyList(entries: readonly string[] | undefined): BlockList {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new ConfigurationError(
      "mtls mode 'proxy' needs trustedProxies (the proxies' addresses or CIDR ranges)",
    );
  }
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = String(entry).split('/');
    const family = isIP(address ?? '');
    if (family === 0)
      throw new ConfigurationError(`mtls.trustedProxies: ${JSON.stringify(entry)} is not an address`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address as string, type);
    else list.addSubnet(address as string, Number(prefix), type);
  }
  return list;
}

function isTrusted(list: BlockList, remote: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(remote);
  if (mapped) return list.check(mapped[1] as string, 'ipv4');
  return list.check(remote, isIP(remote) === 6 ? 'ipv6' : 'ipv4');
}
