import { redactingLogger, type Logger } from '@tijara/core';
import { errorAwareLogger } from '../src/log.js';

const KEY = 'sk_test_expressLogUnitKey0123456789';

function recorder(enabled: ReadonlySet<string>): Logger & { lines: Array<[string, object]> } {
  const lines: Array<[string, object]> = [];
  const write = (level: string) => (obj: object) => void lines.push([level, obj]);
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    isLevelEnabled: (level) => enabled.has(level),
  };
}

describe('the plugin logger (errorAwareLogger over redactingLogger)', () => {
  test('a level the store logger reports as off costs no field conversion or redaction', () => {
    const inner = recorder(new Set(['warn', 'error']));
    const logger = errorAwareLogger(redactingLogger(inner, [KEY]));
    let reads = 0;
    const fields = {
      get err() {
        reads += 1;
        return new Error(`failed with ${KEY}`);
      },
    };
    logger.info(fields, 'payment event');
    logger.debug(fields, 'duplicate gateway event');
    expect(reads).toBe(0);
    expect(inner.lines).toEqual([]);
    expect(logger.isLevelEnabled?.('info')).toBe(false);
    expect(logger.isLevelEnabled?.('error')).toBe(true);

    logger.error(fields, 'store event handler failed');
    expect(reads).toBeGreaterThan(0);
    expect(inner.lines).toEqual([
      ['error', { err: expect.objectContaining({ name: 'Error', message: 'failed with [REDACTED]' }) }],
    ]);
  });
});
