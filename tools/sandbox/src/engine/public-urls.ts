import type { Request } from 'express';

/**
 * The base URL objects carry in their links (checkout pages, downloads): the configured public URL, else the
 * origin (and mount path, when the sandbox is embedded) that requests arrive at. Work done without a request
 * (a renewal on the clock) uses the last origin seen.
 */
export class PublicUrls {
  private configured: string | undefined;
  private lastOrigin: string | undefined;

  constructor(publicUrl: string | undefined) {
    this.configured = publicUrl?.replace(/\/+$/, '');
  }

  /** The public URL given in the options (or set once the sandbox listens), if any. */
  get publicUrl(): string | undefined {
    return this.configured;
  }

  /** Set when the sandbox starts listening and no public URL was given. */
  defaultTo(url: string): void {
    this.configured ??= url.replace(/\/+$/, '');
  }

  /** The sandbox's root URL, without a trailing slash. */
  base(req?: Request): string {
    if (this.configured) return this.configured;
    if (req) {
      const mount =
        typeof req.app.mountpath === 'string' && req.app.mountpath !== '/' ? req.app.mountpath : '';
      this.lastOrigin = `${req.protocol}://${req.get('host') ?? '127.0.0.1'}${mount}`;
    }
    return this.lastOrigin ?? 'http://127.0.0.1';
  }
}
