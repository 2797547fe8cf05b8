import { definePostpayDriverScenarios } from './scenarios.js';
import { startReplayTarget, type ReplayTarget } from './support/replay-target.js';

// The scenarios against recorded exchanges; the sandbox emulator is the other target of the same module
// (tools/sandbox/test/postpay-driver-scenarios.test.ts).
let target: ReplayTarget;
beforeAll(async () => {
  target = await startReplayTarget();
});
afterAll(() => target.close());

definePostpayDriverScenarios(() => target);
