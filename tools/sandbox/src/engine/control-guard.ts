import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Who may use the control API (`/__sandbox/…`: pay, move the clock, inject faults, reset, read connection
 * details) and the hosted pages' test hooks.
 *
 * - Only the sandbox's own host names: a page on another site that makes its name resolve to 127.0.0.1 (DNS
 *   rebinding) sends its own name in `Host` and is refused.
 * - No cross-site browser requests: an `Origin` of another host, or `Sec-Fetch-Site: cross-site`.
 * - `POST` only as `application/json`: an HTML form (or any other request a page may send without a CORS
 *   preflight) cannot carry it.
 * - With a control token (required when the sandbox listens beyond loopback): `Authorization: Bearer <token>`
 *   (or `X-Sandbox-Token`).
 */
export interface ControlGuardOptions {
  /** The interface the sandbox listens on (its address is one of its own names), when it listens. */
  readonly bindHost?: string;
  /** Further names the sandbox is reached by (a LAN name, a tunnel). */
  readonly allowedHosts?: readonly string[];
  /** The configured public URL (its host is allowed), read on each request. */
  readonly publicUrl: () => string | undefined;
  readonly token?: string;
}

const WILDCARD = new Set(['0.0.0.0', '::', '']);

/** `127.0.0.1`, `::1`, `localhost` — the names that can only mean this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host name of a `Host` header or URL authority (`[::1]:4010` → `::1`), lower case. */
function hostName(authority: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(authority);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return authority.replace(/:\d*$/, '').toLowerCase();
}

/** The names the sandbox knows it has when it starts (its public URL is read per request: it may be set later). */
function ownHosts(options: ControlGuardOptions): Set<string> {
  const hosts = new Set<string>();
  const bind = options.bindHost?.replace(/^\[|\]$/g, '').toLowerCase();
  if (bind !== undefined && WILDCARD.has(bind)) {
    // Listening everywhere: every address of this machine is one of its own names.
    for (const list of Object.values(networkInterfaces())) {
      for (const entry of list ?? []) hosts.add(entry.address.replace(/%.*$/, '').toLowerCase());
    }
  } else if (bind) hosts.add(bind);
  for (const host of options.allowedHosts ?? []) hosts.add(hostName(host));
  return hosts;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function refuse(res: Response, status: number, error: string, detail: string): void {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer realm="tijara-sandbox"');
  res.status(status).json({ error, detail });
}

/** The token a request presents: `Authorization: Bearer …` or `X-Sandbox-Token`. */
function presentedToken(req: Request): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
  return bearer ?? req.get('x-sandbox-token') ?? undefined;
}

/** Whether a request carries the control token (always true when none is configured). */
export function tokenMatches(req: Request, token: string | undefined): boolean {
  if (token === undefined) return true;
  const presented = presentedToken(req);
  return presented !== undefined && timingSafeEqual(digest(presented), digest(token));
}

/** Refuses requests that did not come from this machine's own sites (see {@link ControlGuardOptions}). */
export function sameSiteOnly(options: ControlGuardOptions): RequestHandler {
  const own = ownHosts(options);
  return (req: Request, res: Response, next: NextFunction): void => {
    const publicUrl = options.publicUrl();
    const publicHost = publicUrl ? hostName(new URL(publicUrl).host) : undefined;
    const allowed = (host: string) => isLoopbackHost(host) || own.has(host) || host === publicHost;
    const host = hostName(req.get('host') ?? '');
    if (!host || !allowed(host)) {
      refuse(res, 403, 'forbidden_host', `This sandbox does not answer to the host name "${host}".`);
      return;
    }
    const origin = req.get('origin');
    let originHost: string | undefined;
    try {
      originHost = origin === undefined ? undefined : hostName(new URL(origin).host);
    } catch {
      originHost = '';
    }
    if (
      (origin !== undefined && (!originHost || !allowed(originHost))) ||
      req.get('sec-fetch-site') === 'cross-site'
    ) {
      refuse(res, 403, 'cross_site_request', 'The control API does not accept requests from other sites.');
      return;
    }
    next();
  };
}

/** The control API's guard: same site, the token when one is configured, JSON on every POST. */
export function controlGuard(options: ControlGuardOptions): RequestHandler {
  const site = sameSiteOnly(options);
  return (req, res, next) =>
    site(req, res, () => {
      if (!tokenMatches(req, options.token)) {
        refuse(
          res,
          401,
          'unauthorized',
          'This sandbox needs its control token: Authorization: Bearer <token>.',
        );
        return;
      }
      if (req.method === 'POST' && !req.is(['application/json', 'application/*+json'])) {
        refuse(
          res,
          415,
          'unsupported_media_type',
          'Send POST requests to the control API as application/json.',
        );
        return;
      }
      next();
    });
}

/**
 * For a gateway's hosted-page test hooks (buttons or routes that exist only to drive a test, not for a real
 * buyer): the same site rule, and the control token when one is configured (as a header, or `sandbox_token` in
 * the query or form).
 */
export function testHookGuard(options: ControlGuardOptions): RequestHandler {
  const site = sameSiteOnly(options);
  return (req, res, next) =>
    site(req, res, () => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const fromPage =
        typeof req.query['sandbox_token'] === 'string'
          ? req.query['sandbox_token']
          : typeof body['sandbox_token'] === 'string'
            ? body['sandbox_token']
            : undefined;
      const ok =
        options.token === undefined ||
        tokenMatches(req, options.token) ||
        (fromPage !== undefined && timingSafeEqual(digest(fromPage), digest(options.token)));
      if (!ok) {
        refuse(res, 401, 'unauthorized', 'This test hook needs the sandbox control token.');
        return;
      }
      next();
    });
}
