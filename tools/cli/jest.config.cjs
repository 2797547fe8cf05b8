// CLI tests start real processes (the CLI, a sandbox, Chromium-free HTTP receivers): allow them time.
module.exports = { ...require('../../jest.preset.cjs'), displayName: 'cli', testTimeout: 60_000 };
