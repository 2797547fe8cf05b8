import { redactingLogger, silentLogger, type Logger } from '@tijara/core';

/** The part of Medusa's logger (or `console`) the plugin writes to. */
export interface MedusaLikeLogger {
  debug?(message: string): unknown;
  info(message: string): unknown;
  warn(message: string): unknown;
  error(message: string, ...rest: unknown[]): unknown;
}

function line(prefix: string, obj: object, msg?: string): string {
  const fields = Object.keys(obj).length ? ` ${JSON.stringify(obj, errorReplacer)}` : '';
  return `${prefix}: ${msg ?? ''}${fields}`;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const json = (value as { toJSON?: () => unknown }).toJSON;
    return typeof json === 'function' ? json.call(value) : { name: value.name, message: value.message };
  }
  return value;
}

/**
 * Core's pino-style Logger on top of Medusa's string logger, redacting every object and message first
 * (the gateway's keys, card numbers, Authorization headers, and `secrets`).
 */
export function medusaLogger(
  inner: MedusaLikeLogger | undefined,
  prefix: string,
  secrets: readonly string[] = [],
): Logger {
  if (!inner) return silentLogger;
  const adapter: Logger = {
    debug: (obj, msg) => void inner.debug?.(line(prefix, obj, msg)),
    info: (obj, msg) => void inner.info(line(prefix, obj, msg)),
    warn: (obj, msg) => void inner.warn(line(prefix, obj, msg)),
    error: (obj, msg) => void inner.error(line(prefix, obj, msg)),
  };
  return redactingLogger(adapter, secrets);
}
