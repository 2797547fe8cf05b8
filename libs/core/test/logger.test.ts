import { Writable } from 'node:stream';
import pino from 'pino';
import { redactingLogger, silentLogger, type Logger } from '../src/logger.js';

const KEY = 'sk_test_loggerUnitKey0123456789';

interface Line {
  level: string;
  obj: object;
  msg: string | undefined;
}

/** A logger that records what it is given and reports the levels in `enabled` as on (all when undefined). */
function recorder(enabled?: Set<string>): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const write = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return {
    lines,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    ...(enabled ? { isLevelEnabled: (level: string) => enabled.has(level) } : {}),
  };
}

/** A log object that counts how often redaction (or anything else) reads its fields. */
function watched(): { obj: object; reads: () => number } {
  let reads = 0;
  const obj = {};
  Object.defineProperty(obj, 'payload', {
    enumerable: true,
    get: () => {
      reads += 1;
      return { note: `key ${KEY}` };
    },
  });
  return { obj, reads: () => reads };
}

describe('redactingLogger', () => {
  it('does no redaction work for a level the inner logger reports as off, and redacts what it writes', () => {
    const inner = recorder(new Set(['info', 'warn', 'error']));
    const logger = redactingLogger(inner, [KEY]);
    const off = watched();
    logger.debug(off.obj, `debug ${KEY}`);
    expect(off.reads()).toBe(0);
    expect(inner.lines).toEqual([]);

    const on = watched();
    logger.info(on.obj, `info ${KEY}`);
    expect(on.reads()).toBe(1);
    expect(inner.lines).toEqual([
      { level: 'info', obj: { payload: { note: 'key [REDACTED]' } }, msg: 'info [REDACTED]' },
    ]);
    expect(logger.isLevelEnabled?.('debug')).toBe(false);
    expect(logger.isLevelEnabled?.('warn')).toBe(true);
  });

  it('redacts and writes every level for a logger that cannot say which are on', () => {
    const inner = recorder();
    const logger = redactingLogger(inner);
    logger.debug({ authorization: `Bearer ${KEY}` });
    expect(inner.lines).toEqual([{ level: 'debug', obj: { authorization: '[REDACTED]' }, msg: undefined }]);
    expect(logger.isLevelEnabled?.('debug')).toBe(true);
  });

  it('asks on every call, so a level switched on at run time is written (redacted)', () => {
    const enabled = new Set<string>(['warn']);
    const inner = recorder(enabled);
    const logger = redactingLogger(inner, [KEY]);
    logger.debug({ key: KEY });
    enabled.add('debug');
    logger.debug({ key: KEY });
    expect(inner.lines).toEqual([{ level: 'debug', obj: { key: '[REDACTED]' }, msg: undefined }]);
  });

  it('with pino: lines below its level cost nothing, lines at or above it are written redacted', () => {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = redactingLogger(pino({ level: 'warn' }, stream), [KEY]);
    const off = watched();
    logger.debug(off.obj, 'not written');
    logger.info(off.obj, 'not written either');
    expect(off.reads()).toBe(0);

    const on = watched();
    logger.child?.({ component: 'unit' }).warn(on.obj, `warned ${KEY}`);
    expect(on.reads()).toBe(1);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] ?? '{}')).toMatchObject({
      component: 'unit',
      payload: { note: 'key [REDACTED]' },
      msg: 'warned [REDACTED]',
    });
    expect(written.join('')).not.toContain(KEY);
  });
});

describe('silentLogger', () => {
  it('reports every level as off, so wrappers and callers skip their work', () => {
    for (const level of ['debug', 'info', 'warn', 'error'])
      expect(silentLogger.isLevelEnabled?.(level)).toBe(false);
    const logger = redactingLogger(silentLogger, [KEY]);
    const off = watched();
    logger.error(off.obj, 'dropped');
    expect(off.reads()).toBe(0);
  });
});
