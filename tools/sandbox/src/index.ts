export {
  startSandbox,
  createSandboxApp,
  type SandboxOptions,
  type SandboxAppOptions,
  type SandboxHandle,
  type RunningSandbox,
  type EmbeddedSandbox,
} from './sandbox.js';
export { DEFAULT_BRAND_ID } from './context.js';
export { TEST_CARDS } from './cards.js';
export { RETRY_DELAYS_MINUTES, MAX_ATTEMPTS } from './webhook-delivery.js';
export type { FaultRuleInput } from './faults.js';
