export {
  startSandbox,
  createSandboxApp,
  type SandboxOptions,
  type SandboxAppOptions,
  type SandboxHandle,
  type RunningSandbox,
  type EmbeddedSandbox,
} from './sandbox.js';
export { GATEWAYS } from './gateways/index.js';
export { DEFAULT_BRAND_ID } from './gateways/ummah/config.js';
export { TEST_CARDS } from './gateways/ummah/cards.js';
export { RETRY_DELAYS_MINUTES, MAX_ATTEMPTS } from './gateways/ummah/events.js';
export type { UmmahHandle } from './gateways/ummah/index.js';
export type { FaultRuleInput } from './engine/faults.js';
export { isLoopbackHost } from './engine/control-guard.js';
export {
  classifyAddress,
  guardTarget,
  RefusedTarget,
  systemResolver,
  type Resolver,
} from './engine/outbound.js';
export {
  defineGateway,
  type GatewayDefinition,
  type GatewayModule,
  type GatewayServices,
} from './engine/gateway-module.js';
