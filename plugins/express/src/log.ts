import type { Logger } from '@tijara/core';

/**
 * Errors as log fields. Core's redacting logger copies only own enumerable properties, which would drop an
 * Error's message and stack; this keeps them (as plain strings the redaction then scrubs) and the cause chain.
 */
export function errorFields(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const key of ['type', 'code', 'statusCode', 'requestId', 'gateway'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  if (error.stack) fields.stack = error.stack;
  if (error.cause !== undefined && depth < 3) fields.cause = errorFields(error.cause, depth + 1);
  return fields;
}

/** A logger that turns Error values of top-level fields into `errorFields`, then hands over to `inner`. */
export function errorAwareLogger(inner: Logger): Logger {
  // Passed on, so that core's wrappers and callers underneath can skip work for a level that is off.
  const enabled = (level: string): boolean => inner.isLevelEnabled?.(level) ?? true;
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (obj: object, msg?: string): void => {
      if (!enabled(level)) return;
      let fields = obj as Record<string, unknown>;
      for (const [key, value] of Object.entries(fields)) {
        if (value instanceof Error) fields = { ...fields, [key]: errorFields(value) };
      }
      if (msg === undefined) inner[level](fields);
      else inner[level](fields, msg);
    };
  return {
    debug: wrap('debug'),
    info: wrap('info'),
    warn: wrap('warn'),
    error: wrap('error'),
    isLevelEnabled: enabled,
  };
}
