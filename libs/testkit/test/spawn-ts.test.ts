// spawnTs runs TypeScript sources in real child processes; these tests start real ones.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  childOutput,
  sendLine,
  spawnTs,
  stopAllChildren,
  stopChild,
  waitForExit,
  waitForLine,
} from '../src/spawn-ts.js';

const CHILD = new URL('./fixtures/ts-child.ts', import.meta.url);
const PARENT = new URL('./fixtures/spawn-ts-parent.ts', import.meta.url);

afterAll(() => stopAllChildren());

/** Alive and not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

describe('spawnTs', () => {
  it('runs a TypeScript child that imports @tijara/core and a sibling by its .js name', async () => {
    const child = spawnTs(CHILD, ['one', 'two']);
    const ready = JSON.parse(await waitForLine(child, /"ready":true/, 20_000)) as Record<string, unknown>;
    expect(ready).toEqual({ ready: true, remembered: true, configurationError: true, args: ['one', 'two'] });
    await expect(waitForLine(child, /^to stderr$/, 5000, { stream: 'stderr' })).resolves.toBe('to stderr');

    sendLine(child, 'salam');
    await expect(waitForLine(child, /^SALAM!$/)).resolves.toBe('SALAM!');
    sendLine(child, 'exit');
    await expect(waitForLine(child, /^bye$/)).resolves.toBe('bye');
    expect(await waitForExit(child)).toEqual({ code: 0, signal: null });
    expect(childOutput(child).stdout).toContain('SALAM!');
  }, 30_000);

  it('waitForLine finds lines printed before it was called, and never returns the same line twice', async () => {
    const child = spawnTs(CHILD, [], { label: 'echo child' });
    await waitForLine(child, /"ready":true/, 20_000);
    sendLine(child, 'a');
    sendLine(child, 'a');
    // Both lines are surely printed by the time 'b' is echoed.
    sendLine(child, 'b');
    await waitForLine(child, /^B!$/);
    await expect(waitForLine(child, /^A!$/)).resolves.toBe('A!');
    await expect(waitForLine(child, /^A!$/)).resolves.toBe('A!');
    await expect(waitForLine(child, /^A!$/, 200)).rejects.toThrow(
      /echo child printed no line matching \/\^A!\$\/ within 200 ms[\s\S]*B!/,
    );
    await stopChild(child);
  }, 30_000);

  it('waitForLine rejects as soon as the child exits without printing the line', async () => {
    const child = spawnTs(CHILD, [], { label: 'crashing child' });
    await waitForLine(child, /"ready":true/, 20_000);
    sendLine(child, 'crash');
    await expect(waitForLine(child, /never printed/, 20_000)).rejects.toThrow(
      /crashing child exited \(code 3/,
    );
  }, 30_000);

  it('stopChild ends a running child', async () => {
    const child = spawnTs(CHILD);
    await waitForLine(child, /"ready":true/, 20_000);
    expect(await stopChild(child)).toEqual({ code: null, signal: 'SIGTERM' });
  }, 30_000);

  async function orphan(mode: 'exit' | 'hang', guard: 'guarded' | 'unguarded'): Promise<number> {
    const parent = spawnTs(PARENT, [mode, guard]);
    const { grandchild } = JSON.parse(await waitForLine(parent, /grandchild/, 20_000)) as {
      grandchild: number;
    };
    if (mode === 'hang') {
      // (In 'exit' mode the parent may already be gone, and its child with it.)
      expect(isAlive(grandchild)).toBe(true);
      parent.kill('SIGKILL');
    }
    await waitForExit(parent);
    return grandchild;
  }

  it('a child is killed when its parent exits normally', async () => {
    const grandchild = await orphan('exit', 'guarded');
    expect(await waitUntilGone(grandchild, 5000)).toBe(true);
  }, 30_000);

  it('a child exits by itself when its parent is SIGKILLed', async () => {
    const grandchild = await orphan('hang', 'guarded');
    expect(await waitUntilGone(grandchild, 5000)).toBe(true);
  }, 30_000);

  it('control: with killOnParentExit false the child outlives its SIGKILLed parent', async () => {
    const grandchild = await orphan('hang', 'unguarded');
    try {
      // The guarded child above is gone well within this; this one must still be running.
      expect(await waitUntilGone(grandchild, 1500)).toBe(false);
    } finally {
      process.kill(grandchild, 'SIGKILL');
    }
  }, 30_000);
});
