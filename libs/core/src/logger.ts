import { redact } from './redact.js';

/** The subset of pino's API Tijara uses, so a pino logger can be passed as is. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child?(bindings: object): Logger;
}

/** Discards everything; the default when no logger is given. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Wrap a logger so every object it receives is redacted first (defence in depth). */
export function redactingLogger(inner: Logger, secrets: readonly string[] = []): Logger {
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (obj: object, msg?: string): void => {
      const safe = redact(obj, secrets);
      if (msg === undefined) inner[level](safe);
      else inner[level](safe, redact(msg, secrets));
    };
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    child: (bindings: object) =>
      redactingLogger(inner.child ? inner.child(redact(bindings, secrets)) : inner, secrets),
  };
}
