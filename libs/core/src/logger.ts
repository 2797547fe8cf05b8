import { redact } from './redact.js';

/** The subset of pino's API Tijara uses, so a pino logger can be passed as is. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: object): Logger;
  /**
   * Whether a line at `level` would be written (pino has it). Optional: a logger without it is assumed to write
   * every level. Wrappers skip their own work for a level that is off, and callers may check it before
   * building an expensive log object.
   */
  isLevelEnabled?(level: string): boolean;
}

/** Discards everything; the default when no logger is given. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  isLevelEnabled: () => false,
};

/**
 * Wrap a logger so every object it writes is redacted first (defence in depth). Lines at a level the inner
 * logger reports as off are dropped before redaction, which costs tens of µs for a request-sized object.
 */
export function redactingLogger(inner: Logger, secrets: readonly string[] = []): Logger {
  // Asked on every call, not once, because pino's level can be changed at run time.
  const enabled = (level: string): boolean => inner.isLevelEnabled?.(level) ?? true;
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (obj: object, msg?: string): void => {
      if (!enabled(level)) return;
      const safe = redact(obj, secrets);
      if (msg === undefined) inner[level](safe);
      else inner[level](safe, redact(msg, secrets));
    };
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    isLevelEnabled: enabled,
    child: (bindings: object) =>
      redactingLogger(inner.child ? inner.child(redact(bindings, secrets)) : inner, secrets),
  };
}
