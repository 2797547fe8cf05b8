import { defineNumipayDriverScenarios } from './scenarios.js';
import { startReplayTarget, type ReplayTarget } from './support/replay-target.js';

// The scenarios against recorded exchanges; the sandbox emulator is the other target of the same module.
let target: ReplayTarget;
beforeAll(async () => {
  target = await startReplayTarget();
});
afterAll(() => target.close());

defineNumipayDriverScenarios(() => target);
