import { redact, type Logger } from '@tijara/core';

/**
 * One readable line per log call, every field redacted first (API keys, tokens, card numbers and the literal
 * secrets given). Debug lines only with DEBUG=1.
 */
export function consoleLogger(name: string, secrets: readonly string[] = []): Logger {
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (obj: object, msg?: string) => {
    if (level === 'debug' && !process.env.DEBUG) return;
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      fields[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
    }
    const safe = redact(fields, secrets);
    const extra = Object.keys(safe).length > 0 ? ` ${JSON.stringify(safe)}` : '';
    const line = `${new Date().toISOString()} ${level.padEnd(5)} [${name}] ${redact(msg ?? '', secrets)}${extra}\n`;
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
