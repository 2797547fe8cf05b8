export { runCli } from './run-cli.js';
export { createProgram } from './program.js';
export { processIo, type CliIo } from './cli-io.js';
export { CliError, UsageError, EXIT_FAILURE, EXIT_USAGE } from './cli-errors.js';
export {
  clearSandboxStateIn,
  readSandboxState,
  sandboxStateFile,
  writeSandboxStateIn,
  type GatewayConnectionRecord,
  type SandboxState,
} from './local-state.js';
export { sandboxState } from './gateway-profiles.js';
